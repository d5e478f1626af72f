from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_chat.protocol._json import loads
from connect_chat.protocol.frames import (
    ChatFrame,
    FailureFrame,
    FrameDecodeError,
    HeartbeatFrame,
    PingFrame,
    SubscribeFrame,
    UnknownFrame,
    decode_frame,
    encode_heartbeat,
    encode_ping,
    encode_subscribe,
    encode_unsubscribe,
)


def test_encoders_produce_the_wire_frames() -> None:
    assert json.loads(encode_subscribe()) == {"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}}
    assert json.loads(encode_unsubscribe()) == {
        "topic": "aws/unsubscribe",
        "content": {"topics": ["aws/chat"]},
    }
    assert json.loads(encode_heartbeat()) == {"topic": "aws/heartbeat"}
    assert json.loads(encode_ping()) == {"topic": "aws/ping"}


def test_subscribe_answers() -> None:
    ok = decode_frame('{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}')
    assert ok == SubscribeFrame(success=True, topics=("aws/chat",))
    bad = decode_frame('{"topic":"aws/subscribe","content":{"status":"failure","topics":["aws/chat"]}}')
    assert isinstance(bad, SubscribeFrame)
    assert not bad.success


def test_heartbeat_and_ping() -> None:
    assert decode_frame('{"topic":"aws/heartbeat"}') == HeartbeatFrame()
    ping = decode_frame('{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}')
    assert isinstance(ping, PingFrame)
    assert ping.ok
    failed = decode_frame('{"topic":"aws/ping","statusCode":500}')
    assert isinstance(failed, PingFrame)
    assert not failed.ok


def test_chat_frame_with_string_content() -> None:
    item = {"Id": "1", "Type": "MESSAGE", "Content": "hi", "ContactId": "c"}
    frame = decode_frame(
        json.dumps({"topic": "aws/chat", "contentType": "application/json", "content": json.dumps(item)})
    )
    assert isinstance(frame, ChatFrame)
    assert frame.item.content == "hi"
    assert frame.item.contact_id == "c"


def test_chat_frame_with_object_content() -> None:
    frame = decode_frame(json.dumps({"topic": "aws/chat", "content": {"Id": "1", "Type": "EVENT"}}))
    assert isinstance(frame, ChatFrame)
    assert frame.item.type == "EVENT"


def test_failure_and_unknown_frames() -> None:
    failure = decode_frame('{"message":"Forbidden","connectionId":"x"}')
    assert isinstance(failure, FailureFrame)
    assert failure.message == "Forbidden"
    unknown = decode_frame('{"topic":"aws/other","content":{}}')
    assert isinstance(unknown, UnknownFrame)
    assert unknown.topic == "aws/other"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "not valid JSON"),
        ("[]", "JSON object"),
        ("{}", "neither topic nor message"),
        ('{"topic":"aws/chat"}', "no content"),
        ('{"topic":"aws/chat","content":"{\\"Type\\":\\"MESSAGE\\"}"}', "not an item"),
    ],
)
def test_bad_frames(text: str, problem: str) -> None:
    with pytest.raises(FrameDecodeError, match=problem):
        decode_frame(text)


def test_chat_frame_keeps_the_item_as_received() -> None:
    item = {"Id": "1", "Type": "MESSAGE", "Content": "hi", "ContactId": "c", "Unknown": [1, 2]}
    frame = decode_frame(json.dumps({"topic": "aws/chat", "content": json.dumps(item)}))
    assert isinstance(frame, ChatFrame)
    assert frame.raw == item
    assert frame.item.extra == {"Unknown": [1, 2]}
    as_object = decode_frame(json.dumps({"topic": "aws/chat", "content": item}))
    assert isinstance(as_object, ChatFrame)
    assert as_object == frame  # raw is not part of the comparison
    assert as_object.raw == item


def _parse(parse: Any, text: Any) -> tuple[str, Any]:
    try:
        return ("value", parse(text))
    except (TypeError, ValueError) as exc:
        return (type(exc).__name__, str(exc))


json_texts = st.one_of(
    st.text(max_size=20),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
        max_leaves=6,
    ).map(json.dumps),
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["", " ", "\n", "\t "]), json_texts, st.sampled_from(["", " ", "\n", "x", "{}"]))
def test_frame_json_parsing_is_json_loads(before: str, text: str, after: str) -> None:
    """The hot-path parser gives json.loads's results and errors, whitespace and garbage around included."""
    for candidate in (text, before + text + after, (before + text).encode()):
        assert _parse(loads, candidate) == _parse(json.loads, candidate)
