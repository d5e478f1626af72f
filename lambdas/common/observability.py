"""Powertools Logger, Tracer and Metrics configured the same way for every handler."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

from connect_chat.log import THIRD_PARTY_LOGGERS, install_redaction

#: Metric namespace unless POWERTOOLS_METRICS_NAMESPACE says otherwise.
DEFAULT_NAMESPACE = "ConnectChat"


def powertools(service: str) -> tuple[Logger, Tracer, Metrics]:
    """Logger (tokens redacted from every record), Tracer and Metrics for ``service``."""
    logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", service))
    install_redaction((*THIRD_PARTY_LOGGERS, logger.name))
    tracer = Tracer(service=service)
    metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", DEFAULT_NAMESPACE), service=service)
    return logger, tracer, metrics
