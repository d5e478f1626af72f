"""Participant Service calls over an injectable boto3 ``connectparticipant`` client.

Accepts a ready client, a boto3 :class:`~boto3.session.Session` or a botocore :class:`~botocore.config.Config`
(as Powertools does). The endpoint comes from ``set_global_config(endpoint=...)``, else
``AWS_ENDPOINT_URL_CONNECTPARTICIPANT``, else the regional default. Requests are unsigned, as the service
authenticates with the bearer token (callers may pass their own ``Config`` to change that); retry mode is
``standard``. botocore errors become :mod:`connect_chat.errors` exceptions; every call is timed into metrics.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import botocore
import botocore.config
import botocore.exceptions

from connect_chat.config import get_global_config, snake
from connect_chat.errors import (
    SERVICE_ERRORS,
    ConnectChatError,
    NetworkError,
    ParticipantServiceError,
)
from connect_chat.log import register_secret
from connect_chat.loggers import get_logger
from connect_chat.metrics import MetricsRecorder

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_connectparticipant import ConnectParticipantClient

__all__ = ["ParticipantClient", "map_client_error"]

_log = get_logger("participant")
_USER_AGENT = "connect-chat-py/0.1.0"

_SECRET_RESPONSE_KEYS = ("ConnectionToken", "Url")


def map_client_error(exc: Exception, *, operation: str, metadata: Mapping[str, Any] | None = None) -> ConnectChatError:
    """Turn a botocore exception into the library's hierarchy.

    Parameters
    ----------
    exc : Exception
        A botocore ``ClientError`` or connection error.
    operation : str
        The operation name.
    metadata : Mapping, optional
        The caller's metadata to attach.

    Returns
    -------
    ConnectChatError
        The mapped exception (not raised).
    """
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        code = str(error.get("Code") or "Unknown")
        status = meta.get("HTTPStatusCode")
        cls = SERVICE_ERRORS.get(code, ParticipantServiceError)
        return cls(
            str(error.get("Message") or code),
            code=code,
            status_code=int(status) if status is not None else None,
            request_id=meta.get("RequestId"),
            metadata=metadata,
            operation=operation,
        )
    if isinstance(
        exc,
        botocore.exceptions.EndpointConnectionError
        | botocore.exceptions.ConnectionError
        | botocore.exceptions.ReadTimeoutError
        | botocore.exceptions.ConnectTimeoutError,
    ):
        return NetworkError(str(exc), metadata=metadata, operation=operation)
    return ConnectChatError(f"{type(exc).__name__}: {exc}", metadata=metadata, operation=operation)


class ParticipantClient:
    """Typed wrappers of the Participant Service operations.

    Parameters
    ----------
    client : ConnectParticipantClient, optional
        A ready boto3 client; used as given.
    boto3_session : boto3.session.Session, optional
        Session to create the client from.
    config : botocore.config.Config, optional
        Merged over the library's defaults (unsigned, standard retries, user agent).
    region : str, optional
        Region (default: the global config's effective region).
    endpoint_url : str, optional
        Endpoint (default: global ``endpoint``, then ``AWS_ENDPOINT_URL_CONNECTPARTICIPANT``).
    metrics : MetricsRecorder, optional
        Metrics sink (default: a recorder following the global config).
    """

    def __init__(
        self,
        *,
        client: ConnectParticipantClient | None = None,
        boto3_session: boto3.session.Session | None = None,
        config: botocore.config.Config | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        metrics: MetricsRecorder | None = None,
    ) -> None:
        self.metrics = metrics or MetricsRecorder()
        self._client = client or self._build(boto3_session, config, region, endpoint_url)

    @property
    def client(self) -> ConnectParticipantClient:
        """The boto3 client in use."""
        return self._client

    @staticmethod
    def _build(
        boto3_session: boto3.session.Session | None,
        config: botocore.config.Config | None,
        region: str | None,
        endpoint_url: str | None,
    ) -> ConnectParticipantClient:
        import boto3

        cfg = get_global_config()
        suffix = f"{_USER_AGENT} {cfg.custom_user_agent_suffix}".strip() if cfg.custom_user_agent_suffix else ""
        defaults = botocore.config.Config(
            signature_version=botocore.UNSIGNED,
            retries={"mode": "standard", "max_attempts": 3},
            user_agent_extra=suffix or _USER_AGENT,
        )
        merged = defaults.merge(config) if config is not None else defaults
        endpoint = endpoint_url or cfg.endpoint or os.environ.get("AWS_ENDPOINT_URL_CONNECTPARTICIPANT")
        session_region = boto3_session.region_name if boto3_session is not None else None
        region_name = cfg.region_override or region or session_region or cfg.effective_region
        session = boto3_session or boto3.session.Session()
        return session.client(
            "connectparticipant",
            region_name=region_name,
            endpoint_url=endpoint or None,
            config=merged,
        )

    # ------------------------------------------------------------------ core
    def call(self, operation: str, *, metadata: Mapping[str, Any] | None = None, **params: Any) -> dict[str, Any]:
        """Call ``operation`` (PascalCase name) with boto3 ``params``; return the response without
        ``ResponseMetadata`` plus ``_request_id``.

        Raises
        ------
        ConnectChatError
            A subclass matching the AWS error code, or :class:`NetworkError`.
        """
        method = getattr(self._client, snake(operation))
        started = time.perf_counter()
        try:
            response: dict[str, Any] = method(**params)
        except Exception as exc:
            elapsed = (time.perf_counter() - started) * 1000
            self.metrics.record_call(operation, elapsed, error=True)
            mapped = map_client_error(exc, operation=operation, metadata=metadata)
            _log.warn("%s failed: %s %s (request %s)", operation, mapped.code, mapped.status_code, mapped.request_id)
            raise mapped from exc
        elapsed = (time.perf_counter() - started) * 1000
        self.metrics.record_call(operation, elapsed, error=False)
        request_id = response.get("ResponseMetadata", {}).get("RequestId")
        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        _register_response_secrets(body)
        _log.debug("%s ok in %.0f ms (request %s)", operation, elapsed, request_id)
        body["_request_id"] = request_id
        return body

    # ------------------------------------------------------------------ operations
    def create_participant_connection(
        self, participant_token: str, *, types: tuple[str, ...], connect_participant: bool | None = None
    ) -> dict[str, Any]:
        """CreateParticipantConnection with the participant token."""
        register_secret(participant_token)
        params: dict[str, Any] = {"ParticipantToken": participant_token, "Type": list(types)}
        if connect_participant is not None:
            params["ConnectParticipant"] = connect_participant
        return self.call("CreateParticipantConnection", **params)

    def send_message(
        self, connection_token: str, *, content: str, content_type: str, client_token: str | None = None
    ) -> dict[str, Any]:
        """SendMessage."""
        return self.call(
            "SendMessage",
            ConnectionToken=connection_token,
            Content=content,
            ContentType=content_type,
            ClientToken=client_token or str(uuid.uuid4()),
        )

    def send_event(
        self,
        connection_token: str,
        *,
        content_type: str,
        content: str | None = None,
        client_token: str | None = None,
    ) -> dict[str, Any]:
        """SendEvent."""
        params: dict[str, Any] = {
            "ConnectionToken": connection_token,
            "ContentType": content_type,
            "ClientToken": client_token or str(uuid.uuid4()),
        }
        if content is not None:
            params["Content"] = content
        return self.call("SendEvent", **params)

    def get_transcript(self, connection_token: str, **request: Any) -> dict[str, Any]:
        """GetTranscript (``request`` in boto3 spelling: MaxResults, SortOrder, ...)."""
        return self.call("GetTranscript", ConnectionToken=connection_token, **request)

    def start_attachment_upload(
        self,
        connection_token: str,
        *,
        content_type: str,
        size: int,
        name: str,
        client_token: str | None = None,
    ) -> dict[str, Any]:
        """StartAttachmentUpload."""
        return self.call(
            "StartAttachmentUpload",
            ConnectionToken=connection_token,
            ContentType=content_type,
            AttachmentSizeInBytes=size,
            AttachmentName=name,
            ClientToken=client_token or str(uuid.uuid4()),
        )

    def complete_attachment_upload(
        self, connection_token: str, *, attachment_ids: list[str], client_token: str | None = None
    ) -> dict[str, Any]:
        """CompleteAttachmentUpload."""
        return self.call(
            "CompleteAttachmentUpload",
            ConnectionToken=connection_token,
            AttachmentIds=attachment_ids,
            ClientToken=client_token or str(uuid.uuid4()),
        )

    def get_attachment(self, connection_token: str, *, attachment_id: str) -> dict[str, Any]:
        """GetAttachment."""
        return self.call("GetAttachment", ConnectionToken=connection_token, AttachmentId=attachment_id)

    def disconnect_participant(self, connection_token: str, *, client_token: str | None = None) -> dict[str, Any]:
        """DisconnectParticipant."""
        return self.call(
            "DisconnectParticipant",
            ConnectionToken=connection_token,
            ClientToken=client_token or str(uuid.uuid4()),
        )

    def describe_view(self, connection_token: str, *, view_token: str) -> dict[str, Any]:
        """DescribeView."""
        return self.call("DescribeView", ConnectionToken=connection_token, ViewToken=view_token)

    def get_authentication_url(self, connection_token: str, *, session_id: str, redirect_uri: str) -> dict[str, Any]:
        """GetAuthenticationUrl."""
        return self.call(
            "GetAuthenticationUrl",
            ConnectionToken=connection_token,
            SessionId=session_id,
            RedirectUri=redirect_uri,
        )

    def cancel_participant_authentication(self, connection_token: str, *, session_id: str) -> dict[str, Any]:
        """CancelParticipantAuthentication."""
        return self.call("CancelParticipantAuthentication", ConnectionToken=connection_token, SessionId=session_id)


def _register_response_secrets(body: Mapping[str, Any]) -> None:
    for value in body.values():
        if isinstance(value, Mapping):
            for key in _SECRET_RESPONSE_KEYS:
                secret = value.get(key)
                if isinstance(secret, str):
                    register_secret(secret)
