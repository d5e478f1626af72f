"""Every client frame (``startChat`` … ``endChat`` and ``$default``): rate limit, validate, carry out."""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import APIGatewayWebSocketMessageEventModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from common.frames import FrameError, error_frame, parse_frame
from common.gateway import ConnectionPoster
from common.observability import powertools

from . import runtime

logger, tracer, metrics = powertools("relay-message")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point for the message routes; answers go to the client through the management API."""
    parsed = parse(event=event, model=APIGatewayWebSocketMessageEventModel)
    connection_id = parsed.request_context.connection_id
    logger.append_keys(connection_id=connection_id, route=parsed.request_context.route_key)
    poster = ConnectionPoster.for_event(event)
    body = parsed.body if isinstance(parsed.body, str) else None
    if body is not None and parsed.is_base64_encoded:
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    store = runtime.store()
    if store.count_frame(connection_id) > runtime.settings().rate_limit_per_minute:
        metrics.add_metric(name="FramesRateLimited", unit=MetricUnit.Count, value=1)
        limit = runtime.settings().rate_limit_per_minute
        poster.post(connection_id, error_frame("RATE_LIMITED", f"more than {limit} frames in a minute; slow down"))
        return {"statusCode": 200}
    try:
        frame = parse_frame(body)
    except FrameError as exc:
        metrics.add_metric(name="FramesRejected", unit=MetricUnit.Count, value=1)
        logger.info("Frame rejected", extra={"code": exc.code})
        poster.post(connection_id, error_frame(exc.code, exc.message, exc.request_id))
        return {"statusCode": 200}
    contact_id = store.connection_chat(connection_id)
    if contact_id:
        logger.append_keys(contact_id=contact_id)
    metrics.add_metric(name=f"Frames.{frame.action}", unit=MetricUnit.Count, value=1)
    runtime.service_for(poster).handle(connection_id, frame, looked_up=(contact_id,))
    return {"statusCode": 200}
