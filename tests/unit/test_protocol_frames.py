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
        ('{"topic":"aws/chat","content":{"Id":"1","Type":"ATTACHMENT","Attachments":[0]}}', "must be objects"),
        ('{"topic":"aws/chat","content":"[1]"}', "must be a JSON object"),
        ('{"topic":"aws/chat","content":"{not json"}', "not valid JSON"),
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


def json_texts(integers: st.SearchStrategy[int]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=20),
        st.recursive(
            st.none() | st.booleans() | integers | st.floats() | st.text(max_size=5),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
            max_leaves=6,
        ).map(json.dumps),
    )


odd_json = st.sampled_from(
    ["NaN", "[Infinity, -Infinity]", "1e400", '"\\ud800"', '{"a": 1, "a": 2}', "-0", "[" * 50 + "]" * 50]
)
around = (st.sampled_from(["", " ", "\n", "\t ", "\ufeff"]), st.sampled_from(["", " ", "\n", "x", "{}"]))


def _same_as_json_loads(parse: Any, before: str, text: str, after: str) -> None:
    candidates = (text, before + text + after, (before + text).encode(), (before + text).encode("utf-16"))
    for candidate in candidates:
        expected = _parse(json.loads, candidate)
        got = _parse(parse, candidate)
        assert repr(got) == repr(expected)  # repr: NaN and -0.0 compare as written
        if isinstance(candidate, str) and expected[0] == "value":
            assert json.dumps(got[1]) == json.dumps(expected[1])  # same key order too


@settings(max_examples=300, deadline=None)
@given(around[0], st.one_of(json_texts(st.integers()), odd_json, st.just(str(2**70))), around[1])
def test_the_frame_parser_is_json_loads(before: str, text: str, after: str) -> None:
    """msgspec first, json.loads for what it refuses: json.loads's results and errors, whatever is around."""
    _same_as_json_loads(loads, before, text, after)


def test_integers_of_any_size_stay_exact() -> None:
    big = str(2**70)
    assert loads(big) == 2**70
    assert type(loads(big)) is int
