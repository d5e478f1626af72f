"""A bot that answers customers from a Lambda function, as a custom participant (CUSTOM_BOT) of each chat.

Subscribe the function to the chats' streaming topic (with a filter policy on ``MessageVisibility`` ``ALL`` and
``AGENT``, what an agent may see). For each customer message the bot joins that chat once (CreateParticipant;
its tokens are kept in ``BOT_TABLE``, partition key ``contactId``, TTL on ``expiresAt``) and answers with
connect_chat's stateless mode. SNS delivers at least once: the answer's ClientToken is derived from the
customer's message, so a redelivery makes Connect return the first answer instead of sending a second one.

Environment: ``CONNECT_INSTANCE_ID``, ``BOT_TABLE``; the function needs ``connect:CreateParticipant`` on the
instance's contacts.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

import boto3

from connect_chat import (
    Audience,
    ChatSession,
    ItemType,
    ParticipantRole,
    SessionType,
    StatelessChatSession,
    items_from_sns_event,
)

BOT_NAME = "Bot"
connect = boto3.client("connect")
bots = boto3.resource("dynamodb").Table(os.environ["BOT_TABLE"])


def answer(text: str) -> str | None:
    """The bot's reply to a customer's ``text`` (None: stay silent). Put your own logic here."""
    if "opening hours" in text.lower():
        return "We are open from 9:00 to 17:00, Monday to Friday."
    return f"Thanks! I have passed your message on: {text}"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The SNS trigger: answer every customer text message; returns the answers' ids."""
    answered: list[str] = []
    for notification in items_from_sns_event(event, audience=Audience.AGENT):
        item = notification.item
        if item.type != ItemType.MESSAGE or item.participant_role != ParticipantRole.CUSTOMER:
            continue
        if item.content_type != "text/plain" or not item.contact_id:
            continue
        reply = answer(item.content or "")
        if reply is None:
            continue
        sent = bot_session(item.contact_id).send_message(
            reply, client_token=str(uuid.uuid5(uuid.NAMESPACE_URL, item.id))
        )
        answered.append(sent["data"]["Id"])
    return {"answered": answered}


def bot_session(contact_id: str) -> StatelessChatSession:
    """The bot's session in the chat ``contact_id``: joins the chat the first time."""
    stored = bots.get_item(Key={"contactId": contact_id}).get("Item")
    if stored is None:
        created = connect.create_participant(
            InstanceId=os.environ["CONNECT_INSTANCE_ID"],
            ContactId=contact_id,
            ParticipantDetails={"ParticipantRole": "CUSTOM_BOT", "DisplayName": BOT_NAME},
        )
        credentials = created["ParticipantCredentials"]
        stored = {
            "contactId": contact_id,
            "participantId": created["ParticipantId"],
            "participantToken": credentials["ParticipantToken"],
            # The participant token lasts as long as the chat: so does the bot's record.
            "expiresAt": int(dt.datetime.fromisoformat(credentials["Expiry"].replace("Z", "+00:00")).timestamp()),
        }
    session = ChatSession.create_stateless(
        {
            "contactId": contact_id,
            "participantId": stored["participantId"],
            "participantToken": stored["participantToken"],
            "connectionToken": stored.get("connectionToken"),
        },
        type=SessionType.AGENT,  # ChatJS's two session types: a bot is on the agent's side
        on_connection_token_refreshed=lambda token, expiry: save(stored, token),
    )
    if session.connection_token is None:
        session.create_connection()  # ConnectParticipant: the bot has joined
        save(stored, session.connection_token)
    return session


def save(stored: dict[str, Any], connection_token: str | None) -> None:
    """Keep the bot's tokens for the next invocation."""
    bots.put_item(Item={**stored, "connectionToken": connection_token})
