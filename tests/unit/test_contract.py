"""The shared route table: consistent, complete, and importable without the AWS CDK."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from infra import routes

ROUTES_FILE = Path(routes.__file__)


def test_route_table_imports_nothing_from_the_cdk() -> None:
    """The local gateway imports it: only the standard library is allowed."""
    tree = ast.parse(ROUTES_FILE.read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "collections", "dataclasses", "typing"}


def test_every_route_names_a_known_function() -> None:
    for route in routes.WEBSOCKET_ROUTES:
        assert route.function_id in routes.FUNCTIONS
    for http_route in routes.HTTP_ROUTES:
        assert http_route.function_id in routes.FUNCTIONS
    assert routes.STREAM_FUNCTION in routes.FUNCTIONS


def test_websocket_routes_are_the_relay_protocol() -> None:
    keys = [route.route_key for route in routes.WEBSOCKET_ROUTES]
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
    }
    assert routes.function_for_route("$connect").handler == "relay.connect.handler"
    assert routes.function_for_route("$disconnect").handler == "relay.disconnect.handler"
    for action in (*routes.CLIENT_ACTIONS, "$default"):
        assert routes.function_for_route(action).handler == "relay.message.handler"
    assert routes.FUNCTIONS[routes.STREAM_FUNCTION].handler == "relay.stream.handler"
    assert routes.ROUTE_SELECTION_EXPRESSION == "$request.body.action"


def test_http_route_is_start_chat() -> None:
    assert [(r.method, r.path) for r in routes.HTTP_ROUTES] == [("POST", "/start-chat")]
    assert routes.FUNCTIONS[routes.HTTP_ROUTES[0].function_id].handler == "start_chat.app.handler"


@pytest.mark.parametrize("spec", list(routes.FUNCTIONS.values()), ids=lambda spec: spec.id)
def test_function_specs_are_deployable(spec: routes.FunctionSpec) -> None:
    assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", spec.handler)
    assert 1 <= spec.timeout_seconds <= 900
    assert 128 <= spec.memory_mb <= 10240
    assert all(action.startswith("connect:") for action in spec.connect_actions)


def test_only_api_integrations_stay_within_api_gateway_timeout() -> None:
    for route in routes.WEBSOCKET_ROUTES:
        assert routes.FUNCTIONS[route.function_id].timeout_seconds <= routes.INTEGRATION_TIMEOUT_SECONDS
    for http_route in routes.HTTP_ROUTES:
        assert routes.FUNCTIONS[http_route.function_id].timeout_seconds <= routes.INTEGRATION_TIMEOUT_SECONDS


def test_least_privilege_by_function() -> None:
    functions = routes.FUNCTIONS
    assert functions[routes.START_CHAT].table_access == "none"
    assert functions[routes.START_CHAT].connect_actions == ("connect:StartChatContact",)
    assert not functions[routes.START_CHAT].manage_connections
    for relay in (routes.RELAY_CONNECT, routes.RELAY_DISCONNECT, routes.RELAY_MESSAGE, routes.RELAY_STREAM):
        assert functions[relay].table_access == "read_write"
    assert functions[routes.RELAY_MESSAGE].manage_connections
    assert functions[routes.RELAY_STREAM].manage_connections
    assert not functions[routes.RELAY_CONNECT].connect_actions


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
    ],
)
def test_select_route(action: object, expected: str) -> None:
    assert routes.select_route(action) == expected


def test_filter_policy_keeps_what_the_customer_sees() -> None:
    assert routes.STREAM_FILTER_POLICY == {"MessageVisibility": ["CUSTOMER", "ALL"]}


def test_limits_are_api_gateway_quotas() -> None:
    assert routes.MAX_FRAME_BYTES == 32 * 1024
    assert routes.MAX_MESSAGE_BYTES == 128 * 1024
    assert routes.IDLE_TIMEOUT_SECONDS == 600
    assert routes.MAX_CONNECTION_SECONDS == 7200
    assert routes.LOCAL_STAGE_NAME == "local"
