"""Every client frame (``startChat`` … ``endChat`` and ``$default``): one table request, then the action.

The connection's item answers everything a frame needs in one UpdateItem: it counts the frame against the
per-minute rate limit, checks a ``sendMessage``'s ``requestId`` against the message it was first used for, and
returns the connection's chat (ids, tokens, state).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from common import contract, frames
from common.events import WebSocketEvent
from common.gateway import ConnectionPoster, management_endpoint, poster_for
from common.observability import instrument, powertools
from common.sessions import ConnectionState

from . import runtime
from .service import RelayService

SERVICE = "relay-message"
logger, metrics = powertools(SERVICE)


@instrument(logger, metrics, SERVICE)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point for the message routes; answers go to the client through the management API.

    Nothing escapes unanswered: an unexpected failure is logged (with the invocation's request id) and answered
    with an ``INTERNAL_ERROR`` frame that reveals nothing of it; the connection stays open.
    """
    request = WebSocketEvent.parse(event)
    logger.append_keys(connection_id=request.connection_id, route=request.route_key)
    poster = poster_for(management_endpoint(request.request_context))
    envelope = frames.open_envelope(request.body)
    try:
        _carry_out(request.connection_id, envelope, poster, request.source_ip or "unknown")
    except Exception:
        logger.exception("A frame could not be carried out")
        metrics.add_metric(name="FramesFailed", unit=MetricUnit.Count, value=1)
        answer = frames.error_frame("INTERNAL_ERROR", "the relay could not carry this out; retry", envelope.request_id)
        try:
            poster.post(request.connection_id, answer)
        except Exception:
            logger.exception("The INTERNAL_ERROR answer could not be posted")
    return {"statusCode": 200}


def _carry_out(connection_id: str, envelope: frames.Envelope, poster: ConnectionPoster, source_ip: str) -> None:
    request_id = envelope.request_id
    rejected = envelope.problem
    if envelope.data is not None and envelope.data.get("action") == "startChat":
        try:
            start = frames.frame_from(envelope.data)
        except frames.FrameError as exc:
            rejected = exc  # counted and answered below, like any invalid frame
        else:
            # A valid startChat counts its frame in the same transaction that takes the chat's budgets.
            metrics.add_metric(name="Frames.startChat", unit=MetricUnit.Count, value=1)
            _service(poster, source_ip, None).handle(ConnectionState(connection_id, 0), start)
            return
    fingerprint = frames.message_fingerprint(envelope.data) if envelope.data is not None else None
    message = (request_id, fingerprint) if request_id is not None and fingerprint is not None else None
    store = runtime.store()
    connection = store.open_frame(connection_id, message)
    if connection is None:
        poster.post(connection_id, frames.error_frame("NO_CONNECTION", "unknown connection; reconnect", request_id))
        return
    if connection.request_id_reused:
        metrics.add_metric(name="RequestIdsReused", unit=MetricUnit.Count, value=1)
        text = "this requestId was already used for another message on this connection; use a new requestId"
        poster.post(connection_id, frames.error_frame("REQUEST_ID_REUSED", text, request_id))
        return
    limit = runtime.settings().rate_limit_per_minute
    if envelope.data is not None and envelope.data.get("action") == contract.KEEPALIVE_ACTION:
        # API Gateway answers keepalives itself (a mock route); one that reaches a function gets no answer either.
        metrics.add_metric(name="KeepalivesInvoked", unit=MetricUnit.Count, value=1)
        return
    if connection.frames_this_minute > limit:
        metrics.add_metric(name="FramesRateLimited", unit=MetricUnit.Count, value=1)
        text = f"more than {limit} frames in a minute; slow down"
        poster.post(connection_id, frames.error_frame("RATE_LIMITED", text, request_id))
        return
    if rejected is None:
        assert envelope.data is not None
        try:
            frame = frames.frame_from(envelope.data)
        except frames.FrameError as exc:
            rejected = exc
    if rejected is not None:
        metrics.add_metric(name="FramesRejected", unit=MetricUnit.Count, value=1)
        logger.info("Frame rejected", extra={"code": rejected.code})
        poster.post(connection_id, frames.error_frame(rejected.code, rejected.message, rejected.request_id))
        return
    if connection.contact_id:
        logger.append_keys(contact_id=connection.contact_id)
    metrics.add_metric(name=f"Frames.{frame.action}", unit=MetricUnit.Count, value=1)
    _service(poster, source_ip, fingerprint).handle(connection, frame)


def _service(poster: ConnectionPoster, source_ip: str, fingerprint: str | None) -> RelayService:
    return RelayService(
        settings=runtime.settings(),
        store=runtime.store(),
        poster=poster,
        participant=runtime.participant(),
        connect=runtime.connect,
        hooks=runtime.hooks(),
        fingerprint=fingerprint,
        budgets=runtime.budgets(),
        source_ip=source_ip,
    )
