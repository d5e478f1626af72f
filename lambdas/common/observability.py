"""Powertools Logger and Metrics for every handler, and X-Ray subsegments when the deployment asks for them."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics

from common import contract
from connect_chat.log import THIRD_PARTY_LOGGERS, install_redaction

_Handler = TypeVar("_Handler", bound=Callable[..., Any])


def powertools(service: str) -> tuple[Logger, Metrics]:
    """Logger (tokens redacted from every record) and Metrics for ``service``."""
    logger = Logger(service=os.environ.get(contract.ENV_SERVICE_NAME, service))
    install_redaction((*THIRD_PARTY_LOGGERS, logger.name))
    metrics = Metrics(
        namespace=os.environ.get(contract.ENV_METRICS_NAMESPACE, contract.METRICS_NAMESPACE), service=service
    )
    return logger, metrics


def instrument(
    logger: Logger, metrics: Metrics, service: str, *, correlation_id_path: str | None = None
) -> Callable[[_Handler], _Handler]:
    """Decorate a Lambda handler: Lambda context in every log record, metrics flushed after each invocation and,
    when ``TRACE_AWS_CALLS`` is ``true``, Powertools' Tracer (an X-Ray subsegment per AWS call).

    The Tracer loads the X-Ray SDK, whose import costs about as much CPU as boto3's, so it is loaded only
    when asked for; Lambda's active tracing records each invocation either way.
    """

    def decorate(handler: _Handler) -> _Handler:
        wrapped: Any = metrics.log_metrics(handler)
        if os.environ.get(contract.ENV_TRACE_AWS_CALLS, "").strip().lower() == "true":
            from aws_lambda_powertools import Tracer

            wrapped = Tracer(service=service).capture_lambda_handler(wrapped)
        if correlation_id_path is None:
            wrapped = logger.inject_lambda_context(wrapped)
        else:
            wrapped = logger.inject_lambda_context(correlation_id_path=correlation_id_path)(wrapped)
        result: _Handler = wrapped
        return result

    return decorate
