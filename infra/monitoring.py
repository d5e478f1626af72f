"""A CloudWatch dashboard and alarms: function errors and throttles, dead letters, API server errors."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import (
    Duration,
    Stack,
    aws_apigatewayv2,
    aws_cloudwatch,
    aws_cloudwatch_actions,
    aws_lambda,
    aws_sns,
    aws_sqs,
)
from constructs import Construct

_PERIOD = Duration.minutes(5)


class Monitoring(Construct):
    """One alarm per signal that needs a person, and a dashboard with the traffic around them.

    Alarms fire on the first occurrence in a 5-minute period and treat missing data as fine; when ``alarm_topic``
    is given, they notify it.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: Mapping[str, aws_lambda.IFunction],
        dead_letter_queue: aws_sqs.IQueue,
        websocket_api: aws_apigatewayv2.WebSocketApi,
        websocket_stage: aws_apigatewayv2.WebSocketStage,
        http_api: aws_apigatewayv2.HttpApi,
        alarm_topic: aws_sns.ITopic | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.alarms: list[aws_cloudwatch.Alarm] = []
        stack_name = Stack.of(self).stack_name

        for name, function in functions.items():
            self._alarm(
                f"{name}Errors",
                function.metric_errors(period=_PERIOD, statistic="Sum"),
                f"{name}: the function raised errors",
            )
            self._alarm(
                f"{name}Throttles",
                function.metric_throttles(period=_PERIOD, statistic="Sum"),
                f"{name}: invocations were throttled (account or reserved concurrency)",
            )
        dead_letters = dead_letter_queue.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(1), statistic="Maximum"
        )
        self._alarm("DeadLetters", dead_letters, "Streaming notifications failed after retries (see the DLQ)")

        ws_dimensions = {"ApiId": websocket_api.api_id, "Stage": websocket_stage.stage_name}
        ws_integration_errors = _api_metric("IntegrationError", ws_dimensions)
        ws_execution_errors = _api_metric("ExecutionError", ws_dimensions)
        self._alarm("WebSocketIntegrationErrors", ws_integration_errors, "WebSocket API: integration (5xx) errors")
        self._alarm("WebSocketExecutionErrors", ws_execution_errors, "WebSocket API: execution errors")
        http_5xx = http_api.metric_server_error(period=_PERIOD, statistic="Sum")
        self._alarm("StartChat5xx", http_5xx, "start-chat HTTP API answered 5xx")

        if alarm_topic is not None:
            action = aws_cloudwatch_actions.SnsAction(alarm_topic)
            for alarm in self.alarms:
                alarm.add_alarm_action(action)

        self.dashboard = aws_cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"{stack_name}-connect-chat")
        self.dashboard.add_widgets(
            aws_cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms), width=24),
        )
        self.dashboard.add_widgets(
            aws_cloudwatch.GraphWidget(
                title="WebSocket API",
                left=[
                    _api_metric("ConnectCount", ws_dimensions),
                    _api_metric("MessageCount", ws_dimensions),
                ],
                right=[ws_integration_errors, ws_execution_errors, _api_metric("ClientError", ws_dimensions)],
                width=12,
            ),
            aws_cloudwatch.GraphWidget(
                title="start-chat HTTP API",
                left=[http_api.metric_count(period=_PERIOD)],
                right=[http_api.metric_client_error(period=_PERIOD), http_5xx],
                width=12,
            ),
        )
        self.dashboard.add_widgets(
            aws_cloudwatch.GraphWidget(
                title="Invocations",
                left=[function.metric_invocations(period=_PERIOD, label=name) for name, function in functions.items()],
                width=8,
            ),
            aws_cloudwatch.GraphWidget(
                title="Errors and throttles",
                left=[function.metric_errors(period=_PERIOD, label=name) for name, function in functions.items()],
                right=[function.metric_throttles(period=_PERIOD, label=name) for name, function in functions.items()],
                width=8,
            ),
            aws_cloudwatch.GraphWidget(
                title="Duration p99",
                left=[
                    function.metric_duration(period=_PERIOD, statistic="p99", label=name)
                    for name, function in functions.items()
                ],
                width=8,
            ),
        )
        self.dashboard.add_widgets(
            aws_cloudwatch.GraphWidget(title="Dead letters", left=[dead_letters], width=12),
        )

    def _alarm(self, construct_id: str, metric: aws_cloudwatch.IMetric, description: str) -> None:
        self.alarms.append(
            aws_cloudwatch.Alarm(
                self,
                construct_id,
                metric=metric,
                threshold=1,
                evaluation_periods=1,
                comparison_operator=aws_cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=aws_cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
        )


def _api_metric(name: str, dimensions: Mapping[str, str]) -> aws_cloudwatch.Metric:
    return aws_cloudwatch.Metric(
        namespace="AWS/ApiGateway",
        metric_name=name,
        dimensions_map=dict(dimensions),
        period=_PERIOD,
        statistic="Sum",
    )
