"""The ``connect`` operations a chat integration uses."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

from .chat import ChatService, Contact
from .errors import ServiceError, invalid_parameter, invalid_request, resource_not_found
from .streaming import StreamingPublisher
from .timeutil import iso_ms

Handler = Callable[[dict[str, Any]], dict[str, Any]]
_SNS_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
SERVED_OPERATIONS = (
    "StartChatContact",
    "StartContactStreaming",
    "StopContactStreaming",
    "StopContact",
    "DescribeContact",
    "UpdateContactAttributes",
    "CreateParticipant",
)


class ConnectApi:
    """Handlers for the ``connect`` operations in :data:`SERVED_OPERATIONS`."""

    def __init__(self, chats: ChatService, streaming: StreamingPublisher) -> None:
        self.chats = chats
        self.streaming = streaming
        self.streaming_tokens: dict[str, str] = {}
        self.handlers: dict[str, Handler] = {
            "StartChatContact": self.start_chat_contact,
            "StartContactStreaming": self.start_contact_streaming,
            "StopContactStreaming": self.stop_contact_streaming,
            "StopContact": self.stop_contact,
            "DescribeContact": self.describe_contact,
            "UpdateContactAttributes": self.update_contact_attributes,
            "CreateParticipant": self.create_participant,
        }

    def start_chat_contact(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params["ContactFlowId"]:
            raise invalid_parameter("ContactFlowId must not be empty")
        contact, customer, previous = self.chats.start_chat(params)
        output: dict[str, Any] = {
            "ContactId": contact.contact_id,
            "ParticipantId": customer.participant_id,
            "ParticipantToken": customer.participant_token,
        }
        if previous is not None:
            output["ContinuedFromContactId"] = previous.contact_id
        streaming = params.get("ChatStreamingConfiguration")
        if streaming:
            output["StreamingId"] = self._start_streaming(contact, streaming["StreamingEndpointArn"])
        return output

    def _start_streaming(self, contact: Contact, arn: str) -> str:
        if not _SNS_ARN.match(arn):
            raise invalid_parameter(f"StreamingEndpointArn '{arn}' is not an SNS topic ARN")
        if contact.state != "ACTIVE":
            raise invalid_request(f"Contact {contact.contact_id} is not active")
        existing = next((sid for sid, target in contact.streaming.items() if target == arn), None)
        if existing:
            return existing
        streaming_id = str(uuid.uuid4())
        contact.streaming[streaming_id] = arn
        return streaming_id

    def start_contact_streaming(self, params: dict[str, Any]) -> dict[str, Any]:
        contact = self.chats.contact(params["ContactId"], params["InstanceId"])
        key = f"{contact.contact_id}:{params['ClientToken']}"
        if key not in self.streaming_tokens:
            arn = params["ChatStreamingConfiguration"]["StreamingEndpointArn"]
            self.streaming_tokens[key] = self._start_streaming(contact, arn)
        return {"StreamingId": self.streaming_tokens[key]}

    def stop_contact_streaming(self, params: dict[str, Any]) -> dict[str, Any]:
        contact = self.chats.contact(params["ContactId"], params["InstanceId"])
        if contact.streaming.pop(params["StreamingId"], None) is None:
            raise resource_not_found(f"StreamingId {params['StreamingId']} not found for this contact")
        return {}

    def stop_contact(self, params: dict[str, Any]) -> dict[str, Any]:
        contact = self.chats.contact(params["ContactId"], params["InstanceId"])
        if contact.state == "ENDED":
            raise ServiceError("ContactNotFoundException", 410, f"Contact {contact.contact_id} is not active")
        reason = (params.get("DisconnectReason") or {}).get("Code", "API")
        self.chats.end_chat(contact, reason)
        return {}

    def describe_contact(self, params: dict[str, Any]) -> dict[str, Any]:
        contact = self.chats.contact(params["ContactId"], params["InstanceId"])
        arn = f"arn:aws:connect:{self.chats.config.region}:{self.chats.config.account_id}:{contact.arn_suffix}"
        described: dict[str, Any] = {
            "Arn": arn,
            "Id": contact.contact_id,
            "InitialContactId": contact.initial_contact_id,
            "Channel": "CHAT",
            "InitiationMethod": "API",
            "InitiationTimestamp": _utc(contact.started_at),
            "LastUpdateTimestamp": _utc(contact.ended_at or contact.started_at),
            "Attributes": dict(contact.attributes),
        }
        if contact.previous is not None:
            described["PreviousContactId"] = contact.previous.contact_id
        if contact.ended_at is not None:
            described["DisconnectTimestamp"] = _utc(contact.ended_at)
            described["DisconnectReason"] = contact.disconnect_reason
        agent = next((p for p in contact.participants.values() if p.role == "AGENT"), None)
        if agent is not None:
            described["AgentInfo"] = {"Id": agent.participant_id}
        return {"Contact": described}

    def update_contact_attributes(self, params: dict[str, Any]) -> dict[str, Any]:
        contact = next(
            (
                c
                for c in self.chats.contacts.values()
                if c.initial_contact_id == params["InitialContactId"] and c.instance_id == params["InstanceId"]
            ),
            None,
        )
        if contact is None:
            raise resource_not_found(f"Contact {params['InitialContactId']} not found")
        contact.attributes.update(params["Attributes"])
        return {}

    def create_participant(self, params: dict[str, Any]) -> dict[str, Any]:
        contact = self.chats.contact(params["ContactId"], params["InstanceId"])
        details = params["ParticipantDetails"]
        role = details.get("ParticipantRole", "CUSTOM_BOT")
        if role != "CUSTOM_BOT":
            raise invalid_request("CreateParticipant supports ParticipantRole CUSTOM_BOT for chat contacts")
        participant = self.chats.add_participant(contact, "CUSTOM_BOT", details.get("DisplayName", "Bot"))
        # The token lasts for the participant's lifetime, which the chat's duration bounds.
        return {
            "ParticipantId": participant.participant_id,
            "ParticipantCredentials": {
                "ParticipantToken": participant.participant_token,
                "Expiry": iso_ms(contact.expires_at),
            },
        }


def _utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
