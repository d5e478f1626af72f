"""The Lambda layers every function uses: the ``connect_chat`` library (built from ``layer/``), its compiled
dependencies (pinned wheels, see :mod:`infra.wheel_layer`) and Powertools."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from aws_cdk import RemovalPolicy, Stack, aws_lambda
from constructs import Construct

from infra import constants
from infra.wheel_layer import CACHE_ROOT, WheelLayerBuild

#: The library's compiled dependencies, pinned with their wheels' hashes.
DEPENDENCIES_REQUIREMENTS: Final = Path(__file__).with_name("library_requirements.txt")
#: How the dependencies layer is built: into ``python/``, which Lambda unpacks to ``/opt/python``, the folder on
#: the functions' import path that the library layer's ``python/`` is merged into.
DEPENDENCIES: Final = WheelLayerBuild(
    name="the connect_chat dependencies layer",
    requirements=DEPENDENCIES_REQUIREMENTS,
    folder="python",
    cache_dir=CACHE_ROOT / "dependencies-layer",
)


def dependencies_description() -> str:
    """What the dependencies layer holds (``connect_chat's compiled dependencies: msgspec 0.22.0, ...``)."""
    pins = ", ".join(f"{name} {version}" for name, version in DEPENDENCIES.pins())
    return (
        f"connect_chat's compiled dependencies: {pins}, built for {constants.RUNTIME.name} "
        f"{constants.ARCHITECTURE.name}, in /opt/{DEPENDENCIES.folder}"
    )


class Layers(Construct):
    """The library layer, published from ``layer/`` as is (no Docker, no bundling), the layer of its compiled
    dependencies (built with pip for the functions' platform, no Docker either) and the Powertools layer.

    ``library`` and ``dependencies`` can be shared with other AWS accounts (``share_with``) so that their functions
    use the same ``connect_chat``, which needs both; they are retained on stack deletion unless ``destroy`` is set,
    because functions elsewhere may still reference their versions.
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
        removal_policy = RemovalPolicy.DESTROY if destroy else RemovalPolicy.RETAIN
        self.library = aws_lambda.LayerVersion(
            self,
            "Library",
            code=aws_lambda.Code.from_asset(str(constants.LAYER_DIR), exclude=list(constants.ASSET_EXCLUDES)),
            compatible_runtimes=[constants.RUNTIME],
            compatible_architectures=[constants.ARCHITECTURE],
            description="connect_chat: the Amazon Connect chat library (Participant Service, websocket, streaming)",
            license="Apache-2.0",
            removal_policy=removal_policy,
        )
        self.dependencies = DEPENDENCIES.layer_version(
            self, "Dependencies", description=dependencies_description(), removal_policy=removal_policy
        )
        for layer in (self.library, self.dependencies):
            for index, principal in enumerate(share_with):
                layer.add_permission(f"Share{index}", account_id=principal)

        arn = powertools_layer_arn or self.public_powertools_arn(Stack.of(self))
        self.powertools = aws_lambda.LayerVersion.from_layer_version_arn(self, "Powertools", arn)

    @staticmethod
    def public_powertools_arn(stack: Stack) -> str:
        """The pinned public Powertools layer in the stack's region (commercial partition)."""
        return (
            f"arn:{stack.partition}:lambda:{stack.region}:{constants.POWERTOOLS_ACCOUNT}:layer:"
            f"{constants.powertools_layer_name()}:{constants.POWERTOOLS_LAYER_VERSION}"
        )
