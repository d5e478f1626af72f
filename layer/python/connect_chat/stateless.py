"""The stateless (Lambda) mode: the same operations, synchronous, with a stored connection token.

No socket is held. Messages from Connect arrive through message streaming (SNS); :meth:`items_from_event`
turns a notification into the same :class:`~connect_chat.protocol.items.Item` objects the websocket produces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from connect_chat.constants import SessionType
from connect_chat.errors import AccessDeniedError, ChatEndedError, NotConnectedError
from connect_chat.log import register_secret
from connect_chat.operations import ChatOperations, ConnectionResult
from connect_chat.participant import ParticipantClient
from connect_chat.protocol import content_types as ct
from connect_chat.validation import ChatDetails

if TYPE_CHECKING:
    from connect_chat.protocol.items import Item
    from connect_chat.protocol.streaming import Audience

__all__ = ["StatelessChatSession", "TokenRefreshedCallback"]

TokenRefreshedCallback = Callable[[str, "str | None"], None]
"""Called with ``(connection_token, expiry)`` after the session replaced a refused connection token."""

_T = TypeVar("_T")


class StatelessChatSession:
    """A socket-less session for request/response code (Lambda handlers).

    Create it with :meth:`connect_chat.ChatSession.create_stateless`. With a ``connection_token`` in the chat
    details every call works at once; with only a ``participant_token``, call :meth:`create_connection`
    first and store :attr:`connection_token` for the next invocation.

    Connection tokens expire before the chat does. When the service refuses the stored token (403) and the
    session knows the participant token, it creates a new connection once, hands the new token to
    ``on_connection_token_refreshed`` (so the caller can store it) and retries the call. A refused refresh, or a
    retry refused again, means the chat is over: :class:`~connect_chat.errors.ChatEndedError` is raised.

    Parameters
    ----------
    chat_details : ChatDetails
        Identifiers and tokens.
    session_type : SessionType
        CUSTOMER or AGENT.
    participant : ParticipantClient
        The Participant Service client.
    on_connection_token_refreshed : Callable[[str, str | None], None], optional
        Receives ``(connection_token, expiry)`` after a refresh.
    """

    def __init__(
        self,
        chat_details: ChatDetails,
        session_type: SessionType,
        participant: ParticipantClient,
        *,
        on_connection_token_refreshed: TokenRefreshedCallback | None = None,
    ) -> None:
        self._details = chat_details
        self.session_type = session_type
        self._connection_token = chat_details.connection_token
        self._connection: ConnectionResult | None = None
        self._ops = ChatOperations(participant, self._require_token)
        self._on_refreshed = on_connection_token_refreshed
        register_secret(chat_details.participant_token)
        register_secret(chat_details.connection_token)

    def _require_token(self) -> str:
        if self._connection_token is None:
            raise NotConnectedError("no connection token: pass connection_token or call create_connection()")
        return self._connection_token

    # ------------------------------------------------------------------ connection
    @property
    def connection_token(self) -> str | None:
        """The connection token to store between invocations (a secret: never log it)."""
        return self._connection_token

    def create_connection(self, *, connect_participant: bool = True, websocket: bool = False) -> dict[str, Any]:
        """CreateParticipantConnection with the participant token.

        Parameters
        ----------
        connect_participant : bool
            Mark the participant connected (needed once for a customer under message streaming).
        websocket : bool
            Also ask for a websocket URL.

        Returns
        -------
        dict
            ``{"data": <response>, "metadata": None, "request_id": ...}``; the token is kept on the session.
        """
        token = self._details.participant_token
        if token is None:
            raise NotConnectedError("create_connection needs chat_details.participant_token")
        connection = self._ops.create_connection(token, websocket=websocket, connect_participant=connect_participant)
        self._use(connection)
        return {"data": dict(connection.raw), "metadata": None, "request_id": None}

    def _use(self, connection: ConnectionResult) -> None:
        """Make ``connection`` the session's: the calls that follow use its connection token."""
        self._connection = connection
        self._connection_token = connection.connection_token

    def _refreshing(self, call: Callable[[], _T]) -> _T:
        """Run ``call``; on a 403, refresh the connection token once (when possible) and run it again."""
        if self._details.participant_token is None:
            return call()
        try:
            return call()
        except AccessDeniedError:
            pass
        try:
            connection = self._ops.create_connection(
                self._details.participant_token, websocket=False, connect_participant=None
            )
        except AccessDeniedError as exc:
            raise ChatEndedError(
                "the participant token was refused: the chat has ended", code=exc.code, operation=exc.operation
            ) from exc
        if connection.connection_token is None:
            raise ChatEndedError("the service returned no connection token: the chat has ended")
        self._use(connection)
        if self._on_refreshed is not None:
            expiry = connection.raw.get("ConnectionCredentials", {}).get("Expiry")
            self._on_refreshed(connection.connection_token, expiry if isinstance(expiry, str) else None)
        try:
            return call()
        except AccessDeniedError as exc:
            raise ChatEndedError(
                "a fresh connection token was refused: the chat has ended", code=exc.code, operation=exc.operation
            ) from exc

    def get_chat_details(self) -> dict[str, Any]:
        """Identifiers and tokens (contains secrets: do not log it)."""
        return {
            **self._details.ids(),
            "participant_token": self._details.participant_token,
            "connection_details": {"connection_token": self._connection_token},
            "session_type": self.session_type.value,
        }

    # ------------------------------------------------------------------ operations
    def send_message(
        self,
        content: Any,
        content_type: str = ct.TEXT_PLAIN,
        *,
        client_token: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """SendMessage.

        ``client_token`` makes a retried call idempotent (the service answers the first message again).
        """
        return self._refreshing(
            lambda: self._ops.send_message(content, content_type, client_token=client_token, metadata=metadata)
        )

    def send_event(
        self,
        content_type: str,
        content: Any = None,
        *,
        client_token: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """SendEvent (no throttling in this mode); ``client_token`` as for :meth:`send_message`."""
        return self._refreshing(
            lambda: self._ops.send_event(content_type, content, client_token=client_token, metadata=metadata)
        )

    def send_message_receipt(
        self, event: str, message_id: str, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Send a read/delivered receipt at once."""
        return self._refreshing(lambda: self._ops.send_message_receipt(event, message_id, metadata=metadata))

    def get_transcript(
        self,
        *,
        max_results: int = 15,
        sort_order: str = "ASCENDING",
        scan_direction: str = "BACKWARD",
        start_position: Mapping[str, Any] | None = None,
        next_token: str | None = None,
        contact_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """GetTranscript (ChatJS defaults)."""
        return self._refreshing(
            lambda: self._ops.get_transcript(
                metadata=metadata,
                max_results=max_results,
                sort_order=sort_order,
                scan_direction=scan_direction,
                start_position=start_position,
                next_token=next_token,
                contact_id=contact_id,
            )
        )

    def get_items_after(self, after_id: str | None) -> list[Item]:
        """Every item after ``after_id``, oldest first (the relay's ``resumeChat``)."""
        return self._refreshing(lambda: self._ops.fetch_items_after(after_id))

    def send_attachment(
        self,
        attachment: Any,
        *,
        name: str | None = None,
        content_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Upload an attachment (bytes with ``name``, a path, or a binary file object)."""
        return self._refreshing(
            lambda: self._ops.send_attachment(attachment, name=name, content_type=content_type, metadata=metadata)
        )

    def start_attachment_upload(
        self,
        name: str,
        size: int,
        content_type: str,
        *,
        client_token: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """StartAttachmentUpload alone, for a backend whose client uploads the bytes itself.

        The client then PUTs the file to ``data["UploadMetadata"]["Url"]`` with its ``HeadersToInclude``, and the
        backend calls :meth:`complete_attachment_upload`. Name, size (20 MB) and type are validated first.
        """
        return self._refreshing(
            lambda: self._ops.start_attachment_upload(
                name, size, content_type, client_token=client_token, metadata=metadata
            )
        )

    def complete_attachment_upload(
        self,
        attachment_ids: Iterable[str],
        *,
        client_token: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """CompleteAttachmentUpload (after the client's PUT): the attachment then appears in the chat."""
        ids = list(attachment_ids) if isinstance(attachment_ids, Iterator) else attachment_ids  # a retry reads it again
        return self._refreshing(
            lambda: self._ops.complete_attachment_upload(ids, client_token=client_token, metadata=metadata)
        )

    def download_attachment(self, attachment_id: str) -> bytes:
        """The attachment's bytes."""
        return self._refreshing(lambda: self._ops.download_attachment(attachment_id))

    def get_attachment_url(self, attachment_id: str, *, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A presigned download URL."""
        return self._refreshing(lambda: self._ops.get_attachment_url(attachment_id, metadata=metadata))

    def disconnect_participant(self, *, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """DisconnectParticipant."""
        return self._refreshing(lambda: self._ops.disconnect_participant(metadata=metadata))

    def describe_view(self, view_token: str, *, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """DescribeView."""
        return self._refreshing(lambda: self._ops.describe_view(view_token, metadata=metadata))

    def get_authentication_url(
        self, redirect_uri: str, session_id: str, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """GetAuthenticationUrl."""
        return self._refreshing(lambda: self._ops.get_authentication_url(redirect_uri, session_id, metadata=metadata))

    def cancel_participant_authentication(
        self, session_id: str, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """CancelParticipantAuthentication."""
        return self._refreshing(lambda: self._ops.cancel_participant_authentication(session_id, metadata=metadata))

    # ------------------------------------------------------------------ streaming
    def items_from_event(
        self,
        event: Mapping[str, Any] | Iterable[Mapping[str, Any]],
        *,
        audience: Audience | str | None = None,
    ) -> list[Item]:
        """Items of a Lambda SNS event that this participant should see (visibility + own-echo filtering).

        Parameters
        ----------
        event : Mapping | Iterable[Mapping]
            The Lambda event or its records.
        audience : Audience | str, optional
            Defaults to the session type (CUSTOMER or AGENT).
        """
        from connect_chat.protocol.streaming import Audience, items_from_sns_event  # the stream handler's only

        wanted = audience or Audience(self.session_type.value)
        notifications = items_from_sns_event(event, audience=wanted, self_participant_id=self._details.participant_id)
        return [n.item for n in notifications if self._belongs(n.item)]

    def item_from_message(self, body: str | Mapping[str, Any], attributes: Mapping[str, Any] | None = None) -> Item:
        """Parse one raw SNS message body (no filtering)."""
        from connect_chat.protocol.streaming import parse_streaming_message

        return parse_streaming_message(body, attributes).item

    def _belongs(self, item: Item) -> bool:
        ids = {self._details.contact_id, self._details.initial_contact_id}
        return item.contact_id is None or item.contact_id in ids or item.initial_contact_id in ids
