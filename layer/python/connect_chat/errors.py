"""The exception hierarchy: one root, :class:`ConnectChatError`, and ``Error``-suffixed subclasses.

Every exception carries what ChatJS puts on its rejections: the AWS error ``code``, the HTTP
``status_code``, the ``request_id`` and ``metadata`` (the operation's request metadata; never tokens).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "AccessDeniedError",
    "AttachmentError",
    "ChatEndedError",
    "ConflictError",
    "ConnectChatError",
    "ConnectionBrokenError",
    "InternalServerError",
    "InvalidArgumentError",
    "NetworkError",
    "NotConnectedError",
    "ParticipantServiceError",
    "ResourceNotFoundError",
    "ServiceQuotaExceededError",
    "ServiceValidationError",
    "SubscriptionFailedError",
    "ThrottlingError",
    "UnsupportedOperationError",
]


class ConnectChatError(Exception):
    """Root of every error raised by ``connect_chat``.

    Parameters
    ----------
    message : str
        What went wrong.
    code : str, optional
        The AWS error code (``AccessDeniedException``, ...) or a library code.
    status_code : int, optional
        The HTTP status of the failed call.
    request_id : str, optional
        The AWS request id.
    metadata : Mapping[str, Any], optional
        The call's metadata, as ChatJS attaches to its results and errors.
    operation : str, optional
        The Participant Service operation that failed.
    """

    default_code: str = "ConnectChatError"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.status_code = status_code
        self.request_id = request_id
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.operation = operation

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able view: ``{"code", "message", "status_code", "request_id", "operation", "metadata"}``."""
        return {
            "code": self.code,
            "message": self.message,
            "status_code": self.status_code,
            "request_id": self.request_id,
            "operation": self.operation,
            "metadata": self.metadata,
        }

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(code={self.code!r}, status_code={self.status_code!r}, message={self.message!r})"


class InvalidArgumentError(ConnectChatError, ValueError):
    """An argument failed local validation; raised before anything is sent.

    Attributes
    ----------
    argument : str
        The argument's name (dotted for nested keys, e.g. ``chat_details.contact_id``).
    problem : str
        What is wrong with the value.
    allowed : tuple[str, ...]
        The allowed values or range, when there is a closed set.
    """

    default_code = "InvalidArgument"

    def __init__(self, argument: str, problem: str, allowed: Sequence[str] | str | None = None) -> None:
        allowed_tuple: tuple[str, ...]
        if allowed is None:
            allowed_tuple = ()
        elif isinstance(allowed, str):
            allowed_tuple = (allowed,)
        else:
            allowed_tuple = tuple(allowed)
        text = f"{argument}: {problem}"
        if allowed_tuple:
            text += f" (allowed: {', '.join(allowed_tuple)})"
        super().__init__(text)
        self.argument = argument
        self.problem = problem
        self.allowed = allowed_tuple


class ParticipantServiceError(ConnectChatError):
    """The Participant Service answered with an error."""

    default_code = "ParticipantServiceError"


class AccessDeniedError(ParticipantServiceError):
    """403 ``AccessDeniedException``: bad or expired token, or the chat has ended."""

    default_code = "AccessDeniedException"


class ServiceValidationError(ParticipantServiceError):
    """400 ``ValidationException`` from the service."""

    default_code = "ValidationException"


class ThrottlingError(ParticipantServiceError):
    """429 ``ThrottlingException`` (after the client's own retries)."""

    default_code = "ThrottlingException"


class InternalServerError(ParticipantServiceError):
    """500 ``InternalServerException``."""

    default_code = "InternalServerException"


class ConflictError(ParticipantServiceError):
    """409 ``ConflictException``."""

    default_code = "ConflictException"


class ResourceNotFoundError(ParticipantServiceError):
    """404 ``ResourceNotFoundException``."""

    default_code = "ResourceNotFoundException"


class ServiceQuotaExceededError(ParticipantServiceError):
    """402 ``ServiceQuotaExceededException``."""

    default_code = "ServiceQuotaExceededException"


class NetworkError(ConnectChatError):
    """The endpoint could not be reached (DNS, connection refused, timeout)."""

    default_code = "NetworkError"


class ChatEndedError(ConnectChatError):
    """The chat has ended: the session no longer accepts calls."""

    default_code = "ChatEnded"


class NotConnectedError(ConnectChatError):
    """The call needs a connection token and the session has none (call ``connect()`` first)."""

    default_code = "NotConnected"


class ConnectionBrokenError(ConnectChatError):
    """The websocket connection could not be established or recovered."""

    default_code = "ConnectionBroken"


class SubscriptionFailedError(ConnectionBrokenError):
    """``aws/subscribe`` failed repeatedly."""

    default_code = "SubscriptionFailed"


class UnsupportedOperationError(ConnectChatError):
    """The method does not apply to this session type (e.g. ``disconnect_participant`` on an agent)."""

    default_code = "UnsupportedOperation"


class AttachmentError(ConnectChatError):
    """Uploading or downloading attachment bytes failed."""

    default_code = "AttachmentError"


SERVICE_ERRORS: dict[str, type[ParticipantServiceError]] = {
    "AccessDeniedException": AccessDeniedError,
    "ValidationException": ServiceValidationError,
    "ThrottlingException": ThrottlingError,
    "InternalServerException": InternalServerError,
    "ConflictException": ConflictError,
    "ResourceNotFoundException": ResourceNotFoundError,
    "ServiceQuotaExceededException": ServiceQuotaExceededError,
}
"""AWS error code -> exception class."""
