from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from connect_chat import (
    AgentChatSession,
    ChatEndedError,
    ChatSession,
    CustomerChatSession,
    EventName,
    InvalidArgumentError,
    MessageStatus,
    NotConnectedError,
    ServiceValidationError,
    SessionType,
    Timing,
    reset_global_config,
    set_global_config,
)
from connect_chat.metrics import MetricsRecorder
from connect_chat.protocol import content_types as ct
from connect_chat.transcript import ChangeKind, TranscriptChange
from tests.unit.library_fakes import FakeParticipantService, FakeServer, client_error, wait_until

FAST = Timing(heartbeat_interval=0.05, subscribe_retry=0.01, reopen_base=0.01, fetch_retry_base=0.01)
DETAILS = {"ContactId": "c-1", "ParticipantId": "p-me", "ParticipantToken": "participant-token-secret-123"}


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    reset_global_config()
    yield
    reset_global_config()


class Env:
    def __init__(self) -> None:
        self.service = FakeParticipantService()
        self.server = FakeServer()
        self.events: list[tuple[str, dict[str, Any]]] = []

    def session(self, session_type: str = "CUSTOMER", details: dict[str, Any] | None = None) -> Any:
        s = ChatSession.create(
            details or DETAILS,
            type=session_type,
            client=self.service,  # type: ignore[arg-type]
            websocket_timing=FAST,
            websocket_connector=self.server.connect,
            metrics=MetricsRecorder(enabled=False),
        )
        for name in (
            "message",
            "typing",
            "read_receipt",
            "delivered_receipt",
            "connection_established",
            "connection_lost",
            "connection_broken",
            "ended",
            "participant_idle",
            "deep_heartbeat_success",
            "transcript_updated",
        ):
            getattr(s, f"on_{name}")(lambda event, n=name: self.events.append((n, event)))
        return s

    def named(self, name: str) -> list[dict[str, Any]]:
        return [e for n, e in self.events if n == name]


@pytest.fixture
def env() -> Env:
    return Env()


def agent_msg(env: Env, text: str = "hello", **extra: Any) -> dict[str, Any]:
    return env.service.add_item(Content=text, ParticipantId="p-agent", ParticipantRole="AGENT", **extra)


def test_create_validates_at_once() -> None:
    with pytest.raises(InvalidArgumentError, match="type"):
        ChatSession.create(DETAILS, type="BOT")
    with pytest.raises(InvalidArgumentError, match=r"chat_details\.participant_id"):
        ChatSession.create({"ContactId": "c", "ParticipantToken": "t"})
    with pytest.raises(InvalidArgumentError, match=r"options\.zone"):
        ChatSession.create(DETAILS, options={"zone": "x"})


def test_create_picks_the_class_and_defaults_to_customer() -> None:
    assert isinstance(ChatSession.create(DETAILS), CustomerChatSession)
    agent = ChatSession.create(DETAILS, type=SessionType.AGENT)
    assert isinstance(agent, AgentChatSession)
    assert not hasattr(agent, "disconnect_participant")
    assert agent.get_connection_status() == "NeverEstablished"


async def test_connect_establishes_once_and_routes_items(env: Env) -> None:
    s = env.session()
    result = await s.connect(metadata={"m": 1})
    assert result == {"data": {"connection_status": "Established"}, "metadata": {"m": 1}}
    assert await s.connect() == {"data": {"connection_status": "Established"}, "metadata": None}
    assert len(env.named("connection_established")) == 1
    assert env.named("connection_established")[0]["data"] == {"reconnected": False}
    assert env.named("connection_established")[0]["chat_details"]["contact_id"] == "c-1"
    create = env.service.calls[0]
    assert create[0] == "CreateParticipantConnection"
    assert create[1]["Type"] == ["WEBSOCKET", "CONNECTION_CREDENTIALS"]
    assert create[1]["ConnectParticipant"] is True

    sock = env.server.sockets[0]
    item = agent_msg(env, "hi there")
    sock.push_item(item)
    sock.push_item(item)  # duplicate delivery
    sock.push_item({"Id": "t1", "Type": "EVENT", "ContentType": ct.TYPING, "ParticipantId": "p-agent"})
    sock.push_item(
        {
            "Id": "idle",
            "Type": "EVENT",
            "ContentType": ct.PARTICIPANT_IDLE,
            "ParticipantId": "p-agent",
            "AbsoluteTime": "2024-01-01T00:10:00.000Z",
        }
    )
    await wait_until(lambda: len(env.named("participant_idle")) == 1)
    messages = env.named("message")
    assert [m["data"]["Id"] for m in messages] == [item["Id"], "idle"]
    assert len(env.named("typing")) == 1
    assert [e.id for e in s.transcript] == [item["Id"], "idle"]
    await s.close()


async def test_send_message_goes_sending_then_sent(env: Env) -> None:
    s = env.session()
    await s.connect()
    response = await s.send_message("hello", metadata={"k": "v"})
    assert response["metadata"] == {"k": "v"}
    mid = response["data"]["Id"]
    statuses = [c.entry.status for u in env.named("transcript_updated") for c in u["data"]["changes"]]
    assert statuses[:2] == ["SENDING", "SENT"]
    entry = s.transcript.get(mid)
    assert entry is not None
    assert entry.status is MessageStatus.SENT
    # the websocket echo does not duplicate the entry
    env.server.sockets[0].push_item(env.service.transcript[-1])
    await wait_until(lambda: len(env.named("message")) == 1)
    assert len(s.transcript) == 1
    await s.close()


async def test_failed_send_is_marked_and_raised(env: Env) -> None:
    s = env.session()
    await s.connect()
    env.service.fail("SendMessage", client_error("ValidationException", 400, "SendMessage"))
    with pytest.raises(ServiceValidationError) as info:
        await s.send_message("hello")
    assert info.value.status_code == 400
    assert info.value.request_id == "req-ValidationException"
    [entry] = s.transcript.entries()
    assert entry.status is MessageStatus.FAILED
    await s.close()


async def test_expired_connection_token_is_refreshed_and_the_call_retried(env: Env) -> None:
    s = env.session()
    await s.connect()
    env.service.fail("SendMessage", client_error("AccessDeniedException", 403, "SendMessage"))
    response = await s.send_message("hello")
    assert response["data"]["Id"]
    assert env.service.names()[-3:] == ["SendMessage", "CreateParticipantConnection", "SendMessage"]
    refresh = env.service.calls[-2][1]
    assert refresh["Type"] == ["CONNECTION_CREDENTIALS"]
    assert "ConnectParticipant" not in refresh
    await s.close()


async def test_403_on_token_refresh_ends_the_chat(env: Env) -> None:
    s = env.session()
    await s.connect()
    env.service.fail("SendMessage", client_error("AccessDeniedException", 403, "SendMessage"))
    env.service.fail(
        "CreateParticipantConnection", client_error("AccessDeniedException", 403, "CreateParticipantConnection")
    )
    with pytest.raises(ChatEndedError):
        await s.send_message("hello")
    assert env.named("ended")[0]["data"]["reason"]["code"] == "AccessDenied"
    assert s.ended
    await s.close()


async def test_validation_happens_before_any_call(env: Env) -> None:
    s = env.session()
    await s.connect()
    before = len(env.service.calls)
    with pytest.raises(InvalidArgumentError, match="16385 bytes"):
        await s.send_message("x" * 16385)
    with pytest.raises(InvalidArgumentError, match="content_type"):
        await s.send_event("application/vnd.amazonaws.connect.event.chat.ended")
    assert len(env.service.calls) == before
    await s.close()


async def test_typing_is_throttled(env: Env) -> None:
    s = env.session()
    await s.connect()
    first = await s.send_event(ct.TYPING)
    second = await s.send_event(ct.TYPING)
    assert "skipped" not in first
    assert second["skipped"] is True
    assert env.service.names().count("SendEvent") == 1
    await s.close()


async def test_receipts_are_throttled_and_read_supersedes_delivered(env: Env) -> None:
    set_global_config(features={"message_receipts": {"throttle_time": 200}})
    s = env.session()
    await s.connect()
    item = agent_msg(env)
    env.server.sockets[0].push_item(item)  # triggers an automatic delivered receipt (held 300 ms)
    await wait_until(lambda: len(env.named("message")) == 1)
    queued = await s.send_message_receipt("read", item["Id"])
    assert queued["data"] == {"queued": True}
    await wait_until(lambda: env.service.names().count("SendEvent") == 1)
    [(_, sent)] = [c for c in env.service.calls if c[0] == "SendEvent"]
    assert sent["ContentType"] == ct.MESSAGE_READ
    assert json.loads(sent["Content"]) == {"messageId": item["Id"]}
    again = await s.send_message_receipt("read", item["Id"])
    assert again["data"] == {"queued": False}
    await s.close()
    assert env.service.names().count("SendEvent") == 1


async def test_a_delivered_receipt_is_not_held_back_by_a_throttled_read(env: Env) -> None:
    """A timer already set for a later read must not delay a delivered receipt that is due sooner."""
    set_global_config(features={"message_receipts": {"throttle_time": 1500}})
    s = env.session()
    await s.connect()
    await s.send_message_receipt("read", "m-read-1")  # sent at once; the read window is now closed for 1.5 s
    await wait_until(lambda: env.service.names().count("SendEvent") == 1)
    await s.send_message_receipt("read", "m-read-2")  # held until the window opens again
    item = agent_msg(env)
    env.server.sockets[0].push_item(item)  # a delivered receipt, due in 300 ms
    await wait_until(lambda: env.service.names().count("SendEvent") == 3, within=5)
    sent = [
        (c[1]["ContentType"], json.loads(c[1]["Content"])["messageId"])
        for c in env.service.calls
        if c[0] == "SendEvent"
    ]
    assert sent == [
        (ct.MESSAGE_READ, "m-read-1"),
        (ct.MESSAGE_DELIVERED, item["Id"]),
        (ct.MESSAGE_READ, "m-read-2"),
    ]
    await s.close()


async def test_no_receipts_for_own_messages(env: Env) -> None:
    s = env.session()
    await s.connect()
    response = await s.send_message("mine")
    queued = await s.send_message_receipt("read", response["data"]["Id"])
    assert queued["data"] == {"queued": False}
    await s.close()


async def test_reconnect_catches_up_exactly_once(env: Env) -> None:
    s = env.session()
    await s.connect()
    first = agent_msg(env, "before")
    env.server.sockets[0].push_item(first)
    await wait_until(lambda: len(env.named("message")) == 1)
    env.server.sockets[0].drop()
    missed = agent_msg(env, "while down")  # sent while the socket was down: never pushed
    await wait_until(lambda: len(env.named("connection_established")) == 2)
    assert env.named("connection_established")[1]["data"] == {"reconnected": True}
    assert len(env.named("connection_lost")) == 1
    assert env.named("connection_lost")[0]["data"]["reason"]["code"] == "SocketClosed"
    await wait_until(lambda: len(env.named("message")) == 2)
    assert [m["data"]["Id"] for m in env.named("message")] == [first["Id"], missed["Id"]]
    env.server.open_sockets[0].push_item(missed)  # late duplicate
    await wait_until(lambda: "GetTranscript" in env.service.names())
    assert len(env.named("message")) == 2
    get = next(c for c in env.service.calls if c[0] == "GetTranscript")[1]
    assert get["StartPosition"] == {"Id": first["Id"]}
    assert get["ScanDirection"] == "FORWARD"
    await s.close()


async def test_chat_ended_fires_message_then_ended_and_locks_the_session(env: Env) -> None:
    s = env.session()
    await s.connect()
    order: list[str] = []
    s.on_message(lambda e: order.append("message:" + e["data"]["ContentType"]))
    s.on_ended(lambda e: order.append("ended"))
    env.server.sockets[0].push_item(
        {
            "Id": "end",
            "Type": "EVENT",
            "ContentType": ct.CHAT_ENDED,
            "ParticipantRole": "SYSTEM",
            "AbsoluteTime": "2024-01-01T01:00:00.000Z",
        }
    )
    await wait_until(lambda: "ended" in order)
    assert order == ["message:" + ct.CHAT_ENDED, "ended"]
    assert env.named("ended")[0]["data"]["reason"]["code"] == "ChatEnded"
    assert s.ended
    with pytest.raises(ChatEndedError):
        await s.send_message("too late")
    with pytest.raises(ChatEndedError):
        await s.connect()
    env.server.sockets[0].push_item(agent_msg(env))
    assert len(env.named("message")) == 1  # handlers dropped
    await s.close()


async def test_403_while_recovering_synthesises_chat_ended(env: Env) -> None:
    s = ChatSession.create(
        DETAILS,
        client=env.service,  # type: ignore[arg-type]
        websocket_timing=Timing(heartbeat_interval=0.05, subscribe_retry=0.01, reopen_base=0.01, url_fresh_for=0),
        websocket_connector=env.server.connect,
        metrics=MetricsRecorder(enabled=False),
    )
    got: list[str] = []
    s.on_message(lambda e: got.append(e["data"]["ContentType"]))
    s.on_ended(lambda e: got.append("ended:" + e["data"]["reason"]["code"]))
    await s.connect()
    env.service.fail(
        "CreateParticipantConnection", client_error("AccessDeniedException", 403, "CreateParticipantConnection")
    )
    env.server.open_failures.append(OSError("refused"))
    env.server.sockets[0].drop()
    await wait_until(lambda: any(g.startswith("ended") for g in got))
    assert got == [ct.CHAT_ENDED, "ended:AccessDenied"]
    await s.close()


async def test_broken_session_can_connect_again(env: Env) -> None:
    s = env.session()
    env.service.fail(
        "CreateParticipantConnection", client_error("ValidationException", 400, "CreateParticipantConnection")
    )
    with pytest.raises(Exception, match="boom"):
        await s.connect()
    assert s.get_connection_status() == "Broken"
    assert len(env.named("connection_broken")) == 1
    await s.connect()
    assert s.get_connection_status() == "Established"
    await s.close()


async def test_customer_disconnect_ends_the_session(env: Env) -> None:
    s = env.session()
    await s.connect()
    await s.disconnect_participant()
    assert "DisconnectParticipant" in env.service.names()
    assert len(env.named("ended")) == 1
    assert env.named("ended")[0]["data"]["reason"]["code"] == "ParticipantDisconnected"
    with pytest.raises(ChatEndedError):
        await s.get_transcript()


async def test_agent_clean_up_drops_handlers(env: Env) -> None:
    s = env.session("AGENT")
    await s.connect()
    await s.clean_up_on_participant_disconnect()
    assert s._events.count(EventName.MESSAGE) == 0
    assert env.server.sockets[0].closed


async def test_get_transcript_fills_the_local_transcript_without_events(env: Env) -> None:
    s = env.session()
    a = agent_msg(env, "one")
    b = agent_msg(env, "two")
    response = await s.get_transcript(max_results=10)  # creates a connection token on demand
    assert [i["Id"] for i in response["data"]["Transcript"]] == [a["Id"], b["Id"]]
    assert [e.id for e in s.transcript] == [a["Id"], b["Id"]]
    assert env.named("message") == []
    create = env.service.calls[0][1]
    assert create["Type"] == ["CONNECTION_CREDENTIALS"]


async def test_reset_allows_connecting_again(env: Env) -> None:
    s = env.session()
    await s.connect()
    env.server.sockets[0].push_item(agent_msg(env))
    await wait_until(lambda: len(s.transcript) == 1)
    await s.reset()
    assert s.get_connection_status() == "NeverEstablished"
    assert len(s.transcript) == 0
    await s.connect()
    assert s.get_connection_status() == "Established"
    assert env.named("connection_established")[-1]["data"] == {"reconnected": False}
    await s.close()


async def test_chat_details_and_no_tokens_in_payloads(env: Env) -> None:
    s = env.session()
    details = s.get_chat_details()
    assert details["participant_token"] == DETAILS["ParticipantToken"]
    assert details["initial_contact_id"] == "c-1"
    assert details["session_type"] == "CUSTOMER"
    await s.connect()
    await s.send_message("hello")
    env.server.sockets[0].push_item(agent_msg(env))
    await wait_until(lambda: env.named("message"))
    assert s.get_chat_details()["connection_details"]["connection_token"].startswith("ct-secret-")
    assert {name for name, _ in env.events} >= {"connection_established", "message", "transcript_updated"}
    for _, event in env.events:
        assert event["chat_details"] == {"contact_id": "c-1", "participant_id": "p-me", "initial_contact_id": "c-1"}
        for secret in ("participant-token-secret-123", "ct-secret-", "ws-secret-"):
            assert secret not in repr(event)
    await s.close()


async def test_agent_with_get_connection_token(env: Env) -> None:
    calls: list[int] = []

    async def fetch_token() -> dict[str, str]:
        calls.append(1)
        return {"participantToken": "agent-participant-token-xyz"}

    s = env.session("AGENT", {"contactId": "c-1", "participantId": "p-agent", "getConnectionToken": fetch_token})
    await s.connect()
    assert calls == [1]
    assert env.service.calls[0][1]["ParticipantToken"] == "agent-participant-token-xyz"
    await s.close()


async def test_stateless_needs_a_token_then_works(env: Env) -> None:
    stateless = ChatSession.create_stateless(
        {"contactId": "c-1", "participantId": "p-me", "participantToken": "ptok-123456789"},
        client=env.service,  # type: ignore[arg-type]
        metrics=MetricsRecorder(enabled=False),
    )
    with pytest.raises(NotConnectedError):
        stateless.send_message("x")
    stateless.create_connection()
    assert stateless.connection_token is not None
    assert stateless.send_message("x")["data"]["Id"]
    assert stateless.send_message_receipt("read", "m-1")["data"]["Id"]
    assert env.service.calls[-1][1]["ContentType"] == ct.MESSAGE_READ


async def test_tokens_never_logged_through_a_whole_session(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    set_global_config(logger_config={"level": "DEBUG"})
    with caplog.at_level(logging.DEBUG):
        s = env.session()
        await s.connect()
        await s.send_message("hello")
        env.server.sockets[0].drop()
        await wait_until(lambda: len(env.named("connection_established")) == 2)
        await s.close()
    text = caplog.text
    assert "socket lost" in text
    for secret in ("participant-token-secret-123", "ct-secret-", "ws-secret-"):
        assert secret not in text


async def test_deep_heartbeat_events(env: Env) -> None:
    s = env.session()
    await s.connect()
    await wait_until(lambda: env.named("deep_heartbeat_success"))
    failures: list[dict[str, Any]] = []
    s.on_deep_heartbeat_failure(failures.append)
    env.server.ping_status = 500
    await wait_until(lambda: failures)
    await s.close()


async def test_bot_partial_messages_stream_into_one_entry(env: Env) -> None:
    s = env.session()
    await s.connect()
    sock = env.server.sockets[0]
    base = {"Id": "bot-1", "Type": "MESSAGE", "ContentType": "text/plain", "ParticipantRole": "CUSTOM_BOT"}
    for n, text in enumerate(["Hel", "lo"], start=1):
        meta = {"MessageId": "bot-1", "MessageCompleted": False, "ChunkNumber": n}
        sock.push_item({**base, "Content": text, "AbsoluteTime": "2024-01-01T00:00:01.000Z", "MessageMetadata": meta})
    await wait_until(lambda: len(env.named("message")) == 2)
    entry = s.transcript.get("bot-1")
    assert entry is not None
    assert entry.item.content == "Hello"
    done = {**base, "Content": "Hello!", "AbsoluteTime": "2024-01-01T00:00:01.000Z"}
    sock.push_item({**done, "MessageMetadata": {"MessageId": "bot-1", "MessageCompleted": True}})
    await wait_until(lambda: len(env.named("message")) == 3)
    assert [e.item.content for e in s.transcript] == ["Hello!"]
    await s.close()


async def test_websocket_metrics(env: Env) -> None:
    lines: list[str] = []
    s = ChatSession.create(
        DETAILS,
        client=env.service,  # type: ignore[arg-type]
        websocket_timing=FAST,
        websocket_connector=env.server.connect,
        metrics=MetricsRecorder(sink=lines.append, enabled=True),
    )
    await s.connect()
    env.server.sockets[0].push_item(agent_msg(env))
    env.server.sockets[0].drop()
    await wait_until(lambda: sum('"WebSocketGained"' in line for line in lines) == 2)
    names = {key for line in lines for key in json.loads(line) if key.startswith("WebSocket") or key == "Latency"}
    assert {"WebSocketGained", "WebSocketLost", "WebSocketMessages", "Latency"} <= names
    await s.close()


async def test_a_wrong_participant_id_is_reported(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    s = env.session(details={**DETAILS, "ParticipantId": "p-typo"})
    await s.connect()
    with caplog.at_level(logging.ERROR, logger="connect_chat"):
        sent = await s.send_message("hello")
        echo = {**env.service.transcript[-1], "ParticipantId": "p-me"}  # what the service says the sender is
        assert echo["Id"] == sent["data"]["Id"]
        env.server.sockets[0].push_item(echo)
        await wait_until(lambda: "does not match" in caplog.text)
    assert "p-typo" in caplog.text
    await s.close()


def _replay(mirror: list[dict[str, Any]], change: TranscriptChange) -> None:
    entry = change.to_dict()["entry"]
    if change.kind is ChangeKind.ADDED:
        mirror.insert(change.index, entry)
    elif change.kind is ChangeKind.UPDATED:
        assert change.previous_index is not None
        del mirror[change.previous_index]
        mirror.insert(change.index, entry)
    else:
        del mirror[change.index]


async def test_transcript_updated_says_what_changed_and_where(env: Env) -> None:
    s = env.session()
    await s.connect()
    sock = env.server.sockets[0]
    late = agent_msg(env, "sent first, delivered last")
    for item in [agent_msg(env, "one"), agent_msg(env, "two")]:
        sock.push_item(item)
    await s.send_message("mine")  # SENDING, then SENT (its echo may come later)
    sock.push_item(late)
    sock.push_item(env.service.transcript[-2])  # the echo of "mine"
    sock.push_item({**late, "Content": "edited"})  # a changed item updates in place
    await wait_until(lambda: len(s.transcript) == 4 and s.transcript.get(late["Id"]).item.content == "edited")
    updates = env.named("transcript_updated")
    assert all(set(u["data"]) == {"changes", "size"} for u in updates)  # no whole list per change
    mirror: list[dict[str, Any]] = []
    for update in updates:
        for change in update["data"]["changes"]:
            _replay(mirror, change)
        assert update["data"]["size"] == len(mirror)
    assert mirror == s.transcript.to_list()
    assert [e["Content"] for e in mirror] == ["edited", "one", "two", "mine"]  # by AbsoluteTime, not arrival
    assert updates[-1]["data"]["changes"] == [TranscriptChange(ChangeKind.UPDATED, s.transcript.entries()[0], 0, 0)]
    await s.close()


async def test_get_transcript_reports_its_items_in_one_update(env: Env) -> None:
    s = env.session()
    items = [agent_msg(env, str(n)) for n in range(5)]
    await s.get_transcript(max_results=10)
    [update] = env.named("transcript_updated")
    changes = update["data"]["changes"]
    assert [(c.kind.value, c.index, c.entry.id) for c in changes] == [
        ("added", n, item["Id"]) for n, item in enumerate(items)
    ]


async def test_handlers_get_the_item_as_it_was_received(env: Env) -> None:
    s = env.session()
    await s.connect()
    sent = agent_msg(env, "hi", Attachments=[], DisplayName=None, Custom={"x": 1})  # fields to_dict() would drop
    env.server.sockets[0].push_item(sent)
    await wait_until(lambda: env.named("message"))
    assert env.named("message")[0]["data"] == sent
    await s.close()


async def test_nobody_listening_means_no_payload_is_built(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    from connect_chat.protocol.items import Item
    from connect_chat.transcript import TranscriptEntry

    s = ChatSession.create(
        DETAILS,
        client=env.service,  # type: ignore[arg-type]
        websocket_timing=FAST,
        websocket_connector=env.server.connect,
    )
    built: list[str] = []

    def item_to_dict(self: Item) -> dict[str, Any]:
        built.append("item")
        return {}

    def entry_to_dict(self: TranscriptEntry) -> dict[str, Any]:
        built.append("entry")
        return {}

    monkeypatch.setattr(Item, "to_dict", item_to_dict)
    monkeypatch.setattr(TranscriptEntry, "to_dict", entry_to_dict)
    await s.connect()
    env.server.sockets[0].push_item(agent_msg(env))
    await wait_until(lambda: len(s.transcript) == 1)
    await s.send_message("hello")
    assert built == []
    await s.close()


async def test_each_argument_is_validated_once(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    import connect_chat.controller
    import connect_chat.operations
    import connect_chat.validation

    calls: list[str] = []
    for name in ("validate_message", "validate_event", "validate_receipt", "validate_transcript_args"):
        original = getattr(connect_chat.validation, name)

        def counted(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(connect_chat.controller, name, counted)
        monkeypatch.setattr(connect_chat.operations, name, counted)
    s = env.session()
    await s.connect()
    await s.send_message("hello")
    await s.send_event(ct.TYPING)
    await s.send_message_receipt("read", "m-1")
    await s.get_transcript(max_results=5)
    assert calls == ["validate_message", "validate_event", "validate_receipt", "validate_transcript_args"]
    calls.clear()
    stateless = ChatSession.create_stateless(
        {**DETAILS, "ConnectionToken": "stored-connection-token"},
        client=env.service,  # type: ignore[arg-type]
    )
    stateless.send_message("hello")
    stateless.send_event(ct.TYPING)
    stateless.get_transcript(max_results=5)
    assert calls == ["validate_message", "validate_event", "validate_transcript_args"]  # ChatOperations validates
    await s.close()


def test_stateless_attachment_uploads_go_through_the_operations_and_refresh_a_refused_token(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    import connect_chat.operations
    import connect_chat.validation

    checked: list[tuple[Any, ...]] = []

    def counted(*args: Any) -> tuple[str, int, str]:
        checked.append(args)
        return connect_chat.validation.validate_attachment(*args)

    monkeypatch.setattr(connect_chat.operations, "validate_attachment", counted)
    refreshed: list[str] = []
    stateless = ChatSession.create_stateless(
        {**DETAILS, "ConnectionToken": "stored-connection-token"},
        client=env.service,  # type: ignore[arg-type]
        metrics=MetricsRecorder(enabled=False),
        on_connection_token_refreshed=lambda token, _expiry: refreshed.append(token),
    )
    with pytest.raises(InvalidArgumentError, match=r"^attachment.size: the attachment is empty"):
        stateless.start_attachment_upload("shot.png", 0, "image/png")
    assert env.service.calls == []

    env.service.fail("StartAttachmentUpload", client_error("AccessDeniedException", 403, "StartAttachmentUpload"))
    started = stateless.start_attachment_upload("shot.png", 10, "image/png", metadata={"m": 1})
    assert started["metadata"] == {"m": 1}
    assert started["data"]["UploadMetadata"]["Url"] == "https://fake/upload"
    assert set(checked) == {("shot.png", 0, "image/png"), ("shot.png", 10, "image/png")}  # by ChatOperations
    assert env.service.names() == ["StartAttachmentUpload", "CreateParticipantConnection", "StartAttachmentUpload"]
    assert [call["ConnectionToken"] for name, call in env.service.calls if name != "CreateParticipantConnection"] == [
        "stored-connection-token",
        refreshed[0],
    ]
    assert stateless.connection_token == refreshed[0]

    completed = stateless.complete_attachment_upload([started["data"]["AttachmentId"]], client_token="ct-1")
    assert completed["data"] == {}
    assert env.service.calls[-1][1] == {
        "ConnectionToken": refreshed[0],
        "AttachmentIds": [started["data"]["AttachmentId"]],
        "ClientToken": "ct-1",
    }


@pytest.mark.parametrize(
    ("attachment_ids", "message"),
    [
        ("att-1", r"^attachment_ids: must be a list of attachment ids"),
        ([], r"^attachment_ids: holds 0 ids; an upload is completed 1 id at a time"),
        (["a", "b"], r"^attachment_ids: holds 2 ids"),
        ([""], r"^attachment_ids\[0\]: must not be empty"),
        (["a" * 257], r"^attachment_ids\[0\]: is 257 characters long, the maximum is 256"),
        ([7], r"^attachment_ids\[0\]: must be a string"),
    ],
)
def test_completing_an_upload_checks_its_ids_before_any_call(env: Env, attachment_ids: Any, message: str) -> None:
    stateless = ChatSession.create_stateless(
        {**DETAILS, "ConnectionToken": "stored-connection-token"},
        client=env.service,  # type: ignore[arg-type]
        metrics=MetricsRecorder(enabled=False),
    )
    with pytest.raises(InvalidArgumentError, match=message):
        stateless.complete_attachment_upload(attachment_ids)
    assert env.service.calls == []


def test_completing_an_upload_with_ids_from_a_generator_survives_a_token_refresh(env: Env) -> None:
    stateless = ChatSession.create_stateless(
        {**DETAILS, "ConnectionToken": "stored-connection-token"},
        client=env.service,  # type: ignore[arg-type]
        metrics=MetricsRecorder(enabled=False),
    )
    env.service.fail("CompleteAttachmentUpload", client_error("AccessDeniedException", 403, "CompleteAttachmentUpload"))
    stateless.complete_attachment_upload(attachment_id for attachment_id in ["att-1"])
    assert [call["AttachmentIds"] for name, call in env.service.calls if name == "CompleteAttachmentUpload"] == [
        ["att-1"],
        ["att-1"],
    ]


async def test_bad_transcript_arguments_fail_before_any_call(env: Env) -> None:
    s = env.session()
    with pytest.raises(InvalidArgumentError, match="max_results"):
        await s.get_transcript(max_results=500)
    with pytest.raises(InvalidArgumentError, match="start_position"):
        await s.get_transcript(start_position={"id": "a", "most_recent": 3})
    assert env.service.calls == []  # not even CreateParticipantConnection


def test_the_session_module_loads_no_asyncio_engine() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    import connect_chat

    layer = str(Path(connect_chat.__file__).resolve().parent.parent)
    code = (
        "import sys, connect_chat.session\n"
        "heavy = ['asyncio', 'websockets', 'connect_chat.controller', 'connect_chat.connection.manager']\n"
        "print([name for name in heavy if name in sys.modules])"
    )
    env = {**os.environ, "PYTHONPATH": layer}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "[]"


async def test_a_failing_handler_does_not_stop_the_chat(env: Env) -> None:
    s = env.session()
    s.on_message(lambda event: 1 / 0)
    await s.connect()
    for text in ("one", "two"):
        env.server.sockets[0].push_item(agent_msg(env, text))
    await wait_until(lambda: len(env.named("message")) == 2)
    assert [e.item.content for e in s.transcript] == ["one", "two"]
    assert not env.server.sockets[0].closed
    await s.close()


def test_redeliveries_are_recognised_among_the_latest_items() -> None:
    from connect_chat.controller import SEEN_WINDOW, RecentItems
    from connect_chat.protocol.items import Item

    seen = RecentItems()
    first = Item(id="a", type="MESSAGE", content="hi")
    assert not seen.again(first)
    assert seen.again(Item(id="a", type="MESSAGE", content="hi"))  # the same item again
    assert not seen.again(Item(id="a", type="MESSAGE", content="edited"))  # changed: passes, and is remembered
    assert seen.again(Item(id="a", type="MESSAGE", content="edited"))
    chunk = Item.from_dict(
        {"Id": "b", "Type": "MESSAGE", "MessageMetadata": {"MessageCompleted": False, "ChunkNumber": 1}}
    )
    assert not seen.again(chunk)
    assert not seen.again(
        Item.from_dict(chunk.to_dict() | {"MessageMetadata": {"MessageCompleted": False, "ChunkNumber": 2}})
    )
    assert seen.again(chunk)
    for n in range(SEEN_WINDOW):
        assert not seen.again(Item(id=f"filler-{n}", type="EVENT"))
    assert seen.again(Item(id="a", type="MESSAGE", content="edited"))  # still within the window
    for n in range(SEEN_WINDOW):
        seen.again(Item(id=f"more-{n}", type="EVENT"))
    assert not seen.again(Item(id="a", type="MESSAGE", content="edited"))  # older than the window: forgotten
