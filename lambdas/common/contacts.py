"""Starting chats: the StartChatContact request built from validated input, and Connect errors mapped.

Both entry points start chats through here: ``POST /start-chat`` (the direct flow: the body in StartChatContact's
own PascalCase field names) and the relay's ``startChat`` frame.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from common import contract
from common.fields import Fields
from common.settings import Settings
from connect_chat.log import register_secret
from connect_chat.protocol import content_types as ct

_CONFIG: Final = Config(retries={"mode": "standard", "max_attempts": 3}, user_agent_extra="connect-chat-relay")
SUPPORTABLE_TYPES: Final = contract.SUPPORTABLE_CONTENT_TYPES
REHYDRATION_TYPES: Final = contract.REHYDRATION_TYPES
#: The RehydrationType of a continued chat that asked for none: the whole past chat.
DEFAULT_REHYDRATION_TYPE: Final = REHYDRATION_TYPES[0]
#: StartChatContact's limits on Attributes: total size, and the characters of a key.
MAX_ATTRIBUTES: Final = 50


@dataclass(frozen=True)
class StartChatRequest:
    """What a caller may ask of StartChatContact; the instance and (by default) the flow are the deployment's."""

    display_name: str
    attributes: dict[str, str] = field(default_factory=dict)
    contact_flow_id: str | None = None
    initial_message: str | None = None
    #: How much of the source contact Connect rehydrates (:data:`DEFAULT_REHYDRATION_TYPE` when ``None``).
    rehydration_type: str | None = None
    source_contact_id: str | None = None
    #: A continuation token naming the contact to continue (``PersistentChat``): checked before it becomes the
    #: source contact id.
    continuation_token: str | None = None
    chat_duration_minutes: int | None = None
    supported_content_types: list[str] | None = None
    client_token: str | None = None


def _attributes(fields: Fields) -> dict[str, str]:
    attributes = fields.string_map(
        "Attributes",
        max_entries=MAX_ATTRIBUTES,
        max_key=contract.MAX_ATTRIBUTE_NAME,
        max_value=contract.MAX_ATTRIBUTES_BYTES,
    )
    size = sum(len(key.encode()) + len(value.encode()) for key, value in attributes.items())
    if size > contract.MAX_ATTRIBUTES_BYTES:
        raise fields.fail("Attributes", f"total {size} bytes; the limit is {contract.MAX_ATTRIBUTES_BYTES} UTF-8 bytes")
    for key in attributes:
        if not all(c.isalnum() or c in "-_" for c in key):
            raise fields.fail(f"Attributes.{key}", "a key may hold only letters, digits, '-' and '_'")
    return attributes


def parse_start_chat_body(data: Mapping[str, Any]) -> StartChatRequest:
    """Validate a ``POST /start-chat`` body (StartChatContact's field names; unknown fields refused).

    Raises
    ------
    common.fields.FieldError
        Naming the field and the rule.
    """
    fields = Fields(data)
    details = fields.nested("ParticipantDetails", required=True)
    assert details is not None
    display_name = details.required_text("DisplayName", high=256)
    details.finish()
    initial = fields.nested("InitialMessage")
    initial_message = None
    if initial is not None:
        initial.choice("ContentType", (ct.TEXT_PLAIN,))
        initial_message = initial.required_text("Content", high=1024)
        initial.finish()
    persistent = fields.nested("PersistentChat")
    rehydration = continuation_token = None
    if persistent is not None:
        rehydration = persistent.choice("RehydrationType", REHYDRATION_TYPES)
        if persistent.text("SourceContactId", high=256) is not None:
            raise persistent.fail(
                "SourceContactId",
                "is no longer accepted: send the ContinuationToken the previous chat's start answered instead",
            )
        continuation_token = persistent.required_text("ContinuationToken", high=512)
        persistent.finish()
    content_types = fields.string_list("SupportedMessagingContentTypes", max_items=5, allowed=SUPPORTABLE_TYPES)
    if content_types is not None and ct.TEXT_PLAIN not in content_types:
        raise fields.fail("SupportedMessagingContentTypes", "must include text/plain")
    request = StartChatRequest(
        display_name=display_name,
        attributes=_attributes(fields),
        contact_flow_id=fields.text("ContactFlowId", high=500),
        initial_message=initial_message,
        rehydration_type=rehydration,
        continuation_token=continuation_token,
        chat_duration_minutes=fields.integer(
            "ChatDurationInMinutes", low=contract.CHAT_DURATION_MINUTES.low, high=contract.CHAT_DURATION_MINUTES.high
        ),
        supported_content_types=content_types,
        client_token=fields.text("ClientToken", high=500),
    )
    fields.finish()
    return request


class StartChatError(Exception):
    """StartChatContact failed; ``status`` and ``message`` are safe to show a caller."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


#: Connect error codes → (HTTP status for our caller, safe message).
_CONNECT_ERRORS: Final[dict[str, tuple[int, str]]] = {
    "InvalidRequestException": (400, "Connect refused the request"),
    "InvalidParameterException": (400, "Connect refused a parameter"),
    "ResourceNotFoundException": (404, "The contact flow, instance or source contact was not found"),
    "LimitExceededException": (429, "Too many chats are being started; try again shortly"),
    "ThrottlingException": (429, "Too many chats are being started; try again shortly"),
    "AccessDeniedException": (502, "The service is not allowed to start chats"),
}


def connect_client(session: boto3.session.Session | None = None) -> Any:
    """A ``connect`` client (honours ``AWS_ENDPOINT_URL_CONNECT``) with standard retries."""
    return (session or boto3.session.Session()).client("connect", config=_CONFIG)


def attribute_problem(attributes: Mapping[str, str], allowed: Mapping[str, int]) -> tuple[str, str] | None:
    """The first attribute the deployment does not accept, and why (``None`` when all are accepted)."""
    for name, value in attributes.items():
        if name not in allowed:
            names = ", ".join(allowed) or "none"
            return name, f"is not an attribute customers may set (allowed: {names})"
        if len(value) > allowed[name]:
            return name, f"must be at most {allowed[name]} characters"
    return None


def start_chat_contact(
    request: StartChatRequest,
    settings: Settings,
    client: Any,
    *,
    streaming: bool = False,
) -> dict[str, Any]:
    """Call StartChatContact (streaming to the deployment's topic when ``streaming``) with what the admission
    checks allowed (``common.admission``).

    Raises
    ------
    StartChatError
        With an HTTP status and a message safe to show the caller.
    """
    flow_id = settings.contact_flow_id
    if request.contact_flow_id and request.contact_flow_id != flow_id:
        if not settings.allow_contact_flow_override:
            raise StartChatError(400, "VALIDATION_ERROR", "ContactFlowId: overriding the contact flow is not allowed")
        flow_id = request.contact_flow_id
    params: dict[str, Any] = {
        "InstanceId": settings.instance_id,
        "ContactFlowId": flow_id,
        "ParticipantDetails": {"DisplayName": request.display_name},
        "Attributes": request.attributes,
        "ChatDurationInMinutes": request.chat_duration_minutes or settings.chat_duration_minutes,
        "ClientToken": request.client_token or str(uuid.uuid4()),
    }
    if request.initial_message is not None:
        params["InitialMessage"] = {"ContentType": ct.TEXT_PLAIN, "Content": request.initial_message}
    if request.source_contact_id is not None:
        params["PersistentChat"] = {
            "RehydrationType": request.rehydration_type or DEFAULT_REHYDRATION_TYPE,
            "SourceContactId": request.source_contact_id,
        }
    params["SupportedMessagingContentTypes"] = list(request.supported_content_types or settings.supported_content_types)
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
