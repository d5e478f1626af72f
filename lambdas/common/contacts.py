"""Starting chats: the StartChatContact request built from validated input, and Connect errors mapped."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field, field_validator

from connect_chat.log import register_secret
from connect_chat.protocol import content_types as ct

from .settings import Settings

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, user_agent_extra="connect-chat-relay")
SUPPORTABLE_TYPES = (
    ct.TEXT_PLAIN,
    ct.TEXT_MARKDOWN,
    ct.APPLICATION_JSON,
    ct.INTERACTIVE_MESSAGE,
    ct.INTERACTIVE_MESSAGE_RESPONSE,
)


class ParticipantDetailsInput(BaseModel):
    """The customer's details."""

    model_config = ConfigDict(extra="forbid")
    DisplayName: str = Field(min_length=1, max_length=256)


class InitialMessageInput(BaseModel):
    """A first message from the customer."""

    model_config = ConfigDict(extra="forbid")
    ContentType: Literal["text/plain"] = "text/plain"
    Content: str = Field(min_length=1, max_length=1024)


class PersistentChatInput(BaseModel):
    """Continue an ended chat (persistent chat)."""

    model_config = ConfigDict(extra="forbid")
    RehydrationType: Literal["ENTIRE_PAST_SESSION", "FROM_SEGMENT"] = "ENTIRE_PAST_SESSION"
    SourceContactId: str = Field(min_length=1, max_length=256)


class StartChatRequest(BaseModel):
    """What a caller may ask of StartChatContact; the instance and (by default) the flow are ours."""

    model_config = ConfigDict(extra="forbid")
    ParticipantDetails: ParticipantDetailsInput
    Attributes: dict[str, str] = Field(default_factory=dict, max_length=50)
    ContactFlowId: str | None = Field(default=None, min_length=1, max_length=500)
    InitialMessage: InitialMessageInput | None = None
    PersistentChat: PersistentChatInput | None = None
    ChatDurationInMinutes: int | None = Field(default=None, ge=60, le=10080)
    SupportedMessagingContentTypes: list[str] | None = Field(default=None, min_length=1, max_length=5)
    ClientToken: str | None = Field(default=None, min_length=1, max_length=500)

    @field_validator("Attributes")
    @classmethod
    def _attributes_fit(cls, value: dict[str, str]) -> dict[str, str]:
        size = sum(len(k.encode()) + len(v.encode()) for k, v in value.items())
        if size > 32768:
            raise ValueError(f"attributes total {size} bytes; the limit is 32768 UTF-8 bytes")
        for key in value:
            if not key or not all(c.isalnum() or c in "-_" for c in key):
                raise ValueError(f"attribute key {key!r} may hold only letters, digits, '-' and '_'")
        return value

    @field_validator("SupportedMessagingContentTypes")
    @classmethod
    def _types_supported(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = [t for t in value if t not in SUPPORTABLE_TYPES]
        if unknown:
            raise ValueError(f"unsupported content types {unknown}; allowed: {list(SUPPORTABLE_TYPES)}")
        if ct.TEXT_PLAIN not in value:
            raise ValueError("must include text/plain")
        return value


class StartChatError(Exception):
    """StartChatContact failed; ``status`` and ``message`` are safe to show a caller."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


#: Connect error codes → (HTTP status for our caller, safe message).
_CONNECT_ERRORS: dict[str, tuple[int, str]] = {
    "InvalidRequestException": (400, "Connect refused the request"),
    "InvalidParameterException": (400, "Connect refused a parameter"),
    "ResourceNotFoundException": (404, "The contact flow, instance or source contact was not found"),
    "LimitExceededException": (429, "Too many chats are being started; try again shortly"),
    "ThrottlingException": (429, "Too many chats are being started; try again shortly"),
    "AccessDeniedException": (502, "The service is not allowed to start chats"),
}


def connect_client(client: Any | None = None, session: boto3.session.Session | None = None) -> Any:
    """A ``connect`` client (honours ``AWS_ENDPOINT_URL_CONNECT``) with standard retries."""
    if client is not None:
        return client
    return (session or boto3.session.Session()).client("connect", config=_CONFIG)


def start_chat_contact(
    request: StartChatRequest, settings: Settings, client: Any, *, streaming: bool = False
) -> dict[str, Any]:
    """Call StartChatContact (streaming to the deployment's topic when ``streaming``).

    Raises
    ------
    StartChatError
        With an HTTP status and a message safe to show the caller.
    """
    flow_id = settings.contact_flow_id
    if request.ContactFlowId and request.ContactFlowId != flow_id:
        if not settings.allow_contact_flow_override:
            raise StartChatError(400, "VALIDATION_ERROR", "ContactFlowId: overriding the contact flow is not allowed")
        flow_id = request.ContactFlowId
    params: dict[str, Any] = {
        "InstanceId": settings.instance_id,
        "ContactFlowId": flow_id,
        "ParticipantDetails": request.ParticipantDetails.model_dump(),
        "Attributes": request.Attributes,
        "ChatDurationInMinutes": request.ChatDurationInMinutes or settings.chat_duration_minutes,
        "ClientToken": request.ClientToken or str(uuid.uuid4()),
    }
    for name in ("InitialMessage", "PersistentChat"):
        value = getattr(request, name)
        if value is not None:
            params[name] = value.model_dump()
    if request.SupportedMessagingContentTypes:
        params["SupportedMessagingContentTypes"] = request.SupportedMessagingContentTypes
    if streaming:
        # Streaming starts with the contact, so nothing the flow or an agent sends early is missed.
        params["ChatStreamingConfiguration"] = {"StreamingEndpointArn": settings.streaming_topic_arn}
    try:
        started: dict[str, Any] = client.start_chat_contact(**params)
        register_secret(started.get("ParticipantToken"))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        status, message = _CONNECT_ERRORS.get(code, (502, "Connect could not start the chat"))
        raise StartChatError(status, code or "ConnectError", message) from exc
    except BotoCoreError as exc:
        raise StartChatError(502, "ConnectUnavailable", "Connect could not be reached") from exc
    return started


def validation_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """One readable line per pydantic error: ``field.path: what is wrong``."""
    parts = []
    for error in errors:
        location = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body",)) or "body"
        parts.append(f"{location}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)
