"""Fuzzing the relay as an attacker would: any client frame and any SNS notification gets a documented answer
(or is skipped), never an exception, and the connection keeps working.

The example count comes from the Hypothesis profile: small under ``make test``, large under ``make soak``
(``HYPOTHESIS_PROFILE=soak``).
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.frames import ACTIONS
from local.web import sns_event_record
from tests.support.relay import RelayHarness, lambda_context

#: Every code an error frame may carry (the relay protocol's documented list).
DOCUMENTED_CODES = {
    "BAD_REQUEST",
    "UNKNOWN_ACTION",
    "VALIDATION_ERROR",
    "PAYLOAD_TOO_LARGE",
    "RATE_LIMITED",
    "NO_CONNECTION",
    "NO_CHAT",
    "CHAT_ALREADY_STARTED",
    "INVALID_RESUME_TOKEN",
    "REQUEST_ID_REUSED",
    "BLOCKED",
    "THROTTLED",
    "CONFLICT",
    "START_FAILED",
    "UPSTREAM_ERROR",
    "INTERNAL_ERROR",
}
DOCUMENTED_TYPES = {
    "error",
    "ack",
    "transcript",
    "chatEnded",
    "chatStarted",
    "chatResumed",
    "item",
    "attachmentUpload",
    "attachmentUrl",
    "resumeToken",
}
#: What an answer must never show: Python's words.
PYTHON_WORDS = re.compile(r"Traceback|NoneType|<class|\bdict\b|\bint\b|\bstr\b|Exception\b|object at 0x")

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
_json = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
_field_names = st.sampled_from(
    [
        "action",
        "requestId",
        "content",
        "contentType",
        "displayName",
        "attributes",
        "resumeToken",
        "afterId",
        "messageId",
        "maxResults",
        "nextToken",
        "scanDirection",
        "sortOrder",
        "startPosition",
        "attachmentId",
        "fileName",
        "size",
    ]
) | st.text(max_size=10)
_frames = st.dictionaries(_field_names, _json, max_size=6).map(lambda d: d)
_actions = st.sampled_from([*ACTIONS, "keepalive", "", "SENDMESSAGE", "__proto__"])
_shaped = st.builds(lambda action, rest: {**rest, "action": action}, _actions, _frames)
_deep = st.integers(min_value=50, max_value=3000).map(
    lambda depth: '{"action":"sendMessage","x":' + "[" * depth + "]" * depth + "}"
)
_long_number = st.integers(min_value=4000, max_value=6000).map(
    lambda digits: '{"action":"getTranscript","maxResults":' + "7" * digits + "}"
)
_raw = st.text(max_size=200) | _deep | _long_number
_bodies = st.one_of(_shaped.map(json.dumps), _frames.map(json.dumps), _json.map(json.dumps), _raw)


@pytest.fixture
def chatting(relay: RelayHarness, agent_off: None) -> tuple[RelayHarness, str]:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Fuzz", "requestId": "s"})
    assert relay.new_frames(connection_id)[0]["type"] == "chatStarted"
    return relay, connection_id


def _expected_request_id(body: str) -> str | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    request_id = data.get("requestId") if isinstance(data, dict) else None
    return request_id if isinstance(request_id, str) and 1 <= len(request_id) <= 64 else None


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(body=_bodies)
def test_any_client_frame_gets_a_documented_answer_and_the_connection_survives(
    chatting: tuple[RelayHarness, str], body: str
) -> None:
    relay, connection_id = chatting
    relay.new_frames(connection_id)
    assert relay.send(connection_id, body) == {"statusCode": 200}
    answers = relay.new_frames(connection_id)
    data = None
    with contextlib.suppress(ValueError, RecursionError):
        data = json.loads(body)
    is_keepalive = isinstance(data, dict) and data.get("action") == "keepalive"
    assert answers or is_keepalive, "every frame but the keepalive is answered"
    request_id = _expected_request_id(body)
    for answer in answers:
        assert answer.get("type") in DOCUMENTED_TYPES, answer
        if answer["type"] == "error":
            assert answer["code"] in DOCUMENTED_CODES, answer
            assert answer["code"] != "INTERNAL_ERROR", answer
            assert answer["message"], answer
            assert not PYTHON_WORDS.search(answer["message"]), answer
            if request_id is not None and answer["code"] != "BAD_REQUEST":
                assert answer.get("requestId") == request_id, answer


def test_after_fuzzing_the_connection_still_chats(chatting: tuple[RelayHarness, str]) -> None:
    relay, connection_id = chatting
    for body in ("[" * 3000, '{"action":"sendMessage","content":' + "1" * 5000 + "}", "\udc80", "{}"):
        relay.send(connection_id, body)
    relay.send(connection_id, {"action": "sendMessage", "content": "still here", "requestId": "ok"})
    assert relay.new_frames(connection_id)[-1]["type"] == "ack"


_attribute_values = st.text(max_size=30) | st.sampled_from(["ALL", "CUSTOMER", "AGENT", "MESSAGE", "EVENT"])
_attributes = st.dictionaries(
    st.sampled_from(["MessageVisibility", "ContactId", "ParticipantRole", "Type", "ContentType"]) | st.text(max_size=8),
    st.builds(lambda value: {"Type": "String", "Value": value}, _attribute_values) | _json,
    max_size=6,
)
_item_like = st.fixed_dictionaries(
    {},
    optional={
        "Id": st.text(max_size=20),
        "Type": st.sampled_from(["MESSAGE", "EVENT", "ATTACHMENT", "MESSAGEMETADATA", "?"]) | _json,
        "ContentType": st.text(max_size=40) | _json,
        "Content": _json,
        "ContactId": st.text(max_size=20) | _json,
        "ParticipantRole": st.sampled_from(["AGENT", "CUSTOMER", "SYSTEM"]) | _json,
        "AbsoluteTime": st.text(max_size=30) | _json,
    },
)
_messages = st.one_of(_item_like.map(json.dumps), _json.map(json.dumps), st.text(max_size=100))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(message=_messages, attributes=_attributes)
def test_any_sns_notification_is_relayed_or_skipped_never_raised(
    relay: RelayHarness, message: str, attributes: dict[str, Any]
) -> None:
    from relay import stream

    record = sns_event_record({"Type": "Notification", "MessageId": "m", "Message": message})
    record["Sns"]["MessageAttributes"] = attributes
    answer = stream.handler({"Records": [record]}, lambda_context())
    assert set(answer) == {"processed"}
    assert answer["processed"] in (0, 1)
