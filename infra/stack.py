"""The connect-chat stack: composes the constructs of ``infra/`` and wires their permissions."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack, aws_lambda, aws_sns
from constructs import Construct

from common import contract
from infra import constants, permissions
from infra.api_gateway_account import ApiGatewayAccount
from infra.config import StackConfig
from infra.continuation_key import ContinuationKey
from infra.dead_letter_queue import DeadLetterQueue
from infra.handler_function import HandlerFunction
from infra.http_api import StartChatHttpApi
from infra.jwt_layer import LIBRARY_PATH, JwtLibraryLayer
from infra.layers import Layers
from infra.monitoring import Monitoring
from infra.schedule import Schedule
from infra.session_table import SessionTable
from infra.streaming_topic import StreamingTopic
from infra.websocket_api import RelayWebSocketApi


class ConnectChatStack(Stack):
    """Everything one ``cdk deploy`` creates: layers, table, streaming topic, functions, both APIs, monitoring."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        destroy = config.destroy_on_removal

        self.layers = Layers(
            self,
            "Layers",
            powertools_layer_arn=config.powertools_layer_arn,
            share_with=config.layer_account_ids,
            destroy=destroy,
        )
        self.sessions = SessionTable(self, "Sessions", destroy=destroy)
        instance_arn = permissions.connect_instance_arn(self, config.connect_instance_id)
        self.streaming = StreamingTopic(self, "Streaming", instance_arn=instance_arn, destroy=destroy)
        self.dead_letters = DeadLetterQueue(self, "StreamDeadLetters", destroy=destroy)

        code = aws_lambda.Code.from_asset(str(constants.LAMBDAS_DIR), exclude=list(constants.ASSET_EXCLUDES))
        environment = {
            **config.handler_environment(),
            contract.ENV_TABLE_NAME: self.sessions.table.table_name,
            contract.ENV_STREAMING_TOPIC_ARN: self.streaming.topic.topic_arn,
        }
        # Signed-in customers need the JWT library: a layer only the functions that check starts get.
        self.jwt_library = JwtLibraryLayer(self, "JwtLibrary", destroy=destroy) if config.customer_tokens else None
        challenge_secret = config.challenge.secret if config.challenge else None
        # Persistent chat: the key continuation tokens are signed with, for the functions that issue or check them.
        self.continuation = (
            ContinuationKey(self, "ContinuationKey", destroy=destroy) if config.persistent_chat else None
        )
        self.handlers: dict[str, HandlerFunction] = {}
        for spec in contract.FUNCTIONS.values():
            layers: list[aws_lambda.ILayerVersion] = [
                self.layers.library,
                self.layers.dependencies,
                self.layers.powertools,
            ]
            function_environment = environment
            if self.jwt_library is not None and spec.starts_chats:
                layers.append(self.jwt_library.layer)
                function_environment = {**function_environment, contract.ENV_JWT_LIBRARY_PATH: LIBRARY_PATH}
            if self.continuation is not None and spec.continuation:
                secret_arn = self.continuation.secret.secret_arn
                function_environment = {**function_environment, contract.ENV_CONTINUATION_KEY_SECRET: secret_arn}
            handler = HandlerFunction(
                self,
                spec.id,
                spec=spec,
                code=code,
                layers=layers,
                environment=function_environment,
                log_retention_days=config.log_retention_days,
                destroy=destroy,
                dead_letter_queue=self.dead_letters.queue if spec.id == contract.STREAM_FUNCTION else None,
            )
            self.handlers[spec.id] = handler
            self.sessions.grant(handler.role, spec.table_access, queries_index=spec.queries_index)
            if spec.schedule_minutes:
                Schedule(self, f"{spec.id}Schedule", function=handler.function, minutes=spec.schedule_minutes)
            if challenge_secret is not None and spec.starts_chats:
                permissions.grant_secret_read(handler.role, challenge_secret)
            if self.continuation is not None and spec.continuation:
                self.continuation.grant_read(handler.role)
            if spec.connect_actions:
                any_flow = config.allow_contact_flow_override and spec.contact_flow_override
                permissions.grant_connect(
                    handler.role,
                    config.connect_instance_id,
                    "*" if any_flow else config.contact_flow_id,
                    spec.connect_actions,
                )
        functions = {name: handler.function for name, handler in self.handlers.items()}

        self.streaming.subscribe(functions[contract.STREAM_FUNCTION], self.dead_letters.queue)

        account = ApiGatewayAccount(self, "ApiGatewayAccount") if config.create_api_gateway_account_role else None
        self.websocket = RelayWebSocketApi(
            self,
            "WebSocket",
            functions=functions,
            stage_name=config.stage_name,
            throttle_rate_limit=config.throttle_rate_limit,
            throttle_burst_limit=config.throttle_burst_limit,
            log_retention_days=config.log_retention_days,
            destroy=destroy,
            depends_on=account.account if account is not None else None,
        )
        for spec in contract.FUNCTIONS.values():
            if spec.manage_connections:
                self.websocket.grant_manage_connections(self.handlers[spec.id].role)

        self.http = StartChatHttpApi(
            self,
            "StartChatApi",
            functions=functions,
            allowed_origins=config.allowed_origins,
            throttle_rate_limit=config.throttle_rate_limit,
            throttle_burst_limit=config.throttle_burst_limit,
            log_retention_days=config.log_retention_days,
            destroy=destroy,
        )

        alarm_topic = (
            aws_sns.Topic.from_topic_arn(self, "AlarmTopic", config.alarm_topic_arn) if config.alarm_topic_arn else None
        )
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            functions=functions,
            dead_letter_queue=self.dead_letters.queue,
            websocket_api=self.websocket.api,
            websocket_stage=self.websocket.stage,
            http_api=self.http.api,
            alarm_topic=alarm_topic,
        )

        CfnOutput(
            self,
            "WebSocketUrl",
            value=self.websocket.url,
            description="The relay WebSocket (widget data-websocket-url)",
        )
        CfnOutput(self, "StartChatUrl", value=self.http.start_chat_url, description="POST here to start a chat")
        # A function elsewhere that uses connect_chat needs both layers.
        for output, layer, description in (
            ("LayerArn", self.layers.library, "The connect_chat library layer (Python 3.13, arm64)"),
            (
                "DependenciesLayerArn",
                self.layers.dependencies,
                "The connect_chat library's compiled dependencies (Python 3.13, arm64): use with LayerArn",
            ),
        ):
            CfnOutput(
                self,
                output,
                value=layer.layer_version_arn,
                description=description,
                export_name=f"{self.stack_name}-{output}",
            )
        CfnOutput(self, "SessionTableName", value=self.sessions.table.table_name)
        CfnOutput(self, "StreamingTopicArn", value=self.streaming.topic.topic_arn)
        CfnOutput(self, "DashboardName", value=self.monitoring.dashboard.dashboard_name)
