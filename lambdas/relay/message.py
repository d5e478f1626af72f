"""Every client frame (``startChat`` … ``endChat`` and ``$default``): one table request, then the action.

The connection's item answers everything a frame needs in one UpdateItem: it counts the frame against the
per-minute rate limit and returns the connection's chat (ids, tokens, state).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from common import frames
from common.events import WebSocketEvent
from common.gateway import management_endpoint, poster_for
from common.observability import instrument, powertools

from . import runtime
from .service import RelayService

SERVICE = "relay-message"
logger, metrics = powertools(SERVICE)


@instrument(logger, metrics, SERVICE)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point for the message routes; answers go to the client through the management API."""
    request = WebSocketEvent.parse(event)
    connection_id = request.connection_id
    logger.append_keys(connection_id=connection_id, route=request.route_key)
    poster = poster_for(management_endpoint(request.request_context))
    try:
        data = frames.decode_body(request.body)
        request_id = frames.request_id_of(data)
    except frames.FrameError as exc:
        data, request_id, refused = None, None, exc
    store = runtime.store()
    connection = store.open_frame(connection_id)
    if connection is None:
        poster.post(connection_id, frames.error_frame("NO_CONNECTION", "unknown connection; reconnect", request_id))
        return {"statusCode": 200}
    limit = runtime.settings().rate_limit_per_minute
    if connection.frames_this_minute > limit:
        metrics.add_metric(name="FramesRateLimited", unit=MetricUnit.Count, value=1)
        message = f"more than {limit} frames in a minute; slow down"
        poster.post(connection_id, frames.error_frame("RATE_LIMITED", message, request_id))
        return {"statusCode": 200}
    try:
        if data is None:
            raise refused
        frame = frames.frame_from(data)
    except frames.FrameError as exc:
        metrics.add_metric(name="FramesRejected", unit=MetricUnit.Count, value=1)
        logger.info("Frame rejected", extra={"code": exc.code})
        poster.post(connection_id, frames.error_frame(exc.code, exc.message, exc.request_id))
        return {"statusCode": 200}
    if connection.contact_id:
        logger.append_keys(contact_id=connection.contact_id)
    metrics.add_metric(name=f"Frames.{frame.action}", unit=MetricUnit.Count, value=1)
    service = RelayService(
        settings=runtime.settings(),
        store=store,
        poster=poster,
        participant=runtime.participant(),
        connect=runtime.connect,
        hooks=runtime.hooks(),
    )
    service.handle(connection, frame)
    return {"statusCode": 200}
