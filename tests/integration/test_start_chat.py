"""The start-chat endpoint (direct flow) against the Connect emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.support.relay import lambda_context, load_event
from tests.support.servers import RunningEmulator


@pytest.fixture
def start_chat(emulator: RunningEmulator, start_chat_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from start_chat import app

    monkeypatch.setenv("AWS_ENDPOINT_URL_CONNECT", emulator.url)
    monkeypatch.setenv("CONNECT_INSTANCE_ID", "instance-1")
    monkeypatch.setenv("CONTACT_FLOW_ID", "flow-1")
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://www.example.com")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    app._settings.cache_clear()
    app._connect.cache_clear()
    yield app
    app._settings.cache_clear()
    app._connect.cache_clear()


def _call(app: Any, body: Any, *, origin: str = "https://www.example.com", method: str = "POST") -> dict[str, Any]:
    event = load_event("apiGatewayHttpStartChat.json")
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    event["headers"]["origin"] = origin
    event["requestContext"]["http"]["method"] = method
    result: dict[str, Any] = app.handler(event, lambda_context())
    return result


def test_starts_a_chat_with_the_widget_contract(start_chat: Any, emulator: RunningEmulator) -> None:
    answer = _call(start_chat, {"ParticipantDetails": {"DisplayName": "Ana"}, "Attributes": {"topic": "billing"}})
    assert answer["statusCode"] == 200
    assert answer["headers"]["Access-Control-Allow-Origin"] == "https://www.example.com"
    result = json.loads(answer["body"])["data"]["startChatResult"]
    assert set(result) == {"ContactId", "ParticipantId", "ParticipantToken"}
    contact = emulator.control("GET", f"/contacts/{result['ContactId']}")
    assert contact["InstanceId"] == "instance-1"
    assert contact["Attributes"] == {"topic": "billing"}
    # The token works against the Participant Service, as a browser would use it.
    participant = boto3.client("connectparticipant", endpoint_url=emulator.url)
    connection = participant.create_participant_connection(
        ParticipantToken=result["ParticipantToken"], Type=["CONNECTION_CREDENTIALS"]
    )
    assert connection["ConnectionCredentials"]["ConnectionToken"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "ParticipantDetails: is required"),
        ({"ParticipantDetails": {"DisplayName": ""}}, "ParticipantDetails.DisplayName: must not be empty"),
        ({"ParticipantDetails": {"DisplayName": "A"}, "ChatDurationInMinutes": 5}, "ChatDurationInMinutes"),
        ({"ParticipantDetails": {"DisplayName": "A"}, "Attributes": {"bad key!": "x"}}, "bad key!"),
        (
            {"ParticipantDetails": {"DisplayName": "A"}, "SupportedMessagingContentTypes": ["text/markdown"]},
            "must include text/plain",
        ),
        ({"ParticipantDetails": {"DisplayName": "A"}, "InstanceId": "other"}, "InstanceId: is not a known field"),
        ({"ParticipantDetails": {"DisplayName": "A"}, "ContactFlowId": "other-flow"}, "overriding the contact flow"),
        (
            {"ParticipantDetails": {"DisplayName": "A"}, "Attributes": {"customerId": "42"}},
            "Attributes.customerId: is not an attribute customers may set (allowed: customerName, email, topic, page",
        ),
        ({"ParticipantDetails": {"DisplayName": "A"}, "Attributes": {"locale": "x" * 36}}, "at most 35 characters"),
        ("{broken", "body: is not valid JSON"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(start_chat: Any, body: Any, fragment: str) -> None:
    answer = _call(start_chat, body)
    assert answer["statusCode"] == 400
    error = json.loads(answer["body"])["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert fragment in error["message"]


def test_contact_flow_override_when_allowed(start_chat: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOW_CONTACT_FLOW_OVERRIDE", "true")
    start_chat._settings.cache_clear()
    answer = _call(start_chat, {"ParticipantDetails": {"DisplayName": "A"}, "ContactFlowId": "other-flow"})
    assert answer["statusCode"] == 200


def test_origin_outside_the_allowlist_is_refused(start_chat: Any) -> None:
    answer = _call(start_chat, {"ParticipantDetails": {"DisplayName": "A"}}, origin="https://evil.example.net")
    assert answer["statusCode"] == 403
    assert "Access-Control-Allow-Origin" not in answer["headers"]


def test_preflight(start_chat: Any) -> None:
    answer = _call(start_chat, "", method="OPTIONS")
    assert answer["statusCode"] == 204
    assert answer["headers"]["Access-Control-Allow-Methods"] == "POST, OPTIONS"


@pytest.mark.parametrize(("error", "status"), [("LimitExceededException", 429), ("InternalServiceException", 502)])
def test_connect_errors_map_to_safe_statuses(
    start_chat: Any, emulator: RunningEmulator, error: str, status: int
) -> None:
    emulator.control(
        "POST",
        "/faults",
        {"operation": "StartChatContact", "error": error, "count": 5, "message": "internal detail that must not leak"},
    )
    answer = _call(start_chat, {"ParticipantDetails": {"DisplayName": "A"}})
    assert answer["statusCode"] == status
    assert "internal detail" not in answer["body"]


def test_participant_token_is_not_logged(
    start_chat: Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    answer = _call(start_chat, {"ParticipantDetails": {"DisplayName": "A"}})
    token = json.loads(answer["body"])["data"]["startChatResult"]["ParticipantToken"]
    output = capsys.readouterr()
    assert token not in output.out + output.err + caplog.text
