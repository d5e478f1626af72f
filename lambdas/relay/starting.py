"""Starting a chat through the relay (``startChat``), in the order that keeps a public endpoint cheap to abuse-proof:

1. the chat's budgets, taken in the transaction that also counts the frame (an address over its budget costs
   that transaction and the UpdateItem that still counts its frame, and nothing else);
2. the admission checks (``common.admission``: a signed-in customer's token, the attribute allowlist, the human
   check), then a continuation token's signature when the client continues a past chat;
3. StartChatContact (streaming to the deployment's topic from the first item), the customer's connection, and
   the chat's record. A contact that cannot be set up is stopped, and budgets that bought no chat are given back.

Imported by the first ``startChat`` only: the checks and the ``connect`` client stay out of other cold starts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from common import frames as f
from common import identity
from common.admission import RELAY_FIELDS, admit
from common.contacts import StartChatError, StartChatRequest, start_chat_contact
from common.continuation import continued_contact
from common.refusals import RefusedError
from common.sessions import ACTIVE, GRACE_SECONDS, ChatAlreadyAttachedError, ChatRecord, new_resume_token
from connect_chat.constants import SessionType
from connect_chat.stateless import StatelessChatSession
from connect_chat.validation import ChatDetails

if TYPE_CHECKING:
    from collections.abc import Callable

    from common.budgets import ChatBudgets
    from common.gateway import ConnectionPoster
    from common.sessions import SessionStore
    from common.settings import Settings
    from connect_chat.participant import ParticipantClient

_log = logging.getLogger(__name__)
#: How the relay refuses a continuation token it cannot accept.
_CONTINUATION_REFUSAL = "the continuation token is unknown or expired; start a new chat"


class ChatStarter:
    """Carries out one ``startChat`` frame for a connection of the client at ``source_ip``.

    Parameters
    ----------
    settings, store, poster
        The deployment's settings, the session table and the connection's management endpoint.
    participant : ParticipantClient
        The Participant Service client (connects the new chat's customer).
    connect : Callable[[], Any]
        Returns the ``connect`` client (StartChatContact, and StopContact for a contact that cannot be set up).
    budgets : ChatBudgets
        The chat budgets the start takes.
    source_ip : str
        The client's address, as API Gateway saw it.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        store: SessionStore,
        poster: ConnectionPoster,
        participant: ParticipantClient,
        connect: Callable[[], Any],
        budgets: ChatBudgets,
        source_ip: str,
    ) -> None:
        self.settings = settings
        self.store = store
        self.poster = poster
        self.participant = participant
        self.connect = connect
        self.budgets = budgets
        self.source_ip = source_ip

    def start(self, connection_id: str, frame: f.StartChat) -> None:
        self._reserve(connection_id, frame)
        try:
            self._start_reserved(connection_id, frame)
        except BaseException:
            self.budgets.release(self.source_ip)  # no chat came of the reservation
            raise

    def _reserve(self, connection_id: str, frame: f.StartChat) -> None:
        """Count the frame and take the chat's budgets in one transaction, or answer why not."""
        store = self.store
        for _attempt in range(2):
            now = store.clock()
            reservation = self.budgets.reservation(self.source_ip, now)
            outcome = store.open_start(connection_id, reservation, self.settings.rate_limit_per_minute)
            if not outcome.refused_by_connection and not outcome.refused_budgets:
                return
            if outcome.refused_budgets:
                store.open_frame(connection_id)  # a refused start still counts against the frame rate
                refusal = self.budgets.refusal(outcome.refused_budgets, now)
                raise f.FrameError(refusal.code, refusal.message, frame.request_id, retry_after=refusal.retry_after)
            held = outcome.connection
            if held is None:
                raise f.FrameError("NO_CONNECTION", "unknown connection; reconnect", frame.request_id)
            if not held.chat_active:
                limit = self.settings.rate_limit_per_minute
                raise f.FrameError("RATE_LIMITED", f"more than {limit} frames in a minute; slow down", frame.request_id)
            chat = store.get_chat(held.contact_id) if held.contact_id else None
            if chat is not None and chat.state == ACTIVE:
                raise f.FrameError("CHAT_ALREADY_STARTED", "this connection already has a chat", frame.request_id)
            assert held.contact_id is not None
            store.mark_copy_ended(held.contact_id, connection_id)  # its chat ended unseen: try once more
        raise f.FrameError("CHAT_ALREADY_STARTED", "this connection already has a chat", frame.request_id)

    def _request(self, connection_id: str, frame: f.StartChat) -> StartChatRequest:
        """The StartChatContact request the checks allow."""
        try:
            customer = identity.verify_customer(frame.customer_token, field_name=RELAY_FIELDS.customer_token)
            admitted = admit(
                customer,
                display_name=frame.display_name,
                attributes=frame.attributes,
                allowed_attributes=self.settings.contact_attributes,
                challenge_token=frame.challenge_token,
                source_ip=self.source_ip,
                names=RELAY_FIELDS,
            )
            source_contact_id = continued_contact(frame.continuation_token, refusal=_CONTINUATION_REFUSAL)
        except RefusedError as exc:
            raise f.FrameError(exc.code, exc.message, frame.request_id) from None
        except ValueError as exc:  # a field's rule (FieldError), or the checks' settings
            raise f.FrameError("VALIDATION_ERROR", str(exc), frame.request_id) from None
        request = StartChatRequest(
            display_name=admitted.display_name or frame.display_name,
            attributes=admitted.attributes,
            source_contact_id=source_contact_id,
            rehydration_type=frame.rehydration_type,
            client_token=f"{connection_id}:{frame.request_id}" if frame.request_id else None,
        )
        return request

    def _start_reserved(self, connection_id: str, frame: f.StartChat) -> None:
        request = self._request(connection_id, frame)
        try:
            started = start_chat_contact(request, self.settings, self.connect(), streaming=True)
        except StartChatError as exc:
            code = exc.code if exc.code == "VALIDATION_ERROR" else "THROTTLED" if exc.status == 429 else "START_FAILED"
            raise f.FrameError(code, exc.message, frame.request_id) from exc
        contact_id = started["ContactId"]
        try:
            resume_token, chat = self._set_up_chat(started)
            self.store.create_chat(chat, connection_id, self.poster.endpoint_url)
        except ChatAlreadyAttachedError:
            self._stop_contact(contact_id)
            raise f.FrameError("CHAT_ALREADY_STARTED", "this connection already has a chat", frame.request_id) from None
        except Exception:
            # Connect started a contact nobody will ever reach: stop it rather than leave it to the queue.
            self._stop_contact(contact_id)
            raise
        continued_from = started.get("ContinuedFromContactId")
        self.poster.post(
            connection_id,
            f.chat_started_frame(
                contact_id, chat.participant_id, resume_token, frame.request_id, continued_from=continued_from
            ),
        )

    def _set_up_chat(self, started: Mapping[str, Any]) -> tuple[str, ChatRecord]:
        """Connect the new chat's customer and build its record; the resume token for the browser with it."""
        contact_id = started["ContactId"]
        details = ChatDetails(
            contact_id=contact_id,
            participant_id=started["ParticipantId"],
            initial_contact_id=contact_id,
            participant_token=started["ParticipantToken"],
        )
        session = StatelessChatSession(details, SessionType.CUSTOMER, self.participant)
        credentials = session.create_connection(connect_participant=True)["data"]["ConnectionCredentials"]
        resume_token, resume_hash = new_resume_token(contact_id)
        now = int(self.store.clock())
        chat = ChatRecord(
            contact_id=contact_id,
            participant_id=details.participant_id,
            participant_token=started["ParticipantToken"],
            connection_token=credentials["ConnectionToken"],
            connection_expiry=credentials.get("Expiry", ""),
            initial_contact_id=contact_id,
            expires_at=now + self.settings.chat_duration_minutes * 60 + GRACE_SECONDS,
            streaming_id=started.get("StreamingId"),
            resume_hash=resume_hash,
            source_ip=self.source_ip,
            created_at=now,
            idle_at=now + self.settings.idle_no_message_seconds,
        )
        return resume_token, chat

    def _stop_contact(self, contact_id: str) -> None:
        """StopContact, best effort: the caller is answering an error either way (a contact that cannot be
        stopped ends when its flow or ChatDurationInMinutes ends it)."""
        try:
            self.connect().stop_contact(ContactId=contact_id, InstanceId=self.settings.instance_id)
        except Exception:
            _log.warning("StopContact failed for an unusable new contact", exc_info=True, extra={"contact": contact_id})
