"""Chat semantics: contacts, participants, tokens and items, independent of HTTP.

Every method here is synchronous and runs on the event loop's thread, so no state is shared across
I/O and no lock is needed. I/O (websocket pushes, SNS publishing) happens in listeners that queue work.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from connect_chat import interactive
from connect_chat.errors import InvalidArgumentError

from . import content_types as ct
from .config import EmulatorConfig
from .errors import (
    ServiceError,
    access_denied,
    conflict,
    invalid_request,
    participant_validation,
    resource_not_found,
)
from .timeutil import ItemClock, iso_ms

Role = Literal["CUSTOMER", "AGENT", "SYSTEM", "CUSTOM_BOT", "SUPERVISOR"]
Visibility = Literal["ALL", "CUSTOMER", "AGENT"]


@dataclass
class ChatItem:
    """One transcript item. ``data`` uses the Participant Service's field names."""

    data: dict[str, Any]
    visibility: Visibility = "ALL"
    in_transcript: bool = True

    @property
    def id(self) -> str:
        return str(self.data["Id"])

    @property
    def epoch_ms(self) -> int:
        return int(self.data["_ms"])

    def public(self) -> dict[str, Any]:
        """The item as clients see it (no internal fields)."""
        return {k: v for k, v in self.data.items() if not k.startswith("_")}


@dataclass
class Participant:
    """A participant of one contact, with its long-lived participant token."""

    participant_id: str
    contact: Contact
    role: Role
    display_name: str
    participant_token: str
    state: Literal["ACTIVE", "LEFT"] = "ACTIVE"
    acknowledged: bool = False
    sent_tokens: dict[str, ChatItem] = field(default_factory=dict)

    def can_see(self, item: ChatItem) -> bool:
        """Whether MessageVisibility lets this participant see ``item``."""
        if item.visibility == "ALL" or self.role not in ("CUSTOMER", "AGENT"):
            return True
        return item.visibility == self.role


@dataclass
class Attachment:
    """An attachment between StartAttachmentUpload and its approval."""

    attachment_id: str
    contact: Contact
    uploader: Participant
    name: str
    content_type: str
    size: int
    upload_token: str
    upload_expires_at: float
    data: bytes | None = None
    status: Literal["UPLOADING", "IN_PROGRESS", "APPROVED", "REJECTED"] = "UPLOADING"
    item: ChatItem | None = None
    completed_with: str | None = None


@dataclass
class Contact:
    """A chat contact and its items."""

    contact_id: str
    initial_contact_id: str
    instance_id: str
    contact_flow_id: str
    attributes: dict[str, str]
    supported_content_types: frozenset[str]
    started_at: float
    previous: Contact | None = None
    expires_at: float = float("inf")
    """When the chat ends on its own (``ChatDurationInMinutes`` after the start); participant tokens expire then."""
    state: Literal["ACTIVE", "ENDED"] = "ACTIVE"
    ended_at: float | None = None
    disconnect_reason: str | None = None
    items: list[ChatItem] = field(default_factory=list)
    participants: dict[str, Participant] = field(default_factory=dict)
    streaming: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)
    end_timer: asyncio.TimerHandle | None = None

    @property
    def arn_suffix(self) -> str:
        return f"instance/{self.instance_id}/contact/{self.contact_id}"

    def chain(self) -> list[Contact]:
        """This contact and those it continues (persistent chat), oldest first."""
        chain: list[Contact] = []
        current: Contact | None = self
        while current is not None:
            chain.append(current)
            current = current.previous
        return list(reversed(chain))

    def transcript_items(self, viewer: Participant) -> list[ChatItem]:
        """Every transcript item of the chain that ``viewer`` may see, oldest first."""
        return [
            item for contact in self.chain() for item in contact.items if item.in_transcript and viewer.can_see(item)
        ]

    def customer(self) -> Participant | None:
        return next((p for p in self.participants.values() if p.role == "CUSTOMER"), None)

    def active_participants(self) -> list[Participant]:
        """The participants who have not left."""
        return [p for p in self.participants.values() if p.state == "ACTIVE"]


@dataclass
class ConnectionGrant:
    """A connection token (bearer for every Participant Service call but CreateParticipantConnection)."""

    participant: Participant
    expires_at: float


@dataclass
class SocketGrant:
    """A websocket URL's token: it must be opened by ``connect_by`` and lives until ``expires_at``."""

    participant: Participant
    connect_by: float
    expires_at: float


ItemListener = Callable[[Contact, ChatItem], None]
ContactListener = Callable[[Contact], None]


class ChatService:
    """The state of every chat the emulator knows, and the operations on it."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.contacts: dict[str, Contact] = {}
        self.participant_tokens: dict[str, Participant] = {}
        self.connection_tokens: dict[str, ConnectionGrant] = {}
        self.socket_grants: dict[str, SocketGrant] = {}
        self.attachments: dict[str, Attachment] = {}
        self.start_tokens: dict[str, tuple[Contact, Participant]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.item_listeners: list[ItemListener] = []
        self.contact_started_listeners: list[ContactListener] = []
        self.contact_ended_listeners: list[ContactListener] = []
        self.participant_left_listeners: list[Callable[[Participant], None]] = []
        self._clock = ItemClock()

    # ----------------------------------------------------------------------------------------- items

    def new_item(
        self,
        contact: Contact,
        sender: Participant | None,
        *,
        item_type: str,
        content_type: str,
        content: str | None = None,
        visibility: Visibility = "ALL",
        in_transcript: bool = True,
        extra: dict[str, Any] | None = None,
    ) -> ChatItem:
        """Create, store and announce an item of ``contact`` sent by ``sender`` (``None``: the system)."""
        epoch_ms = self._clock.next_ms()
        data: dict[str, Any] = {
            "Id": str(uuid.uuid4()),
            "Type": item_type,
            "ContentType": content_type,
            "AbsoluteTime": iso_ms(epoch_ms / 1000),
            "ContactId": contact.contact_id,
            "InitialContactId": contact.initial_contact_id,
            "_ms": epoch_ms,
        }
        if content is not None:
            data["Content"] = content
        if sender is not None:
            data.update(
                ParticipantId=sender.participant_id,
                DisplayName=sender.display_name,
                ParticipantRole=sender.role,
            )
        else:
            data.update(ParticipantRole="SYSTEM", DisplayName="SYSTEM_MESSAGE")
        data.update(extra or {})
        item = ChatItem(data, visibility, in_transcript)
        if in_transcript:
            contact.items.append(item)
        self.announce(contact, item)
        return item

    def announce(self, contact: Contact, item: ChatItem) -> None:
        """Tell every listener (sockets, streaming, the simulated agent) about a new or updated item."""
        for listener in list(self.item_listeners):
            listener(contact, item)

    def event(self, contact: Contact, sender: Participant | None, content_type: str, **kwargs: Any) -> ChatItem:
        """An EVENT item; kept in the transcript when the documentation lists its type there."""
        return self.new_item(
            contact,
            sender,
            item_type="EVENT",
            content_type=content_type,
            in_transcript=content_type in ct.TRANSCRIPT_EVENT_TYPES,
            **kwargs,
        )

    # -------------------------------------------------------------------------------------- contacts

    def start_chat(self, params: dict[str, Any]) -> tuple[Contact, Participant, Contact | None]:
        """StartChatContact: a new contact with its customer; returns the contact it continues, if any."""
        client_token = params.get("ClientToken")
        if client_token and client_token in self.start_tokens:
            contact, customer = self.start_tokens[client_token]
            return contact, customer, contact.previous
        supported = params.get("SupportedMessagingContentTypes") or [ct.TEXT_PLAIN]
        unknown = sorted(set(supported) - ct.SUPPORTABLE_MESSAGE_TYPES)
        if unknown:
            raise invalid_request(
                f"SupportedMessagingContentTypes contains unsupported types {unknown}; "
                f"allowed: {sorted(ct.SUPPORTABLE_MESSAGE_TYPES)}"
            )
        if ct.TEXT_PLAIN not in supported:
            raise invalid_request("SupportedMessagingContentTypes must contain text/plain")
        previous = self._rehydration_source(params.get("PersistentChat"))
        minutes = params.get("ChatDurationInMinutes") or 1500
        started_at = time.time()
        contact_id = str(uuid.uuid4())
        contact = Contact(
            contact_id=contact_id,
            initial_contact_id=contact_id,
            instance_id=params["InstanceId"],
            contact_flow_id=params["ContactFlowId"],
            attributes=dict(params.get("Attributes") or {}),
            supported_content_types=frozenset(supported),
            started_at=started_at,
            previous=previous,
            expires_at=started_at + minutes * 60,
        )
        initial = params.get("InitialMessage")
        if initial:
            self._check_message(contact, initial["ContentType"], initial["Content"], field_prefix="InitialMessage.")
        self.contacts[contact_id] = contact
        customer = self.add_participant(contact, "CUSTOMER", params["ParticipantDetails"]["DisplayName"])
        if previous is not None:
            self.event(contact, None, ct.CHAT_REHYDRATED)
        if initial:
            self.new_item(
                contact,
                customer,
                item_type="MESSAGE",
                content_type=initial["ContentType"],
                content=initial["Content"],
            )
        self._schedule_end(contact, minutes * 60)
        if client_token:
            self.start_tokens[client_token] = (contact, customer)
        for listener in list(self.contact_started_listeners):
            listener(contact)
        return contact, customer, previous

    def _rehydration_source(self, persistent: dict[str, Any] | None) -> Contact | None:
        if not persistent:
            return None
        source_id = persistent.get("SourceContactId")
        rehydration = persistent.get("RehydrationType")
        if not source_id or not rehydration:
            raise invalid_request("PersistentChat needs both RehydrationType and SourceContactId")
        if rehydration == "ENTIRE_PAST_SESSION":
            session = [c for c in self.contacts.values() if source_id in (c.initial_contact_id, c.contact_id)]
            session += [c for c in self.contacts.values() if any(p.contact_id == source_id for p in c.chain())]
            ended = [c for c in session if c.state == "ENDED"]
            if not session:
                raise resource_not_found(f"Contact {source_id} was not found")
            if not ended:
                raise invalid_request(f"Contact {source_id} has no ended chat contact to rehydrate")
            return max(ended, key=lambda c: c.ended_at or 0)
        source = self.contacts.get(source_id)
        if source is None:
            raise resource_not_found(f"Contact {source_id} was not found")
        if source.state != "ENDED":
            raise invalid_request(f"Contact {source_id} is still active; only ended chats can be rehydrated")
        return source

    def _schedule_end(self, contact: Contact, seconds: float) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        contact.end_timer = loop.call_later(seconds, self.end_chat, contact, "EXPIRED")

    def contact(self, contact_id: str, instance_id: str | None = None) -> Contact:
        """The contact with ``contact_id`` (and ``instance_id`` when given), or ResourceNotFoundException."""
        contact = self.contacts.get(contact_id)
        if contact is None or (instance_id is not None and contact.instance_id != instance_id):
            raise resource_not_found(f"Contact {contact_id} not found in instance {instance_id or '-'}")
        return contact

    def add_participant(self, contact: Contact, role: Role, display_name: str) -> Participant:
        """A new participant of ``contact``; announces ``participant.joined``."""
        if contact.state != "ACTIVE":
            raise invalid_request(f"Contact {contact.contact_id} has ended")
        participant = Participant(
            participant_id=str(uuid.uuid4()),
            contact=contact,
            role=role,
            display_name=display_name,
            participant_token=_token("pt"),
        )
        contact.participants[participant.participant_id] = participant
        self.participant_tokens[participant.participant_token] = participant
        self.event(contact, participant, ct.PARTICIPANT_JOINED)
        return participant

    def end_chat(self, contact: Contact, reason: str = "CUSTOMER_DISCONNECT") -> None:
        """End ``contact``: announce ``chat.ended``; sockets close; tokens stop working for new calls."""
        if contact.state == "ENDED":
            return
        for participant in contact.participants.values():
            if participant.state == "ACTIVE" and participant.role != "CUSTOMER":
                participant.state = "LEFT"
                self.event(contact, participant, ct.PARTICIPANT_LEFT)
        self.event(contact, None, ct.CHAT_ENDED)
        contact.state = "ENDED"
        contact.ended_at = time.time()
        contact.disconnect_reason = reason
        if contact.end_timer is not None:
            contact.end_timer.cancel()
        for listener in list(self.contact_ended_listeners):
            listener(contact)

    def disconnect(self, participant: Participant) -> None:
        """DisconnectParticipant: the participant leaves; a customer or agent leaving ends the chat."""
        contact = participant.contact
        if participant.state == "LEFT":
            return
        participant.state = "LEFT"
        self.event(contact, participant, ct.PARTICIPANT_LEFT)
        # End the chat before the leaver's sockets close, so that they too receive chat.ended.
        if participant.role in ("CUSTOMER", "AGENT"):
            self.end_chat(contact, f"{participant.role}_DISCONNECT")
        for listener in list(self.participant_left_listeners):
            listener(participant)

    # ---------------------------------------------------------------------------------------- tokens

    def participant_for_token(self, token: str | None) -> Participant:
        """The participant a participant token belongs to; AccessDeniedException when unusable."""
        participant = self.participant_tokens.get(token or "")
        if participant is None:
            raise access_denied("Invalid participant token")
        if participant.state == "LEFT":
            raise access_denied("The participant has disconnected")
        if participant.contact.state == "ENDED":
            raise access_denied("The chat has ended")
        return participant

    def participant_for_connection(self, token: str | None, *, allow_ended: bool = False) -> Participant:
        """The participant a connection token belongs to; AccessDeniedException when unusable.

        ``allow_ended`` lets reads (transcript, attachments) through after the chat ended, as long as
        the participant did not disconnect themselves.
        """
        grant = self.connection_tokens.get(token or "")
        if grant is None:
            raise access_denied("Invalid connection token")
        if grant.expires_at <= time.time():
            raise access_denied("The connection token has expired")
        participant = grant.participant
        if participant.state == "LEFT" and not (allow_ended and participant.contact.state == "ENDED"):
            raise access_denied("The participant has disconnected")
        if participant.contact.state == "ENDED" and not allow_ended:
            raise access_denied("The chat has ended")
        return participant

    def create_connection(
        self, participant: Participant, types: list[str], connect_participant: bool
    ) -> dict[str, Any]:
        """CreateParticipantConnection's result for ``participant``."""
        now = time.time()
        result: dict[str, Any] = {}
        if "WEBSOCKET" in types:
            socket_token = _token("ws")
            expires_at = now + self.config.websocket_ttl
            self.socket_grants[socket_token] = SocketGrant(
                participant, now + self.config.websocket_connect_timeout, expires_at
            )
            result["Websocket"] = {
                "Url": f"{self.config.ws_base}/connect?X-Amz-Security-Token={socket_token}",
                "ConnectionExpiry": iso_ms(expires_at),
            }
        if "CONNECTION_CREDENTIALS" in types:
            connection_token = _token("ct")
            expires_at = now + self.config.connection_token_ttl
            self.connection_tokens[connection_token] = ConnectionGrant(participant, expires_at)
            result["ConnectionCredentials"] = {
                "ConnectionToken": connection_token,
                "Expiry": iso_ms(expires_at),
            }
        if connect_participant and not participant.acknowledged:
            participant.acknowledged = True
            self.new_item(
                participant.contact,
                participant,
                item_type="CONNECTION_ACK",
                content_type=ct.CONNECTION_ACKNOWLEDGED,
                in_transcript=False,
            )
        return result

    def expire_tokens(self, participant_id: str | None, kinds: set[str]) -> int:
        """Control API: expire connection tokens and/or websocket URLs (of one participant, or all)."""
        count = 0
        past = time.time() - 1
        if "connection" in kinds:
            for grant in self.connection_tokens.values():
                if participant_id in (None, grant.participant.participant_id):
                    grant.expires_at = past
                    count += 1
        if "websocket" in kinds:
            for socket_grant in self.socket_grants.values():
                if participant_id in (None, socket_grant.participant.participant_id):
                    socket_grant.expires_at = past
                    socket_grant.connect_by = past
                    count += 1
        return count

    # -------------------------------------------------------------------------------------- messages

    def _check_message(self, contact: Contact, content_type: str, content: str, field_prefix: str = "") -> None:
        if content_type not in contact.supported_content_types:
            raise participant_validation(
                f"{field_prefix}ContentType '{content_type}' is not supported on this contact; "
                f"supported: {sorted(contact.supported_content_types)}"
            )
        size = len(content.encode())
        if size > ct.MESSAGE_MAX_BYTES:
            raise participant_validation(
                f"{field_prefix}Content is {size} bytes; the limit is {ct.MESSAGE_MAX_BYTES} bytes"
            )
        if content_type == ct.APPLICATION_JSON or content_type.startswith(ct.INTERACTIVE):
            try:
                json.loads(content)
            except json.JSONDecodeError as exc:
                raise participant_validation(
                    f"{field_prefix}Content must be valid JSON for {content_type}: {exc}"
                ) from exc
        if content_type == ct.INTERACTIVE:
            _check_template(content, field_prefix)

    def send_message(
        self,
        participant: Participant,
        content_type: str,
        content: str,
        client_token: str | None = None,
        visibility: Visibility = "ALL",
    ) -> ChatItem:
        """SendMessage: a MESSAGE item from ``participant`` (idempotent on ``client_token``)."""
        if client_token and client_token in participant.sent_tokens:
            return participant.sent_tokens[client_token]
        self._check_message(participant.contact, content_type, content)
        item = self.new_item(
            participant.contact,
            participant,
            item_type="MESSAGE",
            content_type=content_type,
            content=content,
            visibility=visibility,
        )
        if client_token:
            participant.sent_tokens[client_token] = item
        return item

    def send_event(
        self,
        participant: Participant,
        content_type: str,
        content: str | None,
        client_token: str | None = None,
    ) -> ChatItem:
        """SendEvent: typing, or a delivered/read receipt.

        ``connection.acknowledged`` is refused: the SendEvent reference says it is no longer supported since
        31 December 2024 and moved to CreateParticipantConnection's ``ConnectParticipant``.
        """
        if client_token and client_token in participant.sent_tokens:
            return participant.sent_tokens[client_token]
        if content_type == ct.CONNECTION_ACKNOWLEDGED:
            raise participant_validation(
                f"ContentType '{content_type}' is no longer supported by SendEvent (since 31 December 2024); "
                "acknowledge the connection with CreateParticipantConnection and ConnectParticipant=true"
            )
        if content_type not in ct.SENDABLE_EVENT_TYPES:
            raise participant_validation(
                f"ContentType '{content_type}' cannot be sent as an event; allowed: {sorted(ct.SENDABLE_EVENT_TYPES)}"
            )
        if content_type in (ct.MESSAGE_READ, ct.MESSAGE_DELIVERED):
            item = self._receipt(participant, content_type, content)
        else:
            item = self.event(participant.contact, participant, content_type, content=content)
        if client_token:
            participant.sent_tokens[client_token] = item
        return item

    def _receipt(self, participant: Participant, content_type: str, content: str | None) -> ChatItem:
        try:
            message_id = json.loads(content or "")["messageId"]
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            raise participant_validation(
                'Content of a receipt must be a JSON object with "messageId", e.g. {"messageId":"<item id>"}'
            ) from exc
        contact = participant.contact
        target = next(
            (i for c in contact.chain() for i in c.items if i.id == message_id and i.data["Type"] == "MESSAGE"),
            None,
        )
        if target is None:
            raise participant_validation(f"messageId '{message_id}' is not a message of this chat")
        if target.data.get("ParticipantId") == participant.participant_id:
            raise conflict("A participant cannot send a receipt for their own message")
        if len(contact.active_participants()) > 2:
            raise conflict(
                "Message receipts are not supported when there are more than two active participants in the chat"
            )
        now = iso_ms(time.time())
        key = "ReadTimestamp" if content_type == ct.MESSAGE_READ else "DeliveredTimestamp"
        metadata = target.data.setdefault("MessageMetadata", {"MessageId": message_id, "Receipts": []})
        receipt = next(
            (r for r in metadata["Receipts"] if r["RecipientParticipantId"] == participant.participant_id),
            None,
        )
        if receipt is None:
            receipt = {"RecipientParticipantId": participant.participant_id}
            metadata["Receipts"].append(receipt)
        receipt.setdefault(key, now)
        return self.new_item(
            contact,
            participant,
            item_type="MESSAGEMETADATA",
            content_type=content_type,
            in_transcript=False,
            extra={
                "MessageMetadata": {
                    "MessageId": message_id,
                    "Receipts": [{key: receipt[key], "RecipientParticipantId": participant.participant_id}],
                }
            },
        )

    # ------------------------------------------------------------------------------------------ views

    def describe_view(self, view_token: str) -> dict[str, Any]:
        """DescribeView: a view registered through the control API (or the built-in sample)."""
        view = self.views.get(view_token)
        if view is None:
            raise resource_not_found(f"View token '{view_token}' was not found")
        return view


def _check_template(content: str, field_prefix: str) -> None:
    """An interactive message must follow one of the templates, as the contact flow checks it.

    The administrator guide: "When interactive messages are sent through chat, flows validate that the
    message format follows one of these templates", with their required fields and item counts; string field
    limits are the client's to enforce, so they are not checked.
    """
    try:
        template = interactive.parse_template(content)
    except InvalidArgumentError as exc:
        raise participant_validation(f"{field_prefix}Content is not a valid interactive message: {exc}") from exc
    if isinstance(template, interactive.UnknownTemplate):
        raise participant_validation(
            f"{field_prefix}Content has templateType '{template.template_type}'; "
            f"supported templates: {sorted(interactive.TEMPLATE_TYPES)}"
        )


def _token(prefix: str) -> str:
    return f"{prefix}-{secrets.token_urlsafe(32)}"


__all__ = [
    "Attachment",
    "ChatItem",
    "ChatService",
    "ConnectionGrant",
    "Contact",
    "Participant",
    "ServiceError",
    "SocketGrant",
]
