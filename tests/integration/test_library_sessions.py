"""connect_chat's asyncio sessions against the Connect emulator, over real sockets."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from connect_chat import (
    ChatEndedError,
    ChatSession,
    MessageStatus,
    SessionType,
    Timing,
    reset_global_config,
    set_global_config,
)
from connect_chat.protocol import content_types as ct
from tests.support.chat import Chat, start_chat
from tests.support.servers import RunningEmulator

FAST = Timing(
    heartbeat_interval=0.5,
    subscribe_retry=0.05,
    reopen_base=0.05,
    fetch_retry_base=0.05,
    fetch_retry_max=0.2,
)
EVENTS = (
    "message",
    "typing",
    "read_receipt",
    "delivered_receipt",
    "connection_established",
    "connection_lost",
    "connection_broken",
    "ended",
    "participant_idle",
    "chat_rehydrated",
    "transcript_updated",
)


@pytest.fixture
def lib(emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    """The library configured for the emulator, with the simulated agent off."""
    set_global_config(endpoint=emulator.url, metrics=False, region="us-west-2")
    emulator.control("POST", "/config", {"agentEnabled": False})
    yield emulator
    reset_global_config()


class Recorded:
    """A session plus everything its handlers saw."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.events: list[tuple[str, dict[str, Any]]] = []
        for name in EVENTS:
            getattr(session, f"on_{name}")(lambda event, n=name: self.events.append((n, event)))

    def named(self, name: str) -> list[dict[str, Any]]:
        return [e for n, e in self.events if n == name]

    def contents(self) -> list[str]:
        return [m["data"].get("Content", "") for m in self.named("message") if m["data"].get("Type") == "MESSAGE"]


def customer_of(chat: Chat, timing: Timing = FAST) -> Recorded:
    details = {
        "ContactId": chat.contact_id,
        "ParticipantId": chat.participant_id,
        "ParticipantToken": chat.participant_token,
    }
    return Recorded(ChatSession.create(details, type=SessionType.CUSTOMER, websocket_timing=timing))


def agent_of(emulator: RunningEmulator, chat: Chat, timing: Timing = FAST) -> Recorded:
    added = emulator.control(
        "POST", f"/contacts/{chat.contact_id}/participants", {"role": "AGENT", "displayName": "Agent"}
    )
    details = {
        "contactId": chat.contact_id,
        "participantId": added["ParticipantId"],
        "participantToken": added["ParticipantToken"],
    }
    return Recorded(ChatSession.create(details, type="AGENT", websocket_timing=timing))


async def until(probe: Callable[[], Any], within: float = 8.0, what: str = "") -> None:
    deadline = time.monotonic() + within
    while not probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or probe}")
        await asyncio.sleep(0.02)


async def test_customer_and_agent_converse(lib: RunningEmulator, connect_client: Any) -> None:
    chat = start_chat(connect_client, SupportedMessagingContentTypes=["text/plain", "text/markdown"])
    customer, agent = customer_of(chat), agent_of(lib, chat)
    await customer.session.connect()
    await agent.session.connect()
    assert customer.session.get_connection_status() == "Established"

    sent = await customer.session.send_message("hello agent")
    await until(lambda: "hello agent" in agent.contents(), what="agent gets the message")

    await agent.session.send_event(ct.TYPING)
    await until(lambda: customer.named("typing"), what="customer sees typing")
    assert customer.named("typing")[0]["data"]["ParticipantRole"] == "AGENT"

    reply = await agent.session.send_message("hi customer", content_type="text/markdown")
    await until(lambda: "hi customer" in customer.contents(), what="customer gets the reply")
    await customer.session.send_message_receipt("read", reply["data"]["Id"])
    await until(lambda: agent.named("read_receipt"), what="agent gets the read receipt")

    entries = customer.session.transcript.entries()
    messages = [e for e in entries if e.item.type == "MESSAGE"]
    assert [e.item.content for e in messages] == ["hello agent", "hi customer"]
    assert messages[0].status is MessageStatus.SENT
    assert messages[0].id == sent["data"]["Id"]
    assert messages[1].status is None
    assert len(customer.named("connection_established")) == 1

    await customer.session.disconnect_participant()
    # the chat.ended push may beat the DisconnectParticipant response: either way the session ends once
    [ended] = customer.named("ended")
    assert ended["data"]["reason"]["code"] in ("ParticipantDisconnected", "ChatEnded")
    await until(lambda: agent.named("ended"), what="agent sees the chat end")
    assert agent.named("ended")[0]["data"]["item"]["ContentType"] == ct.CHAT_ENDED
    with pytest.raises(ChatEndedError):
        await agent.session.send_message("too late")
    await agent.session.close()


async def test_simulated_agent_answers(emulator: RunningEmulator, connect_client: Any) -> None:
    set_global_config(endpoint=emulator.url, metrics=False)
    emulator.control("POST", "/config", {"agentEnabled": True})
    try:
        customer = customer_of(start_chat(connect_client))
        await customer.session.connect()
        await customer.session.send_message("where is my order 42?")
        await until(lambda: any("42" in c and c != "where is my order 42?" for c in customer.contents()))
        await until(lambda: customer.named("read_receipt"), what="the agent's read receipt")
        await customer.session.close()
    finally:
        reset_global_config()


async def test_attachments_both_ways(lib: RunningEmulator, connect_client: Any, tmp_path: Any) -> None:
    chat = start_chat(connect_client)
    customer, agent = customer_of(chat), agent_of(lib, chat)
    await customer.session.connect()
    await agent.session.connect()

    pdf = b"%PDF-1.4\n" + b"x" * 2048 + b"\n%%EOF\n"
    sent = await customer.session.send_attachment(pdf, name="invoice.pdf")
    assert sent["data"]["ContentType"] == "application/pdf"
    attachment_id = sent["data"]["AttachmentId"]

    def approved(rec: Recorded, wanted: str) -> bool:
        return any(
            a.get("AttachmentId") == wanted and a.get("Status") == "APPROVED"
            for m in rec.named("message")
            for a in m["data"].get("Attachments", [])
        )

    await until(lambda: approved(agent, attachment_id), what="agent sees the approved attachment")
    assert await agent.session.download_attachment(attachment_id) == pdf

    path = tmp_path / "notes.txt"
    path.write_text("agent notes\n")
    back = await agent.session.send_attachment(path)
    await until(lambda: approved(customer, back["data"]["AttachmentId"]), what="customer sees the agent's file")
    url = await customer.session.get_attachment_url(back["data"]["AttachmentId"])
    assert url["data"]["Url"].startswith("http")
    with path.open("rb") as handle:
        assert await customer.session.download_attachment(back["data"]["AttachmentId"]) == handle.read()
    entry = customer.session.transcript.get(back["data"]["AttachmentId"]) or next(
        e for e in customer.session.transcript if e.item.attachments
    )
    assert entry.item.attachments
    await customer.session.close()
    await agent.session.close()


async def test_persistent_chat_rehydration(lib: RunningEmulator, connect_client: Any) -> None:
    first = start_chat(connect_client)
    old = customer_of(first)
    await old.session.connect()
    await old.session.send_message("remember me")
    lib.control("POST", f"/contacts/{first.contact_id}/end", {})
    await until(lambda: old.named("ended"), what="first chat ends")

    second = start_chat(
        connect_client,
        PersistentChat={"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": first.contact_id},
    )
    assert second.start_response["ContinuedFromContactId"] == first.contact_id
    new = customer_of(second)
    await new.session.connect()
    response = await new.session.get_transcript(max_results=100)
    contents = [i.get("Content") for i in response["data"]["Transcript"]]
    assert "remember me" in contents
    kinds = [i.get("ContentType") for i in response["data"]["Transcript"]]
    assert ct.CHAT_REHYDRATED in kinds
    assert any(e.item.content == "remember me" for e in new.session.transcript)
    await new.session.close()


async def test_dropped_socket_recovers_and_missed_messages_arrive_exactly_once(
    lib: RunningEmulator, connect_client: Any
) -> None:
    chat = start_chat(connect_client)
    customer = customer_of(chat)
    await customer.session.connect()
    agent_path = f"/contacts/{chat.contact_id}/participants"
    lib.control("POST", agent_path, {"role": "AGENT", "displayName": "Agent"})
    lib.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "before"})
    await until(lambda: "before" in customer.contents())

    lib.control("POST", "/sockets/drop", {"participantId": chat.participant_id})
    for n in range(3):
        lib.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": f"during {n}"})
    await until(lambda: len(customer.named("connection_established")) == 2, what="re-established")
    assert customer.named("connection_established")[1]["data"] == {"reconnected": True}
    assert len(customer.named("connection_lost")) == 1
    await until(lambda: "during 2" in customer.contents(), what="catch-up")
    lib.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "after"})
    await until(lambda: "after" in customer.contents())
    assert customer.contents() == ["before", "during 0", "during 1", "during 2", "after"]
    await customer.session.close()


def _replay(mirror: list[dict[str, Any]], change: dict[str, Any]) -> None:
    """Apply one change, as plain data (``TranscriptChange.to_dict()``), to a copy of the transcript."""
    if change["kind"] == "added":
        mirror.insert(change["index"], change["entry"])
    elif change["kind"] == "updated":
        del mirror[change["previous_index"]]
        mirror.insert(change["index"], change["entry"])
    else:
        del mirror[change["index"]]


async def test_transcript_updates_rebuild_the_transcript_through_a_reconnect(
    lib: RunningEmulator, connect_client: Any
) -> None:
    chat = start_chat(connect_client)
    customer = customer_of(chat)
    await customer.session.connect()
    lib.control("POST", f"/contacts/{chat.contact_id}/participants", {"role": "AGENT", "displayName": "Agent"})
    await customer.session.send_message("from the customer")
    lib.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "one"})
    await until(lambda: "one" in customer.contents())
    lib.control("POST", "/sockets/drop", {"participantId": chat.participant_id})
    lib.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "while down"})
    await until(lambda: "while down" in customer.contents(), what="catch-up")
    lib.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "after"})
    await until(lambda: "after" in customer.contents())
    mirror: list[dict[str, Any]] = []
    for update in customer.named("transcript_updated"):
        for change in update["data"]["changes"]:
            _replay(mirror, change.to_dict())
        assert update["data"]["size"] == len(mirror)
    assert mirror == customer.session.transcript.to_list()
    texts = [e["Content"] for e in mirror if e["Type"] == "MESSAGE"]
    assert texts == ["from the customer", "one", "while down", "after"]
    await customer.session.close()


async def test_expired_websocket_url_reconnects_without_gap_or_duplicate(
    lib: RunningEmulator, connect_client: Any
) -> None:
    chat = start_chat(connect_client)
    customer = customer_of(chat)
    await customer.session.connect()
    lib.control("POST", f"/contacts/{chat.contact_id}/participants", {"role": "AGENT", "displayName": "Agent"})
    lib.control("POST", "/tokens/expire", {"participantId": chat.participant_id, "kinds": ["websocket"]})
    lib.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "one"})
    await until(lambda: len(customer.named("connection_established")) == 2, what="new URL")
    lib.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "two"})
    await until(lambda: "two" in customer.contents())
    assert customer.contents() == ["one", "two"]
    await customer.session.close()


async def test_url_rotation_opens_a_second_socket_without_loss(lib: RunningEmulator, connect_client: Any) -> None:
    chat = start_chat(connect_client)
    timing = Timing(heartbeat_interval=0.3, subscribe_retry=0.05, rotate_after=1.0, reopen_base=0.05)
    customer = customer_of(chat, timing)
    await customer.session.connect()
    lib.control("POST", f"/contacts/{chat.contact_id}/participants", {"role": "AGENT", "displayName": "Agent"})
    sent = []
    for n in range(12):
        text = f"m{n}"
        lib.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": text})
        sent.append(text)
        await asyncio.sleep(0.25)
    await until(lambda: customer.contents() == sent, what="every message once")
    assert customer.named("connection_lost") == []
    assert len(customer.named("connection_established")) == 1
    contact = lib.control("GET", f"/contacts/{chat.contact_id}")
    assert contact["State"] == "ACTIVE"
    await customer.session.close()


async def test_expired_connection_token_is_refreshed(lib: RunningEmulator, connect_client: Any) -> None:
    chat = start_chat(connect_client)
    customer = customer_of(chat)
    await customer.session.connect()
    before = customer.session.get_chat_details()["connection_details"]["connection_token"]
    lib.control("POST", "/tokens/expire", {"participantId": chat.participant_id, "kinds": ["connection"]})
    response = await customer.session.send_message("still here")
    assert response["data"]["Id"]
    assert customer.session.get_chat_details()["connection_details"]["connection_token"] != before
    await customer.session.close()


async def test_connection_token_is_refreshed_before_it_expires(lib: RunningEmulator, connect_client: Any) -> None:
    lib.control("POST", "/config", {"connectionTokenTtl": 2.0})
    chat = start_chat(connect_client)
    timing = Timing(heartbeat_interval=0.3, subscribe_retry=0.05, token_refresh_margin=1.5, reopen_base=0.05)
    customer = customer_of(chat, timing)
    await customer.session.connect()
    first = customer.session.get_chat_details()["connection_details"]["connection_token"]
    await until(lambda: customer.session.get_chat_details()["connection_details"]["connection_token"] != first)
    await asyncio.sleep(2.0)  # the first token has expired by now
    assert (await customer.session.send_message("fresh token"))["data"]["Id"]
    assert customer.named("connection_lost") == []
    await customer.session.close()


async def test_403_on_refresh_ends_the_chat(lib: RunningEmulator, connect_client: Any) -> None:
    chat = start_chat(connect_client)
    customer = customer_of(chat)
    await customer.session.connect()
    lib.control(
        "POST", "/faults", {"operation": "CreateParticipantConnection", "count": 50, "error": "AccessDeniedException"}
    )
    lib.control("POST", "/tokens/expire", {"participantId": chat.participant_id, "kinds": ["websocket"]})
    await until(lambda: customer.named("ended"), what="ended")
    assert customer.named("connection_lost")
    assert customer.named("ended")[0]["data"]["reason"]["code"] == "AccessDenied"
    assert customer.named("ended")[0]["data"]["item"]["ContentType"] == ct.CHAT_ENDED
    assert customer.session.ended
    await customer.session.close()


async def test_throttling_is_retried(lib: RunningEmulator, connect_client: Any) -> None:
    chat = start_chat(connect_client)
    customer = customer_of(chat)
    lib.control(
        "POST", "/faults", {"operation": "CreateParticipantConnection", "count": 2, "error": "ThrottlingException"}
    )
    await customer.session.connect()
    lib.control("POST", "/faults", {"operation": "SendMessage", "count": 1, "error": "ThrottlingException"})
    response = await customer.session.send_message("eventually")
    assert response["data"]["Id"]
    contact = lib.control("GET", f"/contacts/{chat.contact_id}")
    assert [i["Content"] for i in contact["Transcript"] if i.get("Type") == "MESSAGE"] == ["eventually"]
    await customer.session.close()


async def test_participant_state_events(lib: RunningEmulator, connect_client: Any) -> None:
    chat = start_chat(connect_client)
    customer = customer_of(chat)
    agent = agent_of(lib, chat)
    await agent.session.connect()
    await customer.session.connect()
    lib.control("POST", f"/contacts/{chat.contact_id}/participant-state", {"state": "idle"})
    await until(lambda: agent.named("participant_idle"), what="idle")
    await customer.session.close()
    await agent.session.close()


async def test_views_and_authentication(lib: RunningEmulator, connect_client: Any) -> None:
    chat = start_chat(connect_client)
    customer = customer_of(chat)
    initiated: list[dict[str, Any]] = []
    cancelled: list[dict[str, Any]] = []
    customer.session.on_authentication_initiated(initiated.append)
    customer.session.on_authentication_canceled(cancelled.append)
    await customer.session.connect()
    token = lib.control("POST", "/views", {"Name": "Guide", "Content": {"Template": "{}", "Actions": []}})["ViewToken"]
    view = await customer.session.describe_view(token)
    assert view["data"]["View"]["Name"] == "Guide"
    session_id = "11111111-2222-3333-4444-555555555555"
    url = await customer.session.get_authentication_url("https://example.com/back", session_id)
    assert url["data"]["AuthenticationUrl"].startswith("http")
    await until(lambda: initiated, what="authentication.initiated")
    await customer.session.cancel_participant_authentication(session_id)
    await until(lambda: cancelled, what="authentication.cancelled")
    await customer.session.close()


async def test_no_token_in_any_log_record(
    lib: RunningEmulator, connect_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    set_global_config(logger_config={"level": "DEBUG"})
    chat = start_chat(connect_client)
    with caplog.at_level(logging.DEBUG):
        customer = customer_of(chat)
        await customer.session.connect()
        await customer.session.send_message("hello")
        lib.control("POST", "/sockets/drop", {"participantId": chat.participant_id})
        await until(lambda: len(customer.named("connection_established")) == 2)
        secrets = [
            chat.participant_token,
            customer.session.get_chat_details()["connection_details"]["connection_token"],
        ]
        await customer.session.close()
    assert "SendMessage ok" in caplog.text
    for secret in secrets:
        assert secret
        assert secret not in caplog.text
    assert "X-Amz-Security-Token=ws-" not in caplog.text
