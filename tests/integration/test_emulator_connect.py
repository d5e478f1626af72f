"""The ``connect`` operations a chat integration uses, driven by an unmodified boto3 client."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import boto3
import pytest
from botocore.model import ServiceModel, StructureShape

from local.connect_emulator.service_model import load_service_model
from tests.support.chat import (
    FLOW_ID,
    INSTANCE_ID,
    JOINED,
    NO_CLIENT_VALIDATION,
    find,
    open_chat,
    send_text,
    start_chat,
    wait_for,
    whole_transcript,
)

pytestmark = pytest.mark.usefixtures("wire")

TOPIC_ARN = "arn:aws:sns:us-west-2:123456789012:chat-stream"


@pytest.fixture
def loose_connect(emulator: Any) -> Any:
    """A connect client that sends whatever it is given (no client-side validation, no retries)."""
    return boto3.client("connect", region_name="us-west-2", endpoint_url=emulator.url, config=NO_CLIENT_VALIDATION)


def test_start_chat_contact_returns_a_customer_who_can_connect(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client, Attributes={"customerName": "Ana"})

    response = chat.start_response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert {"ContactId", "ParticipantId", "ParticipantToken"} <= set(response)
    assert "ContinuedFromContactId" not in response
    items = whole_transcript(participant_client, chat.connection_token)
    joined = find(items, ContentType=JOINED, ParticipantRole="CUSTOMER")
    assert joined is not None
    assert joined["ParticipantId"] == chat.participant_id
    assert joined["DisplayName"] == "Customer"
    assert joined["ContactId"] == chat.contact_id
    assert "InitialContactId" not in joined  # not a member of the model's Item


def test_start_chat_contact_with_initial_message(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(
        connect_client, participant_client, InitialMessage={"ContentType": "text/plain", "Content": "hello there"}
    )

    items = whole_transcript(participant_client, chat.connection_token)
    first = find(items, Type="MESSAGE")
    assert first is not None
    assert first["Content"] == "hello there"
    assert first["ParticipantRole"] == "CUSTOMER"
    assert first["ParticipantId"] == chat.participant_id


def test_initial_message_of_an_unsupported_type_is_refused(loose_connect: Any) -> None:
    with pytest.raises(loose_connect.exceptions.InvalidParameterException) as caught:
        start_chat(loose_connect, InitialMessage={"ContentType": "text/markdown", "Content": "**hi**"})
    assert "ContentType" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize("minutes", [60, 1500, 10080])
def test_chat_duration_in_range_is_accepted(connect_client: Any, minutes: int) -> None:
    chat = start_chat(connect_client, ChatDurationInMinutes=minutes)
    described = connect_client.describe_contact(InstanceId=INSTANCE_ID, ContactId=chat.contact_id)
    assert "DisconnectTimestamp" not in described["Contact"]


@pytest.mark.parametrize("minutes", [59, 10081])
def test_chat_duration_out_of_range_is_refused(loose_connect: Any, minutes: int) -> None:
    with pytest.raises(loose_connect.exceptions.InvalidParameterException) as caught:
        start_chat(loose_connect, ChatDurationInMinutes=minutes)
    assert "chatDurationInMinutes" in caught.value.response["Error"]["Message"]


def test_supported_messaging_content_types_allow_markdown(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client, SupportedMessagingContentTypes=["text/plain", "text/markdown"])

    sent = participant_client.send_message(
        ConnectionToken=chat.connection_token, ContentType="text/markdown", Content="**bold**"
    )
    items = whole_transcript(participant_client, chat.connection_token)
    assert find(items, Id=sent["Id"], ContentType="text/markdown", Content="**bold**")


def test_markdown_is_refused_when_not_supported(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.send_message(
            ConnectionToken=chat.connection_token, ContentType="text/markdown", Content="**bold**"
        )


@pytest.mark.parametrize("types", [["text/markdown"], ["text/plain", "image/gif"]])
def test_supported_messaging_content_types_must_be_valid(connect_client: Any, types: list[str]) -> None:
    with pytest.raises(connect_client.exceptions.InvalidRequestException):
        start_chat(connect_client, SupportedMessagingContentTypes=types)


def test_client_token_makes_start_chat_contact_idempotent(connect_client: Any) -> None:
    token = str(uuid.uuid4())
    first = start_chat(connect_client, ClientToken=token)
    again = start_chat(connect_client, ClientToken=token)
    other = start_chat(connect_client, ClientToken=str(uuid.uuid4()))

    assert again.contact_id == first.contact_id
    assert again.participant_token == first.participant_token
    assert other.contact_id != first.contact_id


def test_start_chat_contact_needs_its_required_members(loose_connect: Any) -> None:
    with pytest.raises(loose_connect.exceptions.InvalidParameterException) as caught:
        loose_connect.start_chat_contact(InstanceId=INSTANCE_ID, ContactFlowId=FLOW_ID)
    assert "participantDetails" in caught.value.response["Error"]["Message"]


def test_start_and_stop_contact_streaming(connect_client: Any) -> None:
    chat = start_chat(connect_client)
    token = str(uuid.uuid4())
    request = {
        "InstanceId": INSTANCE_ID,
        "ContactId": chat.contact_id,
        "ChatStreamingConfiguration": {"StreamingEndpointArn": TOPIC_ARN},
        "ClientToken": token,
    }

    started = connect_client.start_contact_streaming(**request)
    again = connect_client.start_contact_streaming(**request)

    assert started["StreamingId"] == again["StreamingId"]
    stopped = connect_client.stop_contact_streaming(
        InstanceId=INSTANCE_ID, ContactId=chat.contact_id, StreamingId=started["StreamingId"]
    )
    assert stopped["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(connect_client.exceptions.ResourceNotFoundException):
        connect_client.stop_contact_streaming(
            InstanceId=INSTANCE_ID, ContactId=chat.contact_id, StreamingId=started["StreamingId"]
        )


def test_start_chat_contact_can_start_streaming(connect_client: Any, emulator: Any) -> None:
    chat = start_chat(connect_client, ChatStreamingConfiguration={"StreamingEndpointArn": TOPIC_ARN})
    contact = emulator.control("GET", f"/contacts/{chat.contact_id}")
    assert [s["StreamingEndpointArn"] for s in contact["Streaming"]] == [TOPIC_ARN]


def test_start_contact_streaming_errors(connect_client: Any) -> None:
    chat = start_chat(connect_client)
    with pytest.raises(connect_client.exceptions.InvalidParameterException):
        connect_client.start_contact_streaming(
            InstanceId=INSTANCE_ID,
            ContactId=chat.contact_id,
            ChatStreamingConfiguration={"StreamingEndpointArn": "arn:aws:sqs:us-west-2:123456789012:queue"},
            ClientToken=str(uuid.uuid4()),
        )
    with pytest.raises(connect_client.exceptions.ResourceNotFoundException):
        connect_client.start_contact_streaming(
            InstanceId=INSTANCE_ID,
            ContactId=str(uuid.uuid4()),
            ChatStreamingConfiguration={"StreamingEndpointArn": TOPIC_ARN},
            ClientToken=str(uuid.uuid4()),
        )


def test_stop_contact_ends_the_chat(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)

    connect_client.stop_contact(
        InstanceId=INSTANCE_ID, ContactId=chat.contact_id, DisconnectReason={"Code": "CUSTOMER_DISCONNECT"}
    )

    described = connect_client.describe_contact(InstanceId=INSTANCE_ID, ContactId=chat.contact_id)["Contact"]
    assert isinstance(described["DisconnectTimestamp"], dt.datetime)
    assert described["DisconnectReason"] == "CUSTOMER_DISCONNECT"
    with pytest.raises(participant_client.exceptions.AccessDeniedException):
        send_text(participant_client, chat.connection_token, "too late")
    with pytest.raises(connect_client.exceptions.ContactNotFoundException):
        connect_client.stop_contact(InstanceId=INSTANCE_ID, ContactId=chat.contact_id)
    with pytest.raises(connect_client.exceptions.ResourceNotFoundException):
        connect_client.stop_contact(InstanceId=INSTANCE_ID, ContactId=str(uuid.uuid4()))


def test_describe_contact(connect_client: Any, emulator: Any) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    chat = start_chat(connect_client, Attributes={"k": "v"})
    emulator.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "hi"})

    contact = connect_client.describe_contact(InstanceId=INSTANCE_ID, ContactId=chat.contact_id)["Contact"]

    assert contact["Id"] == chat.contact_id
    assert contact["InitialContactId"] == chat.contact_id
    assert contact["Channel"] == "CHAT"
    assert contact["Arn"].endswith(f"instance/{INSTANCE_ID}/contact/{chat.contact_id}")
    assert contact["Arn"].startswith("arn:aws:connect:us-west-2:")
    assert before <= contact["InitiationTimestamp"] <= dt.datetime.now(dt.UTC)
    assert contact["Attributes"] == {"k": "v"}
    assert contact["AgentInfo"]["Id"]


def test_describe_contact_of_unknown_contact_or_instance(connect_client: Any) -> None:
    chat = start_chat(connect_client)
    with pytest.raises(connect_client.exceptions.ResourceNotFoundException):
        connect_client.describe_contact(InstanceId=INSTANCE_ID, ContactId=str(uuid.uuid4()))
    with pytest.raises(connect_client.exceptions.ResourceNotFoundException):
        connect_client.describe_contact(InstanceId=str(uuid.uuid4()), ContactId=chat.contact_id)


def test_update_contact_attributes_merges(connect_client: Any) -> None:
    chat = start_chat(connect_client, Attributes={"a": "1", "b": "2"})

    connect_client.update_contact_attributes(
        InstanceId=INSTANCE_ID, InitialContactId=chat.contact_id, Attributes={"b": "20", "c": "30"}
    )

    contact = connect_client.describe_contact(InstanceId=INSTANCE_ID, ContactId=chat.contact_id)["Contact"]
    assert contact["Attributes"] == {"a": "1", "b": "20", "c": "30"}
    with pytest.raises(connect_client.exceptions.ResourceNotFoundException):
        connect_client.update_contact_attributes(
            InstanceId=INSTANCE_ID, InitialContactId=str(uuid.uuid4()), Attributes={"a": "1"}
        )


def test_create_participant_adds_a_custom_bot(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)

    created = connect_client.create_participant(
        InstanceId=INSTANCE_ID,
        ContactId=chat.contact_id,
        ParticipantDetails={"ParticipantRole": "CUSTOM_BOT", "DisplayName": "Bot"},
    )

    bot = participant_client.create_participant_connection(
        ParticipantToken=created["ParticipantCredentials"]["ParticipantToken"],
        Type=["CONNECTION_CREDENTIALS"],
        ConnectParticipant=True,
    )
    sent = send_text(participant_client, bot["ConnectionCredentials"]["ConnectionToken"], "beep")

    def bot_message() -> dict[str, Any] | None:
        return find(whole_transcript(participant_client, chat.connection_token), Id=sent["Id"])

    item = wait_for(bot_message)
    assert item["ParticipantRole"] == "CUSTOM_BOT"
    assert item["ParticipantId"] == created["ParticipantId"]
    assert item["DisplayName"] == "Bot"


def test_create_participant_errors(connect_client: Any) -> None:
    chat = start_chat(connect_client)
    with pytest.raises(connect_client.exceptions.ResourceNotFoundException):
        connect_client.create_participant(
            InstanceId=INSTANCE_ID, ContactId=str(uuid.uuid4()), ParticipantDetails={"ParticipantRole": "CUSTOM_BOT"}
        )
    connect_client.stop_contact(InstanceId=INSTANCE_ID, ContactId=chat.contact_id)
    with pytest.raises(connect_client.exceptions.InvalidRequestException):
        connect_client.create_participant(
            InstanceId=INSTANCE_ID, ContactId=chat.contact_id, ParticipantDetails={"ParticipantRole": "CUSTOM_BOT"}
        )


def connect_model() -> ServiceModel:
    """botocore's ``connect`` model: the reference the emulator's answers are checked against."""
    return load_service_model("connect")


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_create_participant_credentials_carry_their_expiry(connect_client: Any) -> None:
    """CreateParticipant's output (botocore ``connect`` model, ParticipantTokenCredentials; API reference
    https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateParticipant.html) holds ParticipantToken and
    Expiry, "in ISO 8601 format: yyyy-MM-ddThh:mm:ss.SSSZ". The token lasts for the participant's lifetime,
    which ends with the chat at ChatDurationInMinutes.
    """
    credentials = connect_model().shape_for("ParticipantTokenCredentials")
    assert isinstance(credentials, StructureShape)
    assert {"ParticipantToken", "Expiry"} <= set(credentials.members)
    started = dt.datetime.now(dt.UTC)
    chat = start_chat(connect_client, ChatDurationInMinutes=90)

    created = connect_client.create_participant(
        InstanceId=INSTANCE_ID, ContactId=chat.contact_id, ParticipantDetails={"ParticipantRole": "CUSTOM_BOT"}
    )

    expiry = _parse_time(created["ParticipantCredentials"]["Expiry"])
    expected = started + dt.timedelta(minutes=90)
    assert abs(expiry - expected) < dt.timedelta(seconds=5)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", created["ParticipantCredentials"]["Expiry"])


@pytest.mark.parametrize(
    "request_members",
    [
        {"ContactId": "c"},
        {"InstanceId": INSTANCE_ID},
        {"InstanceId": INSTANCE_ID, "ContactId": "c", "ParticipantDetails": {"ParticipantRole": "BOSS"}},
    ],
)
def test_create_participant_answers_invalid_input_with_its_modeled_error(
    loose_connect: Any, request_members: dict[str, Any]
) -> None:
    """CreateParticipant's modeled errors (botocore ``connect`` model) include InvalidRequestException, not
    InvalidParameterException: invalid input is answered with the former.
    """
    modeled = {shape.name for shape in connect_model().operation_model("CreateParticipant").error_shapes}
    assert "InvalidRequestException" in modeled
    assert "InvalidParameterException" not in modeled

    with pytest.raises(loose_connect.exceptions.InvalidRequestException, match="validation error"):
        loose_connect.create_participant(**request_members)
