"""``$disconnect``: forget the connection; its chat stays resumable until it ends."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import APIGatewayWebSocketDisconnectEventModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from common.observability import powertools

from . import runtime

logger, tracer, metrics = powertools("relay-disconnect")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point for the ``$disconnect`` route."""
    parsed = parse(event=event, model=APIGatewayWebSocketDisconnectEventModel)
    connection_id = parsed.request_context.connection_id
    logger.append_keys(connection_id=connection_id)
    contact_id = runtime.store().forget_connection(connection_id)
    if contact_id:
        logger.append_keys(contact_id=contact_id)
    logger.info("Connection closed", extra={"status": parsed.request_context.disconnect_status_code})
    metrics.add_metric(name="ConnectionsClosed", unit=MetricUnit.Count, value=1)
    return {"statusCode": 200}
