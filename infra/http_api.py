"""The start-chat HTTP API (the direct flow): ``POST /start-chat`` with CORS for the allowed origins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration, aws_apigatewayv2, aws_apigatewayv2_integrations, aws_lambda
from constructs import Construct

from common import contract
from infra.access_logs import log_stage_access
from infra.nag import acknowledge

#: Fields of each access log line (the HTTP API $context variables).
ACCESS_LOG_FORMAT: Mapping[str, str] = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTimeEpoch",
    "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "integrationStatus": "$context.integrationStatus",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
}


class StartChatHttpApi(Construct):
    """HTTP API with one route per entry of ``contract.HTTP_ROUTES``, served from its ``$default`` stage (so the
    path is the same as the local stack's: ``https://{api-id}.execute-api.{region}.amazonaws.com/start-chat``)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: Mapping[str, aws_lambda.IFunction],
        allowed_origins: Sequence[str],
        throttle_rate_limit: int,
        throttle_burst_limit: int,
        log_retention_days: int,
        destroy: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = aws_apigatewayv2.HttpApi(
            self,
            "Api",
            description="connect-chat start-chat endpoint (StartChatContact for chat widgets)",
            create_default_stage=False,
            cors_preflight=aws_apigatewayv2.CorsPreflightOptions(
                allow_origins=list(allowed_origins),
                allow_methods=[aws_apigatewayv2.CorsHttpMethod.POST, aws_apigatewayv2.CorsHttpMethod.OPTIONS],
                allow_headers=["Content-Type"],
                max_age=Duration.hours(1),
            ),
        )
        for route in contract.HTTP_ROUTES:
            self.api.add_routes(
                path=route.path,
                methods=[aws_apigatewayv2.HttpMethod(route.method)],
                integration=aws_apigatewayv2_integrations.HttpLambdaIntegration(
                    f"{route.function_id}Integration", functions[route.function_id]
                ),
            )
        self.stage = aws_apigatewayv2.HttpStage(
            self,
            "Stage",
            http_api=self.api,
            auto_deploy=True,
            throttle=aws_apigatewayv2.ThrottleSettings(
                rate_limit=throttle_rate_limit, burst_limit=throttle_burst_limit
            ),
        )
        self.access_logs = log_stage_access(
            self, self.stage, ACCESS_LOG_FORMAT, log_retention_days=log_retention_days, destroy=destroy
        )
        acknowledge(
            self.api,
            "AwsSolutions-APIG4",
            "start-chat is called by anonymous website visitors before any identity exists, as Amazon "
            "Connect's own chat widget backend is; it is throttled and CORS-restricted.",
        )

    @property
    def start_chat_url(self) -> str:
        """The full URL of ``POST /start-chat``."""
        return f"{self.stage.url.rstrip('/')}{contract.HTTP_ROUTES[0].path}"
