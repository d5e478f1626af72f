"""A CDK stack of your own whose Lambda function uses ``connect_chat`` from a deployed connect-chat stack.

The connect-chat stack exports its two connect_chat layers: the library (``{stackName}-LayerArn``) and the
library's compiled dependencies (``{stackName}-DependenciesLayerArn``). A function that imports connect_chat needs
both, on the layers' runtime and architecture (Python 3.13, arm64).

Use it in your CDK app (``handler`` names a function in the folder ``code``)::

    ChatFunctionStack(app, "MyChatBot", code="bot", handler="bot.handler")
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Fn, Stack, aws_lambda
from constructs import Construct


class ChatFunctionStack(Stack):
    """One function with the connect_chat layers of the stack ``connect_chat_stack`` (same account and region)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code: str,
        handler: str,
        connect_chat_stack: str = "ConnectChat",
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        chat_layers = [
            aws_lambda.LayerVersion.from_layer_version_arn(
                self, export, Fn.import_value(f"{connect_chat_stack}-{export}")
            )
            for export in ("LayerArn", "DependenciesLayerArn")
        ]
        self.function = aws_lambda.Function(
            self,
            "ChatFunction",
            runtime=aws_lambda.Runtime.PYTHON_3_13,
            architecture=aws_lambda.Architecture.ARM_64,
            handler=handler,
            code=aws_lambda.Code.from_asset(code),
            layers=chat_layers,
        )
