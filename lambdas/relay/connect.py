"""``$connect``: admit the connection when its Origin is allowed (and the optional authorizer agrees)."""

from __future__ import annotations

import importlib
import os
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import APIGatewayWebSocketConnectEventModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from common.observability import powertools

from . import runtime

logger, tracer, metrics = powertools("relay-connect")
#: Idle connections are dropped by API Gateway after 2 hours at most; keep the record a little longer.
CONNECTION_TTL_SECONDS = 3 * 3600


def _authorizer_allows(event: dict[str, Any]) -> bool:
    """Run the ``CONNECTION_AUTHORIZER`` hook (``module:function(event) -> bool``) when one is set."""
    name = os.environ.get("CONNECTION_AUTHORIZER", "").strip()
    if not name:
        return True
    module_name, _, attribute = name.partition(":")
    authorizer = getattr(importlib.import_module(module_name), attribute)
    return bool(authorizer(event))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point for the ``$connect`` route."""
    parsed = parse(event=event, model=APIGatewayWebSocketConnectEventModel)
    connection_id = parsed.request_context.connection_id
    logger.append_keys(connection_id=connection_id)
    origin = next((v for k, v in parsed.headers.items() if k.lower() == "origin"), None)
    if not runtime.settings().origin_allowed(origin) or not _authorizer_allows(event):
        logger.info("Connection refused", extra={"origin": origin})
        metrics.add_metric(name="ConnectionsRefused", unit=MetricUnit.Count, value=1)
        return {"statusCode": 403}
    runtime.store().put_connection(connection_id, origin=origin, ttl_seconds=CONNECTION_TTL_SECONDS)
    metrics.add_metric(name="ConnectionsOpened", unit=MetricUnit.Count, value=1)
    return {"statusCode": 200}
