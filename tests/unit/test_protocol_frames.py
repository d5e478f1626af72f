from __future__ import annotations

import json

import pytest

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
