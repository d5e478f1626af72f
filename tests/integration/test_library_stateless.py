"""connect_chat's stateless (Lambda) mode against the emulator, with streaming through moto's SNS."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from connect_chat import (
    AccessDeniedError,
    Audience,
    ChatEndedError,
    ChatSession,
    ItemType,
    ServiceValidationError,
    StatelessChatSession,
    reset_global_config,
    set_global_config,
)
from connect_chat.protocol import content_types as ct
from tests.support.chat import start_chat
from tests.support.servers import RunningEmulator


class Topic:
    """An SNS topic on moto with an SQS queue standing in for the stream Lambda's trigger."""

    def __init__(self, moto_url: str) -> None:
        self.sns = boto3.client("sns", region_name="us-west-2", endpoint_url=moto_url)
        self.sqs = boto3.client("sqs", region_name="us-west-2", endpoint_url=moto_url)
        name = f"lib-{uuid.uuid4().hex[:10]}"
        self.arn = self.sns.create_topic(Name=name)["TopicArn"]
        self.queue_url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.sns.subscribe(TopicArn=self.arn, Protocol="sqs", Endpoint=queue_arn)
        self.records: list[dict[str, Any]] = []

    def poll(self) -> list[dict[str, Any]]:
        """Every delivery so far, as Lambda SNS event records."""
        answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        for message in answer.get("Messages", []):
            envelope = json.loads(message["Body"])  # the SNS envelope, exactly what Lambda gets as record["Sns"]
            self.records.append({"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": envelope})
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return self.records

    def wait(self, predicate: Any, within: float = 8.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while True:
            records = self.poll()
            if predicate(records):
                return records
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for SNS deliveries")
            time.sleep(0.05)


def _bodies(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(r["Sns"]["Message"]) for r in records]


@pytest.fixture
def lib(emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    set_global_config(endpoint=emulator.url, metrics=False)
    emulator.control("POST", "/config", {"agentEnabled": False})
    yield emulator
    reset_global_config()


def _messages(items: list[Any]) -> list[str]:
    return [i.content for i in items if i.type == ItemType.MESSAGE]


def test_conversation_from_handler_calls_and_streaming(
    lib: RunningEmulator, connect_client: Any, moto_url: str
) -> None:
    topic = Topic(moto_url)
    chat = start_chat(connect_client, ChatStreamingConfiguration={"StreamingEndpointArn": topic.arn})

    # "start chat" handler: connect the customer once and keep only the connection token
    first = ChatSession.create_stateless(
        {"ContactId": chat.contact_id, "ParticipantId": chat.participant_id, "ParticipantToken": chat.participant_token}
    )
    first.create_connection()
    stored_token = first.connection_token
    assert stored_token

    # later invocations: only ids and the stored connection token
    customer = ChatSession.create_stateless(
        {"contactId": chat.contact_id, "participantId": chat.participant_id, "connectionToken": stored_token}
    )
    assert isinstance(customer, StatelessChatSession)
    added = lib.control("POST", f"/contacts/{chat.contact_id}/participants", {"role": "AGENT", "displayName": "Agent"})
    agent = ChatSession.create_stateless(
        {
            "contactId": chat.contact_id,
            "participantId": added["ParticipantId"],
            "participantToken": added["ParticipantToken"],
        },
        type="AGENT",
    )
    agent.create_connection()

    hello = customer.send_message("hello from the browser")
    reply = agent.send_message("hello from the agent")
    agent.send_event(ct.TYPING)
    lib.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "agents only", "visibility": "AGENT"})

    records = topic.wait(lambda rs: {"agents only", "hello from the agent"} <= {b.get("Content") for b in _bodies(rs)})
    event = {"Records": records + records[:1]}  # SNS delivers at least once: a duplicate

    for_customer = customer.items_from_event(event)
    assert _messages(for_customer) == ["hello from the agent"]
    assert any(i.content_type == ct.TYPING for i in for_customer)
    assert all(i.contact_id == chat.contact_id for i in for_customer)

    for_agent = agent.items_from_event(event)
    assert _messages(for_agent) == ["hello from the browser"]  # "agents only" came from this agent itself
    assert not any(i.content_type == ct.TYPING for i in for_agent)  # its own typing is not echoed
    everything = customer.items_from_event(event, audience=Audience.AGENT)
    assert "agents only" in _messages(everything)

    # one raw SNS body, as a non-Lambda consumer would get it
    raw = records[0]["Sns"]
    item = customer.item_from_message(raw["Message"], raw["MessageAttributes"])
    assert item.contact_id == chat.contact_id

    receipt = customer.send_message_receipt("read", reply["data"]["Id"])
    assert receipt["data"]["Id"]
    missed = customer.get_items_after(hello["data"]["Id"])
    assert "hello from the agent" in _messages(missed)
    assert "hello from the browser" not in _messages(missed)
    transcript = customer.get_transcript(max_results=50)
    assert any(i.get("Content") == "hello from the agent" for i in transcript["data"]["Transcript"])

    customer.disconnect_participant()
    with pytest.raises(AccessDeniedError):
        customer.send_message("gone")


def test_attachments_in_stateless_mode(lib: RunningEmulator, connect_client: Any) -> None:
    chat = start_chat(connect_client)
    customer = ChatSession.create_stateless(
        {"ContactId": chat.contact_id, "ParticipantId": chat.participant_id, "ParticipantToken": chat.participant_token}
    )
    customer.create_connection()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    sent = customer.send_attachment(png, name="shot.png")
    attachment_id = sent["data"]["AttachmentId"]
    deadline = time.monotonic() + 8
    while True:  # the emulator scans the file first, like Connect
        try:
            assert customer.download_attachment(attachment_id) == png
            break
        except ServiceValidationError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_a_refused_connection_token_is_refreshed_once_and_handed_to_the_caller(
    lib: RunningEmulator, connect_client: Any
) -> None:
    chat = start_chat(connect_client)
    first = ChatSession.create_stateless(
        {"ContactId": chat.contact_id, "ParticipantId": chat.participant_id, "ParticipantToken": chat.participant_token}
    )
    first.create_connection()
    stale = first.connection_token
    refreshed: list[tuple[str, str | None]] = []
    session = ChatSession.create_stateless(
        {
            "contactId": chat.contact_id,
            "participantId": chat.participant_id,
            "participantToken": chat.participant_token,
            "connectionToken": stale,
        },
        on_connection_token_refreshed=lambda token, expiry: refreshed.append((token, expiry)),
    )
    lib.control("POST", "/tokens/expire", {"participantId": chat.participant_id, "kinds": ["connection"]})

    sent = session.send_message("after the token expired")

    assert sent["data"]["Id"]
    assert len(refreshed) == 1
    new_token, expiry = refreshed[0]
    assert new_token != stale
    assert session.connection_token == new_token
    assert expiry
    session.send_message("no second refresh")
    assert len(refreshed) == 1


def test_a_refused_refresh_means_the_chat_ended(lib: RunningEmulator, connect_client: Any) -> None:
    chat = start_chat(connect_client)
    details = {
        "contactId": chat.contact_id,
        "participantId": chat.participant_id,
        "participantToken": chat.participant_token,
    }
    session = ChatSession.create_stateless(details)
    session.create_connection()
    refreshed: list[str] = []
    later = ChatSession.create_stateless(
        {**details, "connectionToken": session.connection_token},
        on_connection_token_refreshed=lambda token, _expiry: refreshed.append(token),
    )
    lib.control("POST", f"/contacts/{chat.contact_id}/end", {})

    with pytest.raises(ChatEndedError):
        later.send_message("too late")
    assert refreshed == []


def test_without_a_participant_token_a_refused_token_is_the_callers_to_handle(
    lib: RunningEmulator, connect_client: Any
) -> None:
    chat = start_chat(connect_client)
    first = ChatSession.create_stateless(
        {"ContactId": chat.contact_id, "ParticipantId": chat.participant_id, "ParticipantToken": chat.participant_token}
    )
    first.create_connection()
    only_connection = ChatSession.create_stateless(
        {"contactId": chat.contact_id, "participantId": chat.participant_id, "connectionToken": first.connection_token}
    )
    lib.control("POST", "/tokens/expire", {"participantId": chat.participant_id, "kinds": ["connection"]})
    with pytest.raises(AccessDeniedError):
        only_connection.send_message("nobody can refresh this")
