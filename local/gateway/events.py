"""Lambda events shaped exactly like API Gateway's WebSocket events."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def _request_time(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def request_context(
    *,
    route_key: str,
    event_type: str,
    connection_id: str,
    connected_at: int,
    domain_name: str,
    stage: str,
    api_id: str,
    source_ip: str,
    user_agent: str | None,
) -> dict[str, Any]:
    """The ``requestContext`` every WebSocket event carries."""
    now = int(time.time() * 1000)
    request_id = uuid.uuid4().hex[:16] + "="
    return {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": _request_time(now),
        "messageDirection": "IN",
        "stage": stage,
        "connectedAt": connected_at,
        "requestTimeEpoch": now,
        "identity": {"sourceIp": source_ip, **({"userAgent": user_agent} if user_agent else {})},
        "requestId": request_id,
        "domainName": domain_name,
        "connectionId": connection_id,
        "apiId": api_id,
    }


def connect_event(context: dict[str, Any], headers: Mapping[str, str], query: Mapping[str, str]) -> dict[str, Any]:
    """The ``$connect`` event: headers (single and multi-value) and query string parameters."""
    event: dict[str, Any] = {
        "headers": dict(headers),
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = dict(query)
        event["multiValueQueryStringParameters"] = {key: [value] for key, value in query.items()}
    return event


def message_event(context: dict[str, Any], body: str, *, base64_encoded: bool = False) -> dict[str, Any]:
    """A message event (custom route or ``$default``)."""
    context = {**context, "messageId": uuid.uuid4().hex[:16] + "="}
    return {"requestContext": context, "body": body, "isBase64Encoded": base64_encoded}


def disconnect_event(context: dict[str, Any], status_code: int, reason: str, host: str) -> dict[str, Any]:
    """The ``$disconnect`` event with the close code and reason."""
    context = {**context, "disconnectStatusCode": status_code, "disconnectReason": reason}
    headers = {"Host": host, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
    return {
        "headers": headers,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "requestContext": context,
        "isBase64Encoded": False,
    }
