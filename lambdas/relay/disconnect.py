"""``$disconnect``: forget the connection (one DeleteItem); its chat stays resumable until it ends."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from common.events import WebSocketEvent
from common.observability import instrument, powertools

from . import runtime

SERVICE = "relay-disconnect"
logger, metrics = powertools(SERVICE)


@instrument(logger, metrics, SERVICE)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point for the ``$disconnect`` route."""
    request = WebSocketEvent.parse(event)
    logger.append_keys(connection_id=request.connection_id)
    try:
        runtime.store().forget_connection(request.connection_id)
    except Exception:  # the record expires on its own (TTL); the chat is unaffected
        logger.exception("The connection could not be forgotten")
    status = event["requestContext"].get("disconnectStatusCode")
    logger.info("Connection closed", extra={"status": status})
    metrics.add_metric(name="ConnectionsClosed", unit=MetricUnit.Count, value=1)
    return {"statusCode": 200}
