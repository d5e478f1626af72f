"""The relay's WebSocket API: routes from the shared route table, a throttled stage with access logs."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Stack, aws_apigatewayv2, aws_apigatewayv2_integrations, aws_iam, aws_lambda
from constructs import Construct, IDependable

from common import contract
from infra import permissions
from infra.access_logs import log_stage_access
from infra.nag import acknowledge

#: Fields of each access log line (the WebSocket $context variables).
ACCESS_LOG_FORMAT: Mapping[str, str] = {
    "requestId": "$context.requestId",
    "connectionId": "$context.connectionId",
    "routeKey": "$context.routeKey",
    "eventType": "$context.eventType",
    "status": "$context.status",
    "requestTime": "$context.requestTimeEpoch",
    "ip": "$context.identity.sourceIp",
    "integrationStatus": "$context.integration.status",
    "integrationLatency": "$context.integration.latency",
    "integrationError": "$context.integration.error",
    "error": "$context.error.message",
}


class RelayWebSocketApi(Construct):
    """API Gateway WebSocket API routing on ``$request.body.action`` to the relay functions."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: Mapping[str, aws_lambda.IFunction],
        stage_name: str,
        throttle_rate_limit: int,
        throttle_burst_limit: int,
        log_retention_days: int,
        destroy: bool = False,
        depends_on: IDependable | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = aws_apigatewayv2.WebSocketApi(
            self,
            "Api",
            description="connect-chat relay: the browser chats through this API and never holds a Connect token",
            route_selection_expression=contract.ROUTE_SELECTION_EXPRESSION,
        )
        integrations: dict[str | None, aws_apigatewayv2.WebSocketRouteIntegration] = {}
        for route in contract.WEBSOCKET_ROUTES:
            integration = integrations.get(route.function_id)
            if integration is None:
                integration = self._integration(route.function_id, functions)
                integrations[route.function_id] = integration
            self.api.add_route(route.route_key, integration=integration)

        self.stage = aws_apigatewayv2.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=stage_name,
            auto_deploy=True,
            throttle=aws_apigatewayv2.ThrottleSettings(
                rate_limit=throttle_rate_limit, burst_limit=throttle_burst_limit
            ),
        )
        self.access_logs = log_stage_access(
            self, self.stage, ACCESS_LOG_FORMAT, log_retention_days=log_retention_days, destroy=destroy
        )
        if depends_on is not None:
            self.stage.node.add_dependency(depends_on)

        acknowledge(
            self.api,
            "AwsSolutions-APIG4",
            "Website visitors chat anonymously, as with Amazon Connect's own chat widget: $connect checks the "
            "Origin against the configured allowlist and the stage is throttled. API Gateway authorizes a "
            "WebSocket connection once, on $connect; the other routes run on that connection.",
        )

    @staticmethod
    def _integration(
        function_id: str | None, functions: Mapping[str, aws_lambda.IFunction]
    ) -> aws_apigatewayv2.WebSocketRouteIntegration:
        """The function's Lambda integration; no function: a mock that answers nothing (the keepalive route)."""
        if function_id is None:
            return aws_apigatewayv2_integrations.WebSocketMockIntegration(
                "KeepaliveIntegration",
                request_templates={"application/json": '{"statusCode": 200}'},
                template_selection_expression="\\$default",
            )
        return aws_apigatewayv2_integrations.WebSocketLambdaIntegration(
            f"{function_id}Integration", functions[function_id]
        )

    @property
    def url(self) -> str:
        """``wss://{api-id}.execute-api.{region}.amazonaws.com/{stage}``."""
        return self.stage.url

    def grant_manage_connections(self, role: aws_iam.Role) -> None:
        """Let ``role`` post to, read and delete this stage's connections (and nothing else)."""
        stack = Stack.of(self)
        statement = permissions.manage_connections_statement(stack, self.api.api_id, self.stage.stage_name)
        role.add_to_principal_policy(statement)
        cfn_api = self.api.node.default_child
        assert isinstance(cfn_api, aws_apigatewayv2.CfnApi)
        api_logical_id = stack.resolve(stack.get_logical_id(cfn_api))
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:"
            f"<{api_logical_id}>/{self.stage.stage_name}/*/@connections/*]",
            "Connection ids are created at run time; the grant is limited to this API's stage and its "
            "@connections management endpoints.",
        )
