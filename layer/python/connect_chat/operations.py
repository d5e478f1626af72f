"""The Participant Service operations of a session, synchronous, shared by the stateless and asyncio modes.

Each method validates its arguments, calls the service with the current connection token and returns the
ChatJS result shape ``{"data": <response>, "metadata": <caller's metadata>, "request_id": ...}``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from connect_chat.constants import ReceiptKind
from connect_chat.errors import InvalidArgumentError
from connect_chat.log import register_secret
from connect_chat.loggers import get_logger
from connect_chat.participant import ParticipantClient
from connect_chat.protocol import content_types as ct
from connect_chat.validation import (
    TranscriptArgs,
    validate_attachment,
    validate_attachment_ids,
    validate_event,
    validate_message,
    validate_receipt,
    validate_transcript_args,
)

if TYPE_CHECKING:
    from connect_chat.protocol.items import Item

__all__ = ["ChatOperations", "ConnectionResult", "receipt_content", "receipt_content_type", "result"]

_log = get_logger("operations")


def result(body: Mapping[str, Any], metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """Build ``{"data", "metadata", "request_id"}`` from a :meth:`ParticipantClient.call` body."""
    data = {k: v for k, v in body.items() if k != "_request_id"}
    meta = dict(metadata) if metadata is not None else None
    return {"data": data, "metadata": meta, "request_id": body.get("_request_id")}


def receipt_content_type(kind: ReceiptKind) -> str:
    """The event content type of a read/delivered receipt."""
    return ct.RECEIPT_CONTENT_TYPES[kind.value]


def receipt_content(message_id: str) -> str:
    """The SendEvent content of a receipt for ``message_id``: ``{"messageId":"..."}``."""
    return json.dumps({"messageId": message_id}, separators=(",", ":"))


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            from connect_chat.protocol.items import parse_timestamp  # the item model stays out of cold starts

            return parse_timestamp(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True, slots=True)
class ConnectionResult:
    """Parsed CreateParticipantConnection response."""

    connection_token: str | None = field(default=None, repr=False)
    token_expiry: datetime | None = None
    websocket_url: str | None = field(default=None, repr=False)
    url_expiry: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


def _text(argument: str, value: Any, max_len: int = 1000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(argument, "must be a non-empty string")
    if len(value) > max_len:
        raise InvalidArgumentError(argument, f"is {len(value)} characters long, the maximum is {max_len}")
    return value


class ChatOperations:
    """Participant Service operations bound to one participant.

    Parameters
    ----------
    participant : ParticipantClient
        The service client.
    connection_token : Callable[[], str]
        Returns the current connection token (raises ``NotConnectedError`` when there is none).
    """

    def __init__(self, participant: ParticipantClient, connection_token: Callable[[], str]) -> None:
        self.participant = participant
        self._token = connection_token

    # ------------------------------------------------------------------ connection
    def create_connection(
        self, participant_token: str, *, websocket: bool, connect_participant: bool | None
    ) -> ConnectionResult:
        """CreateParticipantConnection (CONNECTION_CREDENTIALS, plus WEBSOCKET when ``websocket``)."""
        types = ("WEBSOCKET", "CONNECTION_CREDENTIALS") if websocket else ("CONNECTION_CREDENTIALS",)
        body = self.participant.create_participant_connection(
            participant_token, types=types, connect_participant=connect_participant
        )
        creds = body.get("ConnectionCredentials") or {}
        socket = body.get("Websocket") or {}
        token = creds.get("ConnectionToken")
        url = socket.get("Url")
        register_secret(token)
        register_secret(url)
        return ConnectionResult(
            connection_token=token,
            token_expiry=_when(creds.get("Expiry")),
            websocket_url=url,
            url_expiry=_when(socket.get("ConnectionExpiry")),
            raw={k: v for k, v in body.items() if k != "_request_id"},
        )

    # ------------------------------------------------------------------ messages and events
    def send_message(
        self,
        content: Any,
        content_type: Any = ct.TEXT_PLAIN,
        *,
        client_token: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """SendMessage after validating type and per-type length."""
        text, kind = validate_message(content, content_type)
        return self.send_checked_message(text, kind, client_token=client_token, metadata=metadata)

    def send_checked_message(
        self,
        content: str,
        content_type: str,
        *,
        client_token: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """SendMessage with ``(content, content_type)`` as :func:`~connect_chat.validation.validate_message` gave."""
        body = self.participant.send_message(
            self._token(), content=content, content_type=content_type, client_token=client_token
        )
        return result(body, metadata)

    def send_event(
        self,
        content_type: Any,
        content: Any = None,
        *,
        client_token: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """SendEvent after validation (receipts need ``{"messageId": ...}``)."""
        kind, text = validate_event(content_type, content)
        return self.send_checked_event(kind, text, client_token=client_token, metadata=metadata)

    def send_checked_event(
        self,
        content_type: str,
        content: str | None = None,
        *,
        client_token: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """SendEvent with ``(content_type, content)`` as :func:`~connect_chat.validation.validate_event` gave."""
        body = self.participant.send_event(
            self._token(), content_type=content_type, content=content, client_token=client_token
        )
        return result(body, metadata)

    def send_message_receipt(
        self, event: Any, message_id: Any, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Send a read/delivered receipt at once (no throttle; the asyncio session throttles)."""
        kind, mid = validate_receipt(event, message_id)
        return self.send_checked_event(receipt_content_type(kind), receipt_content(mid), metadata=metadata)

    # ------------------------------------------------------------------ transcript
    def get_transcript(self, *, metadata: Mapping[str, Any] | None = None, **args: Any) -> dict[str, Any]:
        """GetTranscript; ``args`` as :func:`connect_chat.validation.validate_transcript_args`."""
        return self.get_checked_transcript(validate_transcript_args(**args), metadata=metadata)

    def get_checked_transcript(
        self, args: TranscriptArgs, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """GetTranscript with arguments :func:`~connect_chat.validation.validate_transcript_args` returned."""
        body = self.participant.get_transcript(self._token(), **args.to_request())
        return result(body, metadata)

    def fetch_items_after(self, after_id: str | None, *, max_pages: int = 20) -> list[Item]:
        """Every item after ``after_id`` (oldest first), paginating; without an id, the latest 100.

        This is the catch-up after a reconnect and the relay's ``resumeChat``.
        """
        from connect_chat.protocol.items import Item

        items: list[Item] = []
        next_token: str | None = None
        for _ in range(max_pages):
            if after_id is None:
                args: dict[str, Any] = {"max_results": 100, "scan_direction": "BACKWARD"}
            else:
                args = {"max_results": 100, "scan_direction": "FORWARD", "start_position": {"id": after_id}}
            if next_token is not None:
                args["next_token"] = next_token
            data = self.get_transcript(sort_order="ASCENDING", **args)["data"]
            for raw in data.get("Transcript") or []:
                item = Item.from_dict(raw)
                if item.id != after_id:
                    items.append(item)
            next_token = data.get("NextToken")
            if not next_token or after_id is None:
                break
        items.sort(key=Item.sort_key)
        return items

    # ------------------------------------------------------------------ attachments
    def send_attachment(
        self,
        attachment: Any,
        *,
        name: str | None = None,
        content_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """StartAttachmentUpload, PUT the bytes (status checked), CompleteAttachmentUpload.

        Returns
        -------
        dict
            ``{"data": {"AttachmentId", "AttachmentName", "ContentType", ...}, "metadata", "request_id"}``.
        """
        from connect_chat.attachments import prepare_attachment, upload  # only attachments need it

        prepared = prepare_attachment(attachment, name=name, content_type=content_type)
        started = self.start_checked_attachment_upload(
            prepared.name, prepared.size, prepared.content_type, client_token=str(uuid.uuid4())
        )["data"]
        upload_meta = started.get("UploadMetadata") or {}
        upload(str(upload_meta.get("Url")), prepared.data, upload_meta.get("HeadersToInclude"))
        attachment_id = str(started["AttachmentId"])
        out = self.complete_attachment_upload([attachment_id], client_token=str(uuid.uuid4()), metadata=metadata)
        out["data"] = {
            **out["data"],
            "AttachmentId": attachment_id,
            "AttachmentName": prepared.name,
            "ContentType": prepared.content_type,
            "AttachmentSizeInBytes": prepared.size,
        }
        return out

    def start_attachment_upload(
        self,
        name: Any,
        size: Any,
        content_type: Any,
        *,
        client_token: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """StartAttachmentUpload after validating name, size (20 MB) and type.

        Returns
        -------
        dict
            ``{"data": {"AttachmentId", "UploadMetadata": {"Url", "UrlExpiry", "HeadersToInclude"}}, ...}``.
        """
        name, size, content_type = validate_attachment(name, size, content_type)
        return self.start_checked_attachment_upload(
            name, size, content_type, client_token=client_token, metadata=metadata
        )

    def start_checked_attachment_upload(
        self,
        name: str,
        size: int,
        content_type: str,
        *,
        client_token: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """StartAttachmentUpload with arguments :func:`~connect_chat.validation.validate_attachment` returned."""
        body = self.participant.start_attachment_upload(
            self._token(), content_type=content_type, size=size, name=name, client_token=client_token
        )
        return result(body, metadata)

    def complete_attachment_upload(
        self,
        attachment_ids: Iterable[str],
        *,
        client_token: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """CompleteAttachmentUpload, once the bytes are at the upload URL (``attachment_ids``: the one id)."""
        ids = validate_attachment_ids(attachment_ids)
        body = self.participant.complete_attachment_upload(self._token(), attachment_ids=ids, client_token=client_token)
        return result(body, metadata)

    def get_attachment_url(self, attachment_id: Any, *, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GetAttachment: ``{"data": {"Url", "UrlExpiry", "AttachmentSizeInBytes"}, ...}``."""
        aid = _text("attachment_id", attachment_id, 256)
        return result(self.participant.get_attachment(self._token(), attachment_id=aid), metadata)

    def download_attachment(self, attachment_id: Any) -> bytes:
        """GetAttachment, then GET the bytes."""
        url = self.get_attachment_url(attachment_id)["data"].get("Url")
        if not isinstance(url, str):
            from connect_chat.errors import AttachmentError

            raise AttachmentError("the service returned no download URL")
        from connect_chat.attachments import download

        return download(url)

    # ------------------------------------------------------------------ other calls
    def disconnect_participant(self, *, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """DisconnectParticipant."""
        return result(self.participant.disconnect_participant(self._token()), metadata)

    def describe_view(self, view_token: Any, *, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """DescribeView."""
        token = _text("view_token", view_token)
        return result(self.participant.describe_view(self._token(), view_token=token), metadata)

    def get_authentication_url(
        self, redirect_uri: Any, session_id: Any, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """GetAuthenticationUrl."""
        uri = _text("redirect_uri", redirect_uri, 1024)
        sid = _text("session_id", session_id, 36)
        body = self.participant.get_authentication_url(self._token(), session_id=sid, redirect_uri=uri)
        return result(body, metadata)

    def cancel_participant_authentication(
        self, session_id: Any, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """CancelParticipantAuthentication."""
        sid = _text("session_id", session_id, 36)
        return result(self.participant.cancel_participant_authentication(self._token(), session_id=sid), metadata)
