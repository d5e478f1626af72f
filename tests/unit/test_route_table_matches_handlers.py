"""The deployment contract (read by the CDK stack and the local gateway) and the Lambda code cannot drift apart."""

from __future__ import annotations

import inspect

from common import contract, frames
from local.lambda_runtime import load_handler


def test_every_client_action_has_a_route_and_a_frame_model() -> None:
    assert set(contract.CLIENT_ACTIONS) == set(frames.ACTIONS)


def test_every_function_handler_exists_and_takes_event_and_context() -> None:
    for spec in contract.FUNCTIONS.values():
        handler = load_handler(spec.handler)
        assert list(inspect.signature(handler).parameters)[:2] == ["event", "context"], spec.handler
