"""``POST /start-chat``: validate the body, check who asks, call StartChatContact, answer what chat widgets expect.

The response body is ``{"data": {"startChatResult": {"ContactId", "ParticipantId", "ParticipantToken"}}}``,
the shape amazon-connect-chat-interface reads. Besides StartChatContact's own fields the body may carry a
``CustomerToken`` (a signed-in customer's JWT, whose claims win over the body's display name and attributes) and a
``ChallengeToken`` (the human check); each is checked only when the deployment turns its check on.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

from common import challenge, continuation, identity
from common.admission import HTTP_FIELDS, admit
from common.budgets import ChatBudgets
from common.contacts import StartChatError, connect_client, parse_start_chat_body, start_chat_contact
from common.fields import FieldError, Fields
from common.observability import instrument, powertools
from common.refusals import RefusedError
from common.reuse import built_once
from common.settings import Settings

SERVICE = "start-chat"
logger, metrics = powertools(SERVICE)
_MAX_BODY_BYTES = 64 * 1024
#: The metric each kind of refusal counts in.
_REFUSAL_METRICS = {
    identity.CustomerTokenError: "StartChatRefusedCustomerToken",
    challenge.ChallengeError: "StartChatRefusedChallenge",
}


@built_once
def _settings() -> Settings:
    return Settings.from_env(relay=False)


@built_once
def _connect() -> Any:
    return connect_client()


@built_once
def _budgets() -> ChatBudgets:
    import boto3

    return ChatBudgets.from_settings(_settings(), boto3.client("dynamodb"))


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


def _source_ip(event: dict[str, Any]) -> str | None:
    context = event.get("requestContext") or {}
    source = ((context.get("http") or {}).get("sourceIp")) or ((context.get("identity") or {}).get("sourceIp"))
    return str(source) if source else None


def _take_tokens(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """Remove the check tokens from the body (the rest is StartChatContact's) and validate them."""
    names = (HTTP_FIELDS.challenge_token, HTTP_FIELDS.customer_token)
    tokens = Fields({name: data.pop(name) for name in names if name in data})
    return (
        tokens.text(HTTP_FIELDS.challenge_token, high=challenge.MAX_TOKEN_CHARS),
        tokens.text(HTTP_FIELDS.customer_token, high=identity.MAX_TOKEN_CHARS),
    )


def _with_customer(data: dict[str, Any], customer: identity.Customer) -> dict[str, Any]:
    """The body with the customer's claims in place of its display name and claim-mapped attributes."""
    details, attributes = data.get("ParticipantDetails"), data.get("Attributes")
    if not isinstance(details, dict | None) or not isinstance(attributes, dict | None):
        return data  # malformed: the body's validation names the field
    name, merged = customer.apply((details or {}).get("DisplayName"), attributes or {})
    result = dict(data)
    if name is not None:
        result["ParticipantDetails"] = {**(details or {}), "DisplayName": name}
    if merged or attributes is not None:
        result["Attributes"] = merged
    return result


#: How this endpoint refuses a continuation token it cannot accept.
_CONTINUATION_REFUSAL = "PersistentChat.ContinuationToken: is unknown or expired; start a new chat"


def _refused(exc: RefusedError, cors: dict[str, str]) -> dict[str, Any]:
    """Answer a refusal of the checks (logged with its reason, never with a token)."""
    why = getattr(exc, "reason", None) or getattr(exc, "detail", None) or getattr(exc, "reasons", None)
    log = logger.error if exc.status >= 500 else logger.warning
    log("Start refused", extra={"error_code": exc.code, "status": exc.status, "why": why})
    metric = next((name for kind, name in _REFUSAL_METRICS.items() if isinstance(exc, kind)), "StartChatRefused")
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
    return _error(exc.status, exc.code, exc.message, cors)


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
        challenge_token, customer_token = _take_tokens(data)
        customer = identity.verify_customer(customer_token, field_name=HTTP_FIELDS.customer_token)
        request = parse_start_chat_body(_with_customer(data, customer))
        admitted = admit(
            customer,
            display_name=request.display_name,
            attributes=request.attributes,
            allowed_attributes=settings.contact_attributes,
            challenge_token=challenge_token,
            source_ip=_source_ip(event),
            names=HTTP_FIELDS,
        )
        request = dataclasses.replace(
            request,
            display_name=admitted.display_name or request.display_name,
            attributes=admitted.attributes,
            source_contact_id=continuation.continued_contact(request.continuation_token, refusal=_CONTINUATION_REFUSAL),
        )
    except RefusedError as exc:
        return _refused(exc, cors)
    except (identity.IdentitySettingsError, challenge.ChallengeSettingsError) as exc:
        logger.error("The start-chat checks are misconfigured", extra={"problem": str(exc)})
        return _error(500, "SERVER_ERROR", "the endpoint is misconfigured; its logs say how", cors)
    except (ValueError, RecursionError) as exc:
        metrics.add_metric(name="StartChatInvalid", unit=MetricUnit.Count, value=1)
        message = str(exc) if isinstance(exc, FieldError) else "body: is not valid JSON"
        return _error(400, "VALIDATION_ERROR", message, cors)
    refusal = _budgets().count_start(_source_ip(event) or "unknown", time.time())
    if refusal is not None:
        metrics.add_metric(name="StartChatRefusedBudget", unit=MetricUnit.Count, value=1)
        answer = _error(429, refusal.code, refusal.message, cors)
        answer["headers"]["Retry-After"] = str(refusal.retry_after)
        return answer
    try:
        started = start_chat_contact(request, settings, _connect())
    except StartChatError as exc:
        logger.warning("StartChatContact failed", extra={"error_code": exc.code, "status": exc.status})
        metrics.add_metric(name="StartChatFailed", unit=MetricUnit.Count, value=1)
        return _error(exc.status, exc.code, exc.message, cors)
    # Keys for this record only: appended keys would outlive the invocation in a warm function.
    logger.info("Chat started", extra={"contact_id": started["ContactId"], "customer_signed_in": customer.signed_in})
    metrics.add_metric(name="ChatsStarted", unit=MetricUnit.Count, value=1)
    result = {key: started[key] for key in ("ContactId", "ParticipantId", "ParticipantToken")}
    if started.get("ContinuedFromContactId"):
        result["ContinuedFromContactId"] = started["ContinuedFromContactId"]
    issued = continuation.offer_token(started["ContactId"], logger.warning)
    if issued is not None:
        result["ContinuationToken"] = issued.token
    return _response(200, {"data": {"startChatResult": result}}, cors)
