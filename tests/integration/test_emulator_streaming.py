"""Message streaming: items of a streamed contact are published to SNS (moto's server), as Connect does."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from tests.support.chat import (
    ACKNOWLEDGED,
    ENDED,
    INSTANCE_ID,
    JOINED,
    TYPING,
    find,
    join_agent,
    open_chat,
    send_text,
    wait_for,
    whole_transcript,
)

pytestmark = pytest.mark.usefixtures("wire")

ATTRIBUTES = ("InitialContactId", "ContactId", "ParticipantRole", "Type", "ContentType", "MessageVisibility")


@dataclass
class Delivered:
    body: dict[str, Any]
    attributes: dict[str, str]


class Subscriber:
    """An SQS queue on moto subscribed to an SNS topic with raw message delivery."""

    def __init__(self, moto_url: str, raw: bool = True) -> None:
        self.sns = boto3.client("sns", region_name="us-west-2", endpoint_url=moto_url)
        self.sqs = boto3.client("sqs", region_name="us-west-2", endpoint_url=moto_url)
        name = f"chat-{uuid.uuid4().hex[:12]}"
        self.topic_arn = self.sns.create_topic(Name=name)["TopicArn"]
        self.queue_url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.raw = raw
        self.sns.subscribe(
            TopicArn=self.topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true" if raw else "false"},
        )
        self.received: list[Delivered] = []

    def poll(self) -> list[Delivered]:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
        )
        for message in answer.get("Messages", []):
            if self.raw:
                body = json.loads(message["Body"])
                attributes = {k: v["StringValue"] for k, v in message.get("MessageAttributes", {}).items()}
            else:
                envelope = json.loads(message["Body"])
                body = json.loads(envelope["Message"])
                attributes = {k: v["Value"] for k, v in envelope.get("MessageAttributes", {}).items()}
            self.received.append(Delivered(body, attributes))
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return self.received

    def wait(self, **wanted: Any) -> Delivered:
        def probe() -> Delivered | None:
            return next(
                (d for d in self.poll() if all(d.body.get(k) == v for k, v in wanted.items())),
                None,
            )

        return wait_for(probe, what=f"an SNS message with {wanted}")


@pytest.fixture
def subscriber(moto_url: str) -> Subscriber:
    return Subscriber(moto_url)


def _stream(connect_client: Any, contact_id: str, topic_arn: str) -> str:
    return str(
        connect_client.start_contact_streaming(
            InstanceId=INSTANCE_ID,
            ContactId=contact_id,
            ChatStreamingConfiguration={"StreamingEndpointArn": topic_arn},
            ClientToken=str(uuid.uuid4()),
        )["StreamingId"]
    )


def test_items_are_published_with_body_and_attributes(
    connect_client: Any, participant_client: Any, emulator: Any, subscriber: Subscriber
) -> None:
    emulator.control("POST", "/config", {"agentEnabled": False})
    chat = open_chat(connect_client, participant_client)
    _stream(connect_client, chat.contact_id, subscriber.topic_arn)

    sent = send_text(participant_client, chat.connection_token, "streamed")
    delivered = subscriber.wait(Id=sent["Id"])

    body = delivered.body
    assert body["Content"] == "streamed"
    assert body["ContentType"] == "text/plain"
    assert body["Type"] == "MESSAGE"
    assert body["ParticipantRole"] == "CUSTOMER"
    assert body["ParticipantId"] == chat.participant_id
    assert body["DisplayName"] == "Customer"
    assert body["ContactId"] == chat.contact_id
    assert body["InitialContactId"] == chat.contact_id
    assert body["AbsoluteTime"] == sent["AbsoluteTime"]
    stored = find(whole_transcript(participant_client, chat.connection_token), Id=sent["Id"])
    assert stored is not None
    assert {k: v for k, v in body.items() if k != "InitialContactId"} == stored
    assert {k: delivered.attributes[k] for k in ATTRIBUTES} == {
        "InitialContactId": chat.contact_id,
        "ContactId": chat.contact_id,
        "ParticipantRole": "CUSTOMER",
        "Type": "MESSAGE",
        "ContentType": "text/plain",
        "MessageVisibility": "ALL",
    }
    assert delivered.attributes["InstanceId"] == INSTANCE_ID
    assert delivered.attributes["AccountId"].isdigit()


def test_events_are_published_too(
    connect_client: Any, participant_client: Any, emulator: Any, subscriber: Subscriber
) -> None:
    emulator.control("POST", "/config", {"agentEnabled": False})
    chat = open_chat(connect_client, participant_client)
    _stream(connect_client, chat.contact_id, subscriber.topic_arn)

    participant_client.send_event(ConnectionToken=chat.connection_token, ContentType=TYPING)
    emulator.control("POST", f"/contacts/{chat.contact_id}/participants", {"role": "AGENT"})
    connect_client.stop_contact(InstanceId=INSTANCE_ID, ContactId=chat.contact_id)

    typing = subscriber.wait(ContentType=TYPING)
    joined = subscriber.wait(ContentType=JOINED)
    ended = subscriber.wait(ContentType=ENDED)
    assert typing.attributes["Type"] == "EVENT"
    assert joined.attributes["ParticipantRole"] == "AGENT"
    assert ended.attributes["ParticipantRole"] == "SYSTEM"
    assert ended.body["ParticipantRole"] == "SYSTEM"


def test_agent_only_message_is_streamed_with_agent_visibility(
    connect_client: Any, participant_client: Any, emulator: Any, subscriber: Subscriber
) -> None:
    emulator.control("POST", "/config", {"agentEnabled": False})
    chat = open_chat(connect_client, participant_client)
    _stream(connect_client, chat.contact_id, subscriber.topic_arn)

    hidden = emulator.control(
        "POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "note", "visibility": "AGENT"}
    )

    delivered = subscriber.wait(Id=hidden["Id"])
    assert delivered.attributes["MessageVisibility"] == "AGENT"
    assert delivered.attributes["ParticipantRole"] == "AGENT"
    assert not find(whole_transcript(participant_client, chat.connection_token), Id=hidden["Id"])


def test_simulated_agent_reply_is_streamed(
    connect_client: Any, participant_client: Any, subscriber: Subscriber
) -> None:
    chat = open_chat(connect_client, participant_client)
    _stream(connect_client, chat.contact_id, subscriber.topic_arn)
    subscriber.wait(ContentType=JOINED, ParticipantRole="AGENT")
    send_text(participant_client, chat.connection_token, "are you there")

    def reply() -> Delivered | None:
        return next(
            (
                d
                for d in subscriber.poll()
                if d.body.get("ParticipantRole") == "AGENT" and "are you there" in d.body.get("Content", "")
            ),
            None,
        )

    assert wait_for(reply).attributes["Type"] == "MESSAGE"


def test_nothing_is_published_after_stop_contact_streaming(
    connect_client: Any, participant_client: Any, emulator: Any, subscriber: Subscriber
) -> None:
    emulator.control("POST", "/config", {"agentEnabled": False})
    chat = open_chat(connect_client, participant_client)
    streaming_id = _stream(connect_client, chat.contact_id, subscriber.topic_arn)
    first = send_text(participant_client, chat.connection_token, "before")
    subscriber.wait(Id=first["Id"])

    connect_client.stop_contact_streaming(InstanceId=INSTANCE_ID, ContactId=chat.contact_id, StreamingId=streaming_id)
    send_text(participant_client, chat.connection_token, "after")
    marker = open_chat(connect_client, participant_client)
    _stream(connect_client, marker.contact_id, subscriber.topic_arn)
    last = send_text(participant_client, marker.connection_token, "marker")
    subscriber.wait(Id=last["Id"])  # published after "after" would have been

    assert not [d for d in subscriber.received if d.body.get("Content") == "after"]


def test_items_before_streaming_started_are_not_published(
    connect_client: Any, participant_client: Any, emulator: Any, subscriber: Subscriber
) -> None:
    emulator.control("POST", "/config", {"agentEnabled": False})
    chat = open_chat(connect_client, participant_client)
    early = send_text(participant_client, chat.connection_token, "early")
    _stream(connect_client, chat.contact_id, subscriber.topic_arn)
    late = send_text(participant_client, chat.connection_token, "late")
    subscriber.wait(Id=late["Id"])
    assert not [d for d in subscriber.received if d.body.get("Id") == early["Id"]]


def test_sns_envelope_without_raw_delivery(
    connect_client: Any, participant_client: Any, emulator: Any, moto_url: str
) -> None:
    emulator.control("POST", "/config", {"agentEnabled": False})
    subscriber = Subscriber(moto_url, raw=False)
    chat = open_chat(
        connect_client, participant_client, ChatStreamingConfiguration={"StreamingEndpointArn": subscriber.topic_arn}
    )
    sent = send_text(participant_client, chat.connection_token, "enveloped")
    delivered = subscriber.wait(Id=sent["Id"])
    assert delivered.attributes["ContactId"] == chat.contact_id
    assert delivered.attributes["MessageVisibility"] == "ALL"


def test_only_events_and_messages_of_a_chat_are_streamed_not_connection_acknowledgements(
    connect_client: Any, participant_client: Any, emulator: Any, subscriber: Subscriber
) -> None:
    """The SNS payload page (https://docs.aws.amazon.com/connect/latest/adminguide/sns-payload.html) lists the
    ``Type`` attribute's values as EVENT and MESSAGE, and no connection.acknowledged content type: acknowledging
    a connection (CreateParticipantConnection with ConnectParticipant) publishes nothing.
    """
    emulator.control("POST", "/config", {"agentEnabled": False})
    chat = open_chat(connect_client, participant_client)
    _stream(connect_client, chat.contact_id, subscriber.topic_arn)

    participant_client.create_participant_connection(
        ParticipantToken=chat.participant_token, Type=["CONNECTION_CREDENTIALS"], ConnectParticipant=True
    )
    agent = join_agent(emulator, participant_client, chat.contact_id)  # connects with ConnectParticipant too
    marker = send_text(participant_client, agent.connection_token, "after the acknowledgements")
    subscriber.wait(Id=marker["Id"])

    assert {d.attributes["Type"] for d in subscriber.received} == {"EVENT", "MESSAGE"}
    assert {d.body["Type"] for d in subscriber.received} == {"EVENT", "MESSAGE"}
    assert not [d for d in subscriber.received if d.body["ContentType"] == ACKNOWLEDGED]
