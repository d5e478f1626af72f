"""``POST /start-chat``: validate the body, call StartChatContact, answer what chat widgets expect.

The response body is ``{"data": {"startChatResult": {"ContactId", "ParticipantId", "ParticipantToken"}}}``,
the shape amazon-connect-chat-interface reads.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

from common.contacts import StartChatError, connect_client, parse_start_chat_body, start_chat_contact
from common.fields import FieldError
from common.observability import instrument, powertools
from common.reuse import built_once
from common.settings import Settings

SERVICE = "start-chat"
logger, metrics = powertools(SERVICE)
_MAX_BODY_BYTES = 64 * 1024


@built_once
def _settings() -> Settings:
    return Settings.from_env(relay=False)


@built_once
def _connect() -> Any:
    return connect_client()


def _header(event: dict[str, Any], name: str) -> str | None:
    headers = event.get("headers") or {}
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _cors(origin: str | None, settings: Settings) -> dict[str, str]:
    if origin is None or not settings.origin_allowed(origin):
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Vary": "Origin",
    }


def _response(status: int, body: dict[str, Any] | None, cors: dict[str, str]) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", **cors}
    return {"statusCode": status, "headers": headers, "body": json.dumps(body) if body is not None else ""}


def _error(status: int, code: str, message: str, cors: dict[str, str]) -> dict[str, Any]:
    return _response(status, {"error": {"code": code, "message": message}}, cors)


def _method(event: dict[str, Any]) -> str:
    http = (event.get("requestContext") or {}).get("http") or {}
    return str(http.get("method") or event.get("httpMethod") or "POST").upper()


def _body(event: dict[str, Any]) -> bytes:
    raw = event.get("body") or ""
    return base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode()


@instrument(logger, metrics, SERVICE, correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point for an API Gateway HTTP API (payload 2.0) or REST proxy event."""
    settings = _settings()
    origin = _header(event, "origin")
    cors = _cors(origin, settings)
    if origin is not None and not cors:
        metrics.add_metric(name="StartChatRejectedOrigin", unit=MetricUnit.Count, value=1)
        return _error(403, "ORIGIN_NOT_ALLOWED", "this origin may not start chats", {})
    method = _method(event)
    if method == "OPTIONS":
        metrics.add_metric(name="StartChatPreflights", unit=MetricUnit.Count, value=1)
        return _response(204, None, cors)
    metrics.add_metric(name="StartChatRequests", unit=MetricUnit.Count, value=1)
    if method != "POST":
        return _error(405, "METHOD_NOT_ALLOWED", "use POST", cors)
    body = _body(event)
    if len(body) > _MAX_BODY_BYTES:
        return _error(413, "PAYLOAD_TOO_LARGE", f"body is {len(body)} bytes; the limit is {_MAX_BODY_BYTES}", cors)
    try:
        data = json.loads(body or b"{}")
        if not isinstance(data, dict):
            raise FieldError("body", "must be a JSON object")
        request = parse_start_chat_body(data)
    except (ValueError, RecursionError) as exc:
        metrics.add_metric(name="StartChatInvalid", unit=MetricUnit.Count, value=1)
        message = str(exc) if isinstance(exc, FieldError) else "body: is not valid JSON"
        return _error(400, "VALIDATION_ERROR", message, cors)
    try:
        started = start_chat_contact(request, settings, _connect())
    except StartChatError as exc:
        logger.warning("StartChatContact failed", extra={"error_code": exc.code, "status": exc.status})
        metrics.add_metric(name="StartChatFailed", unit=MetricUnit.Count, value=1)
        return _error(exc.status, exc.code, exc.message, cors)
    logger.append_keys(contact_id=started["ContactId"])
    logger.info("Chat started")
    metrics.add_metric(name="ChatsStarted", unit=MetricUnit.Count, value=1)
    result = {key: started[key] for key in ("ContactId", "ParticipantId", "ParticipantToken")}
    if started.get("ContinuedFromContactId"):
        result["ContinuedFromContactId"] = started["ContinuedFromContactId"]
    return _response(200, {"data": {"startChatResult": result}}, cors)
