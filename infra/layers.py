"""The Lambda layers every function uses: the ``connect_chat`` library (built from ``layer/``) and Powertools."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import RemovalPolicy, Stack, aws_lambda
from constructs import Construct

from infra import constants


class Layers(Construct):
    """The library layer, published from ``layer/`` as is (no Docker, no bundling), and the Powertools layer.

    ``library`` can be shared with other AWS accounts (``share_with``) so that their functions use the same
    ``connect_chat``; it is retained on stack deletion unless ``destroy`` is set, because functions elsewhere may
    still reference its version.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        powertools_layer_arn: str = "",
        share_with: Sequence[str] = (),
        destroy: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.library = aws_lambda.LayerVersion(
            self,
            "Library",
            code=aws_lambda.Code.from_asset(str(constants.LAYER_DIR), exclude=list(constants.ASSET_EXCLUDES)),
            compatible_runtimes=[constants.RUNTIME],
            compatible_architectures=[constants.ARCHITECTURE],
            description="connect_chat: the Amazon Connect chat library (Participant Service, websocket, streaming)",
            license="Apache-2.0",
            removal_policy=RemovalPolicy.DESTROY if destroy else RemovalPolicy.RETAIN,
        )
        for index, principal in enumerate(share_with):
            self.library.add_permission(f"Share{index}", account_id=principal)

        arn = powertools_layer_arn or self.public_powertools_arn(Stack.of(self))
        self.powertools = aws_lambda.LayerVersion.from_layer_version_arn(self, "Powertools", arn)

    @staticmethod
    def public_powertools_arn(stack: Stack) -> str:
        """The pinned public Powertools layer in the stack's region (commercial partition)."""
        return (
            f"arn:{stack.partition}:lambda:{stack.region}:{constants.POWERTOOLS_ACCOUNT}:layer:"
            f"{constants.powertools_layer_name()}:{constants.POWERTOOLS_LAYER_VERSION}"
        )
