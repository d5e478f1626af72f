"""Every ``connectparticipant`` operation's success path, with an unmodified boto3 client."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
import uuid
from typing import Any

import pytest

from local.connect_emulator.service_model import load_service_model
from tests.support.chat import (
    ACKNOWLEDGED,
    DELIVERED,
    ENDED,
    LEFT,
    READ,
    TYPING,
    WireLog,
    find,
    join_agent,
    open_chat,
    send_text,
    start_chat,
    wait_for,
    whole_transcript,
)

pytestmark = pytest.mark.usefixtures("wire", "agent_off")


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_create_participant_connection_hands_out_both_kinds(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    chat = start_chat(connect_client)
    before = dt.datetime.now(dt.UTC)

    response = participant_client.create_participant_connection(
        ParticipantToken=chat.participant_token, Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"]
    )

    websocket = response["Websocket"]
    credentials = response["ConnectionCredentials"]
    assert websocket["Url"].startswith(emulator.url.replace("http://", "ws://") + "/")
    assert _parse_time(websocket["ConnectionExpiry"]) > before
    assert credentials["ConnectionToken"]
    assert _parse_time(credentials["Expiry"]) > before + dt.timedelta(hours=23)


@pytest.mark.parametrize(
    ("kinds", "present"), [(["WEBSOCKET"], "Websocket"), (["CONNECTION_CREDENTIALS"], "ConnectionCredentials")]
)
def test_create_participant_connection_with_one_kind(
    connect_client: Any, participant_client: Any, kinds: list[str], present: str
) -> None:
    chat = start_chat(connect_client)
    response = participant_client.create_participant_connection(ParticipantToken=chat.participant_token, Type=kinds)
    assert present in response
    assert {"Websocket", "ConnectionCredentials"} - {present} - set(response) == {
        "Websocket",
        "ConnectionCredentials",
    } - {present}


def test_connect_participant_acknowledges_the_connection_once(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    chat = open_chat(connect_client, participant_client)
    agent = join_agent(emulator, participant_client, chat.contact_id)

    again = participant_client.create_participant_connection(
        ParticipantToken=agent.participant_token, Type=["CONNECTION_CREDENTIALS"], ConnectParticipant=True
    )

    assert again["ConnectionCredentials"]["ConnectionToken"] != agent.connection_token
    # Both connection tokens work: a new connection does not revoke the earlier one.
    send_text(participant_client, agent.connection_token, "one")
    send_text(participant_client, again["ConnectionCredentials"]["ConnectionToken"], "two")
    items = whole_transcript(participant_client, chat.connection_token)
    assert [i["Content"] for i in items if i["Type"] == "MESSAGE"] == ["one", "two"]
    assert not find(items, ContentType=ACKNOWLEDGED)  # a live-only event, never in the transcript


def test_send_message_returns_id_and_time(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)

    sent = participant_client.send_message(
        ConnectionToken=chat.connection_token, ContentType="text/plain", Content="Hello"
    )

    assert before <= _parse_time(sent["AbsoluteTime"]) <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    item = find(whole_transcript(participant_client, chat.connection_token), Id=sent["Id"])
    assert item is not None
    assert item["Type"] == "MESSAGE"
    assert item["Content"] == "Hello"
    assert item["ContentType"] == "text/plain"
    assert item["AbsoluteTime"] == sent["AbsoluteTime"]
    assert item["ParticipantRole"] == "CUSTOMER"
    assert item["ParticipantId"] == chat.participant_id


def test_send_message_is_idempotent_on_client_token(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    token = str(uuid.uuid4())
    first = participant_client.send_message(
        ConnectionToken=chat.connection_token, ContentType="text/plain", Content="once", ClientToken=token
    )
    again = participant_client.send_message(
        ConnectionToken=chat.connection_token, ContentType="text/plain", Content="once", ClientToken=token
    )
    assert again["Id"] == first["Id"]
    messages = [i for i in whole_transcript(participant_client, chat.connection_token) if i["Type"] == "MESSAGE"]
    assert len(messages) == 1


def test_send_message_at_the_content_limit(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(
        connect_client, participant_client, SupportedMessagingContentTypes=["text/plain", "application/json"]
    )
    participant_client.send_message(
        ConnectionToken=chat.connection_token, ContentType="text/plain", Content="x" * 16384
    )
    payload = json.dumps({"k": "v"})
    sent = participant_client.send_message(
        ConnectionToken=chat.connection_token, ContentType="application/json", Content=payload
    )
    assert find(whole_transcript(participant_client, chat.connection_token), Id=sent["Id"], Content=payload)


def test_send_event_typing_is_live_only(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    sent = participant_client.send_event(ConnectionToken=chat.connection_token, ContentType=TYPING)
    assert sent["Id"]
    assert sent["AbsoluteTime"]
    assert not find(whole_transcript(participant_client, chat.connection_token), ContentType=TYPING)


def test_read_receipt_lands_on_the_message_metadata(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    chat = open_chat(connect_client, participant_client)
    agent = join_agent(emulator, participant_client, chat.contact_id)
    message = send_text(participant_client, agent.connection_token, "please read")

    receipt = participant_client.send_event(
        ConnectionToken=chat.connection_token, ContentType=READ, Content=json.dumps({"messageId": message["Id"]})
    )

    assert receipt["Id"] != message["Id"]
    item = find(whole_transcript(participant_client, agent.connection_token), Id=message["Id"])
    assert item is not None
    receipts = item["MessageMetadata"]["Receipts"]
    assert item["MessageMetadata"]["MessageId"] == message["Id"]
    assert [r["RecipientParticipantId"] for r in receipts] == [chat.participant_id]
    assert receipts[0]["ReadTimestamp"]


def test_get_transcript_returns_the_initial_contact(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    transcript = participant_client.get_transcript(ConnectionToken=chat.connection_token)
    assert transcript["InitialContactId"] == chat.contact_id
    assert find(transcript["Transcript"], ContentType="application/vnd.amazonaws.connect.event.participant.joined")


def test_disconnect_participant_ends_the_chat(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    agent = join_agent(emulator, participant_client, chat.contact_id)

    participant_client.disconnect_participant(ConnectionToken=chat.connection_token)

    items = whole_transcript(participant_client, agent.connection_token)
    left = [i for i in items if i["ContentType"] == LEFT]
    assert {i["ParticipantRole"] for i in left} == {"CUSTOMER", "AGENT"}
    assert items[-1]["ContentType"] == ENDED
    assert emulator.control("GET", f"/contacts/{chat.contact_id}")["State"] == "ENDED"


def test_describe_view(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    content = {"InputSchema": '{"type":"object"}', "Template": '{"Head":{}}', "Actions": ["Submit"]}
    token = emulator.control("POST", "/views", {"ViewToken": "view-token-1", "Name": "Form", "Content": content})[
        "ViewToken"
    ]

    view = participant_client.describe_view(ConnectionToken=chat.connection_token, ViewToken=token)["View"]

    assert view["Name"] == "Form"
    assert view["Content"] == content
    assert view["Version"] == 1


def test_get_authentication_url_and_cancel(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    session_id = str(uuid.uuid4())

    url = participant_client.get_authentication_url(
        ConnectionToken=chat.connection_token, SessionId=session_id, RedirectUri="https://example.com/back"
    )["AuthenticationUrl"]
    cancelled = participant_client.cancel_participant_authentication(
        ConnectionToken=chat.connection_token, SessionId=session_id
    )

    assert url.startswith("http")
    assert session_id in url
    assert cancelled["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_a_whole_chat_uses_every_operation(
    connect_client: Any, participant_client: Any, emulator: Any, wire: WireLog
) -> None:
    """One chat through all eleven Participant Service operations; every response checked on the wire."""
    chat = open_chat(connect_client, participant_client)
    agent = join_agent(emulator, participant_client, chat.contact_id)
    message = send_text(participant_client, chat.connection_token, "hi")
    participant_client.send_event(
        ConnectionToken=agent.connection_token, ContentType=READ, Content=json.dumps({"messageId": message["Id"]})
    )
    upload = participant_client.start_attachment_upload(
        ConnectionToken=chat.connection_token,
        ContentType="text/plain",
        AttachmentSizeInBytes=2,
        AttachmentName="a.txt",
        ClientToken=str(uuid.uuid4()),
    )
    put = urllib.request.Request(
        upload["UploadMetadata"]["Url"], data=b"hi", method="PUT", headers=upload["UploadMetadata"]["HeadersToInclude"]
    )
    with urllib.request.urlopen(put, timeout=5) as answer:
        assert answer.status == 200
    participant_client.complete_attachment_upload(
        ConnectionToken=chat.connection_token, AttachmentIds=[upload["AttachmentId"]], ClientToken=str(uuid.uuid4())
    )

    def approved() -> dict[str, Any] | None:
        try:
            return dict(
                participant_client.get_attachment(
                    ConnectionToken=chat.connection_token, AttachmentId=upload["AttachmentId"]
                )
            )
        except participant_client.exceptions.ValidationException:
            return None

    wait_for(approved)
    emulator.control("POST", "/views", {"ViewToken": "every-op"})
    participant_client.describe_view(ConnectionToken=chat.connection_token, ViewToken="every-op")
    session_id = str(uuid.uuid4())
    participant_client.get_authentication_url(
        ConnectionToken=chat.connection_token, SessionId=session_id, RedirectUri="https://example.com"
    )
    participant_client.cancel_participant_authentication(ConnectionToken=chat.connection_token, SessionId=session_id)
    participant_client.get_transcript(ConnectionToken=chat.connection_token)
    participant_client.disconnect_participant(ConnectionToken=chat.connection_token)

    model_operations = set(participant_client.meta.service_model.operation_names)
    assert model_operations <= wire.operations()
    assert len(model_operations) == 11
    wire.assert_valid()


def _operation_documentation(operation: str) -> str:
    """The operation's documentation in botocore's ``connectparticipant`` model (what the API reference shows)."""
    return str(load_service_model("connectparticipant").operation_model(operation).documentation)


def test_message_receipts_conflict_with_more_than_two_active_participants(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    """SendEvent reference (botocore model; https://docs.aws.amazon.com/connect/latest/APIReference/
    API_connect-participant_SendEvent.html): "Message receipts are not supported when there are more than two
    active participants in the chat. Using the SendEvent API for message receipts when a supervisor is barged-in
    will result in a conflict exception."
    """
    assert "more than two active participants" in _operation_documentation("SendEvent")
    chat = open_chat(connect_client, participant_client)
    agent = join_agent(emulator, participant_client, chat.contact_id)
    first = send_text(participant_client, agent.connection_token, "before the barge-in")
    participant_client.send_event(
        ConnectionToken=chat.connection_token, ContentType=READ, Content=json.dumps({"messageId": first["Id"]})
    )

    supervisor = join_agent(emulator, participant_client, chat.contact_id, role="SUPERVISOR")
    second = send_text(participant_client, agent.connection_token, "during the barge-in")
    for kind in (READ, DELIVERED):
        with pytest.raises(participant_client.exceptions.ConflictException, match="more than two active"):
            participant_client.send_event(
                ConnectionToken=chat.connection_token, ContentType=kind, Content=json.dumps({"messageId": second["Id"]})
            )
    participant_client.send_event(ConnectionToken=chat.connection_token, ContentType=TYPING)  # other events pass

    participant_client.disconnect_participant(ConnectionToken=supervisor.connection_token)
    participant_client.send_event(
        ConnectionToken=chat.connection_token, ContentType=READ, Content=json.dumps({"messageId": second["Id"]})
    )
    item = find(whole_transcript(participant_client, agent.connection_token), Id=second["Id"])
    assert item is not None
    assert item["MessageMetadata"]["Receipts"][0]["RecipientParticipantId"] == chat.participant_id


def test_connection_acknowledged_events_are_refused(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    """SendEvent reference: the connection.acknowledged ContentType "will no longer be supported starting December
    31, 2024" (https://docs.aws.amazon.com/connect/latest/APIReference/API_connect-participant_SendEvent.html;
    botocore: "no longer maintained since December 31, 2024"); it moved to CreateParticipantConnection's
    ConnectParticipant. SendEvent answers an unsupported content type with ValidationException.
    """
    assert "December 31, 2024" in _operation_documentation("SendEvent")
    chat = open_chat(connect_client, participant_client)
    agent = join_agent(emulator, participant_client, chat.contact_id)

    with pytest.raises(participant_client.exceptions.ValidationException, match="ConnectParticipant"):
        participant_client.send_event(ConnectionToken=agent.connection_token, ContentType=ACKNOWLEDGED)

    again = participant_client.create_participant_connection(
        ParticipantToken=agent.participant_token, Type=["CONNECTION_CREDENTIALS"], ConnectParticipant=True
    )
    assert again["ConnectionCredentials"]["ConnectionToken"]
