"""``$connect``: admit the connection when its Origin is allowed (and the optional authorizer agrees)."""

from __future__ import annotations

import importlib
import os
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from common import contract
from common.events import WebSocketEvent
from common.observability import instrument, powertools

from . import runtime

SERVICE = "relay-connect"
logger, metrics = powertools(SERVICE)


def _authorizer_allows(event: dict[str, Any]) -> bool:
    """Run the ``CONNECTION_AUTHORIZER`` hook (``module:function(event) -> bool``) when one is set."""
    name = os.environ.get(contract.ENV_CONNECTION_AUTHORIZER, "").strip()
    if not name:
        return True
    module_name, _, attribute = name.partition(":")
    authorizer = getattr(importlib.import_module(module_name), attribute)
    return bool(authorizer(event))


@instrument(logger, metrics, SERVICE)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point for the ``$connect`` route: 200 admits, 403 refuses, 500 when it could not decide."""
    try:
        return _admit(event)
    except Exception:
        logger.exception("The connection could not be recorded")
        metrics.add_metric(name="ConnectionsFailed", unit=MetricUnit.Count, value=1)
        return {"statusCode": 500}


def _admit(event: dict[str, Any]) -> dict[str, Any]:
    request = WebSocketEvent.parse(event)
    logger.append_keys(connection_id=request.connection_id)
    origin = request.origin
    if not runtime.settings().origin_allowed(origin):
        logger.warning(
            "Connection refused: origin not allowed",
            extra={"origin": origin, "setting": f"{contract.ENV_ALLOWED_ORIGINS} (CDK context allowedOrigins)"},
        )
        metrics.add_metric(name="ConnectionsRefused", unit=MetricUnit.Count, value=1)
        return {"statusCode": 403}
    if not _authorizer_allows(event):
        logger.warning(
            "Connection refused by the connection authorizer",
            extra={
                "origin": origin,
                "setting": f"{contract.ENV_CONNECTION_AUTHORIZER} (CDK context connectionAuthorizer)",
            },
        )
        metrics.add_metric(name="ConnectionsRefused", unit=MetricUnit.Count, value=1)
        return {"statusCode": 403}
    runtime.store().put_connection(request.connection_id, origin=origin)
    metrics.add_metric(name="ConnectionsOpened", unit=MetricUnit.Count, value=1)
    return {"statusCode": 200}
