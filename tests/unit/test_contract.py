"""The deployment contract: consistent, complete, and importable without the AWS CDK."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from common import contract

CONTRACT_FILE = Path(contract.__file__)


def test_contract_imports_only_the_standard_library() -> None:
    """The functions, the CDK stack and the local stack all import it."""
    tree = ast.parse(CONTRACT_FILE.read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "collections", "dataclasses", "typing"}


def test_every_route_names_a_known_function() -> None:
    for route in contract.WEBSOCKET_ROUTES:
        assert route.function_id is None or route.function_id in contract.FUNCTIONS
    for http_route in contract.HTTP_ROUTES:
        assert http_route.function_id in contract.FUNCTIONS
    assert contract.STREAM_FUNCTION in contract.FUNCTIONS


def test_websocket_routes_are_the_relay_protocol() -> None:
    keys = [route.route_key for route in contract.WEBSOCKET_ROUTES]
    assert len(keys) == len(set(keys))
    assert set(keys) == {
        "$connect",
        "$disconnect",
        "$default",
        "startChat",
        "resumeChat",
        "sendMessage",
        "sendEvent",
        "getTranscript",
        "sendAttachment",
        "getAttachment",
        "endChat",
        "keepalive",
    }
    assert contract.function_for_route("keepalive") is None, "the keepalive route invokes nothing"
    assert contract.FUNCTIONS[contract.route_for_key("$connect").function_id or ""].handler == "relay.connect.handler"
    assert contract.FUNCTIONS[contract.route_for_key("$disconnect").function_id or ""].handler == (
        "relay.disconnect.handler"
    )
    for action in (*contract.CLIENT_ACTIONS, "$default"):
        spec = contract.function_for_route(action)
        assert spec is not None
        assert spec.handler == "relay.message.handler"
    assert contract.FUNCTIONS[contract.STREAM_FUNCTION].handler == "relay.stream.handler"
    assert contract.ROUTE_SELECTION_EXPRESSION == "$request.body.action"


def test_http_route_is_start_chat() -> None:
    assert [(r.method, r.path) for r in contract.HTTP_ROUTES] == [("POST", "/start-chat")]
    assert contract.FUNCTIONS[contract.HTTP_ROUTES[0].function_id].handler == "start_chat.app.handler"


@pytest.mark.parametrize("spec", list(contract.FUNCTIONS.values()), ids=lambda spec: spec.id)
def test_function_specs_are_deployable(spec: contract.FunctionSpec) -> None:
    assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", spec.handler)
    assert 1 <= spec.timeout_seconds <= 900
    assert 128 <= spec.memory_mb <= 10240
    assert all(action.startswith("connect:") for action in spec.connect_actions)


def test_only_api_integrations_stay_within_api_gateway_timeout() -> None:
    for route in contract.WEBSOCKET_ROUTES:
        if route.function_id is not None:
            assert contract.FUNCTIONS[route.function_id].timeout_seconds <= contract.INTEGRATION_TIMEOUT_SECONDS
    for http_route in contract.HTTP_ROUTES:
        assert contract.FUNCTIONS[http_route.function_id].timeout_seconds <= contract.INTEGRATION_TIMEOUT_SECONDS


def test_least_privilege_by_function() -> None:
    functions = contract.FUNCTIONS
    assert functions[contract.START_CHAT].table_access == "read_write", "its chat budgets are counters in the table"
    assert functions[contract.START_CHAT].connect_actions == ("connect:StartChatContact",)
    assert not functions[contract.START_CHAT].manage_connections
    for relay in (contract.RELAY_CONNECT, contract.RELAY_DISCONNECT, contract.RELAY_MESSAGE, contract.RELAY_STREAM):
        assert functions[relay].table_access == "read_write"
    assert functions[contract.RELAY_MESSAGE].manage_connections
    assert functions[contract.RELAY_STREAM].manage_connections
    assert not functions[contract.RELAY_CONNECT].connect_actions


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("sendMessage", "sendMessage"),
        ("endChat", "endChat"),
        ("nope", "$default"),
        ("", "$default"),
        (None, "$default"),
        (42, "$default"),
        ("$connect", "$default"),
        ("keepalive", "keepalive"),
    ],
)
def test_select_route(action: object, expected: str) -> None:
    assert contract.select_route(action) == expected


def test_filter_policy_keeps_what_the_customer_sees_but_not_their_own_typing_and_receipts() -> None:
    policy = contract.STREAM_FILTER_POLICY
    assert policy["MessageVisibility"] == ["CUSTOMER", "ALL"]
    assert {"ParticipantRole": [{"anything-but": ["CUSTOMER"]}]} in policy["$or"]
    assert {"ContentType": [{"anything-but": list(contract.OWN_ONLY_CONTENT_TYPES)}]} in policy["$or"]


def test_bounds_hold_their_defaults() -> None:
    for bounds in (contract.CHAT_DURATION_MINUTES, contract.RATE_LIMIT_PER_MINUTE):
        assert bounds.low <= bounds.default <= bounds.high


def test_limits_are_api_gateway_quotas() -> None:
    assert contract.MAX_FRAME_BYTES == 32 * 1024
    assert contract.MAX_MESSAGE_BYTES == 128 * 1024
    assert contract.IDLE_TIMEOUT_SECONDS == 600
    assert contract.MAX_CONNECTION_SECONDS == 7200
    assert contract.LOCAL_STAGE_NAME == "local"
