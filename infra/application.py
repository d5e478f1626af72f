"""Builds the CDK app: configuration from the context, the stack, and the AwsSolutions checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import App, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from infra.config import StackConfig
from infra.stack import ConnectChatStack


def build(
    context: Mapping[str, Any] | None = None,
    *,
    outdir: str | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[App, ConnectChatStack]:
    """The app and its stack; ``context`` adds to (and overrides) ``cdk.json``'s and ``-c`` values.

    cdk-nag's AwsSolutions rules run on every synth as a validation plugin: an unacknowledged finding fails the
    synth, and so ``cdk deploy``. The stack is environment-agnostic (no account or region is looked up at synth time).
    """
    app = App(context=dict(context) if context else None, outdir=outdir)
    config = StackConfig.from_context(app.node.try_get_context, env)
    stack = ConnectChatStack(
        app,
        config.stack_name,
        config=config,
        description="connect-chat: Amazon Connect chat relay (WebSocket), start-chat endpoint and connect_chat layer",
    )
    Tags.of(stack).add("project", "connect-chat")
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return app, stack
