"""The ``connectparticipant`` operations: validated parameters in, output-shape dicts out."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from . import content_types as ct
from .attachments import AttachmentStore
from .chat import ChatService
from .errors import participant_validation
from .timeutil import iso_ms
from .transcript import page_transcript

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class ParticipantApi:
    """Handlers for every operation in botocore's ``connectparticipant`` model."""

    def __init__(self, chats: ChatService, attachments: AttachmentStore) -> None:
        self.chats = chats
        self.attachments = attachments
        self.handlers: dict[str, Handler] = {
            "CreateParticipantConnection": self.create_participant_connection,
            "SendMessage": self.send_message,
            "SendEvent": self.send_event,
            "GetTranscript": self.get_transcript,
            "DisconnectParticipant": self.disconnect_participant,
            "StartAttachmentUpload": self.start_attachment_upload,
            "CompleteAttachmentUpload": self.complete_attachment_upload,
            "GetAttachment": self.get_attachment,
            "DescribeView": self.describe_view,
            "GetAuthenticationUrl": self.get_authentication_url,
            "CancelParticipantAuthentication": self.cancel_participant_authentication,
        }

    def create_participant_connection(self, params: dict[str, Any]) -> dict[str, Any]:
        participant = self.chats.participant_for_token(params.get("ParticipantToken"))
        types = params.get("Type") or []
        if not types and not params.get("ConnectParticipant"):
            raise participant_validation("Type must list WEBSOCKET and/or CONNECTION_CREDENTIALS")
        unsupported = [t for t in types if t not in ("WEBSOCKET", "CONNECTION_CREDENTIALS")]
        if unsupported:
            raise participant_validation(f"Type {unsupported} is not available for chat contacts")
        return self.chats.create_connection(participant, types, bool(params.get("ConnectParticipant")))

    def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        participant = self.chats.participant_for_connection(params["ConnectionToken"])
        item = self.chats.send_message(participant, params["ContentType"], params["Content"], params.get("ClientToken"))
        return {"Id": item.id, "AbsoluteTime": item.data["AbsoluteTime"]}

    def send_event(self, params: dict[str, Any]) -> dict[str, Any]:
        participant = self.chats.participant_for_connection(params["ConnectionToken"])
        item = self.chats.send_event(
            participant, params["ContentType"], params.get("Content"), params.get("ClientToken")
        )
        return {"Id": item.id, "AbsoluteTime": item.data["AbsoluteTime"]}

    def get_transcript(self, params: dict[str, Any]) -> dict[str, Any]:
        participant = self.chats.participant_for_connection(params["ConnectionToken"], allow_ended=True)
        contact = participant.contact
        items = contact.transcript_items(participant)
        wanted = params.get("ContactId")
        if wanted:
            chain_ids = {c.contact_id for c in contact.chain()}
            if wanted not in chain_ids:
                raise participant_validation(f"ContactId '{wanted}' is not part of this chat's contact chain")
            items = [item for item in items if item.data["ContactId"] == wanted]
        page = page_transcript(items, params, scope=participant.participant_id + (wanted or ""))
        output: dict[str, Any] = {
            "InitialContactId": contact.initial_contact_id,
            "Transcript": [item.public() for item in page.items],
        }
        if page.next_token:
            output["NextToken"] = page.next_token
        return output

    def disconnect_participant(self, params: dict[str, Any]) -> dict[str, Any]:
        participant = self.chats.participant_for_connection(params["ConnectionToken"])
        self.chats.disconnect(participant)
        return {}

    def start_attachment_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        participant = self.chats.participant_for_connection(params["ConnectionToken"])
        return self.attachments.start_upload(participant, params)

    def complete_attachment_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        participant = self.chats.participant_for_connection(params["ConnectionToken"])
        self.attachments.complete_upload(participant, params)
        return {}

    def get_attachment(self, params: dict[str, Any]) -> dict[str, Any]:
        participant = self.chats.participant_for_connection(params["ConnectionToken"], allow_ended=True)
        return self.attachments.get_attachment(participant, params)

    def describe_view(self, params: dict[str, Any]) -> dict[str, Any]:
        self.chats.participant_for_connection(params["ConnectionToken"])
        return {"View": self.chats.describe_view(params["ViewToken"])}

    def get_authentication_url(self, params: dict[str, Any]) -> dict[str, Any]:
        participant = self.chats.participant_for_connection(params["ConnectionToken"])
        if participant.role != "CUSTOMER":
            raise participant_validation("Only the customer can be authenticated")
        self.chats.event(
            participant.contact,
            None,
            ct.AUTHENTICATION_INITIATED,
            content=f'{{"SessionId":"{params["SessionId"]}"}}',
        )
        url = (
            f"{self.chats.config.http_base}/_emulator/authenticate?session={params['SessionId']}"
            f"&state={uuid.uuid4().hex}&expires={iso_ms(time.time() + 300)}"
        )
        return {"AuthenticationUrl": url}

    def cancel_participant_authentication(self, params: dict[str, Any]) -> dict[str, Any]:
        participant = self.chats.participant_for_connection(params["ConnectionToken"])
        self.chats.event(
            participant.contact,
            None,
            ct.AUTHENTICATION_CANCELLED,
            content=f'{{"SessionId":"{params["SessionId"]}"}}',
        )
        return {}
