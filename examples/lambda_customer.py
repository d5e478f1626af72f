"""A customer's chat driven by Lambda functions, with connect_chat's stateless mode.

Three handlers share a DynamoDB table (``CHAT_TABLE``, partition key ``contactId``, TTL on ``expiresAt``):

- ``start_handler`` starts a chat whose items Connect streams to your SNS topic, connects the customer once and
  stores the chat's tokens;
- ``send_handler`` sends the customer's text with the stored connection token (renewed and stored again when
  Connect refuses it);
- ``stream_handler``, subscribed to the topic, turns each notification into the items the customer should see,
  and confirms delivery of the agent's messages.

No handler holds a socket: Connect's message streaming (StartContactStreaming to SNS) brings the agent's side.
The tokens are secrets: keep the table encrypted and never log them. Environment: ``CONNECT_INSTANCE_ID``,
``CONTACT_FLOW_ID``, ``STREAMING_TOPIC_ARN``, ``CHAT_TABLE``; the functions need ``connect:StartChatContact``
and ``connect:StartContactStreaming`` on the instance, and the Participant Service calls need no IAM at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from typing import Any

import boto3

from connect_chat import (
    Audience,
    ChatEndedError,
    ChatSession,
    ConflictError,
    ItemType,
    ParticipantRole,
    StatelessChatSession,
    content_types,
    parse_sns_record,
)

connect = boto3.client("connect")
chats = boto3.resource("dynamodb").Table(os.environ["CHAT_TABLE"])


def start_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``{"displayName": "Ana"}`` → ``{"contactId": ...}``: a new chat, its customer connected."""
    started = connect.start_chat_contact(
        InstanceId=os.environ["CONNECT_INSTANCE_ID"],
        ContactFlowId=os.environ["CONTACT_FLOW_ID"],
        ParticipantDetails={"DisplayName": event["displayName"]},
        # Streaming starts with the contact, so nothing the flow sends first is missed.
        ChatStreamingConfiguration={"StreamingEndpointArn": os.environ["STREAMING_TOPIC_ARN"]},
        ChatDurationInMinutes=60,
    )
    chat = {
        "contactId": started["ContactId"],
        "participantId": started["ParticipantId"],
        "participantToken": started["ParticipantToken"],  # renews the connection token when it expires
    }
    session = ChatSession.create_stateless(chat)
    session.create_connection()  # ConnectParticipant: under message streaming the customer is there from now on
    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=60, days=1)
    chats.put_item(Item={**chat, "connectionToken": session.connection_token, "expiresAt": int(expires_at.timestamp())})
    return {"contactId": started["ContactId"]}


def customer_session(contact_id: str) -> StatelessChatSession | None:
    """The stored chat's customer session, or None for a chat this table does not know."""
    chat = chats.get_item(Key={"contactId": contact_id}).get("Item")
    if chat is None:
        return None

    def store(token: str, expiry: str | None) -> None:
        chats.update_item(
            Key={"contactId": contact_id},
            UpdateExpression="SET connectionToken = :token",
            ExpressionAttributeValues={":token": token},
        )

    return ChatSession.create_stateless(
        {
            "contactId": contact_id,
            "participantId": chat["participantId"],
            "participantToken": chat["participantToken"],
            "connectionToken": chat["connectionToken"],
        },
        on_connection_token_refreshed=store,
    )


def send_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``{"contactId", "text"}`` → ``{"messageId", "absoluteTime"}``."""
    session = customer_session(event["contactId"])
    if session is None:
        raise LookupError(f"no chat {event['contactId']}")
    sent = session.send_message(event["text"], client_token=event.get("requestId"))
    return {"messageId": sent["data"]["Id"], "absoluteTime": sent["data"]["AbsoluteTime"]}


def stream_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The SNS trigger: every item the customer should see, oldest first (deliver them to the customer here)."""
    delivered: list[dict[str, Any]] = []
    for record in event["Records"]:
        contact_id = parse_sns_record(record).item.initial_contact_id
        session = customer_session(contact_id) if contact_id else None
        if session is None:
            continue  # another application's chat on the same topic
        for item in session.items_from_event([record], audience=Audience.CUSTOMER):
            delivered.append(item.to_dict())
            if item.type == ItemType.MESSAGE and item.participant_role != ParticipantRole.SYSTEM:
                confirm_delivery(session, item.id)
            if item.content_type == content_types.CHAT_ENDED:
                chats.delete_item(Key={"contactId": contact_id})
    return {"delivered": delivered}


def confirm_delivery(session: StatelessChatSession, message_id: str) -> None:
    """A delivered receipt, unless pointless: Connect refuses receipts while more than two participants are
    active, and a late notification may arrive after the chat ended."""
    with contextlib.suppress(ConflictError, ChatEndedError):
        session.send_message_receipt("delivered", message_id=message_id)
