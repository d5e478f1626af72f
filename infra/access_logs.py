"""Access logging for an API Gateway v2 stage (HTTP or WebSocket): a log group and the stage's settings."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aws_cdk import RemovalPolicy, aws_apigatewayv2, aws_logs
from constructs import Construct

from infra import constants


def log_stage_access(
    scope: Construct,
    stage: aws_apigatewayv2.HttpStage | aws_apigatewayv2.WebSocketStage,
    log_format: Mapping[str, str],
    *,
    log_retention_days: int,
    destroy: bool,
) -> aws_logs.LogGroup:
    """Create ``scope``'s ``AccessLogs`` group and make ``stage`` write ``log_format`` lines (JSON) to it."""
    access_logs = aws_logs.LogGroup(
        scope,
        "AccessLogs",
        retention=constants.retention(log_retention_days),
        removal_policy=RemovalPolicy.DESTROY if destroy else RemovalPolicy.RETAIN,
    )
    cfn_stage = stage.node.default_child
    assert isinstance(cfn_stage, aws_apigatewayv2.CfnStage)
    cfn_stage.access_log_settings = aws_apigatewayv2.CfnStage.AccessLogSettingsProperty(
        destination_arn=access_logs.log_group_arn, format=json.dumps(dict(log_format))
    )
    return access_logs
