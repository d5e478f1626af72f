"""The JWT library layer: PyJWT and the crypto behind RS256/ES256 (cryptography, cffi), built for the functions'
runtime and architecture at synth time, without Docker (see :mod:`infra.wheel_layer`).

pip installs the pinned wheels (``jwt_layer_requirements.txt``, hashes checked) into a folder under
``.cache/jwt-layer/``; later synths (and the infra tests) reuse it without pip.

The layer unpacks to ``/opt/connect-chat-jwt``, which is not on the functions' import path: a handler imports
nothing from it until :mod:`common.identity` verifies a first token and puts the folder first on ``sys.path``
(``JWT_LIBRARY_PATH``). So the functions' cold start is unchanged, and the versions pinned here win over any
copy another layer (Powertools') may carry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from aws_cdk import RemovalPolicy
from constructs import Construct

from infra.wheel_layer import CACHE_ROOT, WheelLayerBuild

#: The pinned requirements (with their wheels' hashes).
REQUIREMENTS_FILE: Final = Path(__file__).with_name("jwt_layer_requirements.txt")
#: Where built layer folders are kept between synths (gitignored).
CACHE_DIR: Final = CACHE_ROOT / "jwt-layer"
#: The layer's top folder: Lambda unpacks it to ``/opt/connect-chat-jwt``.
LAYER_FOLDER: Final = "connect-chat-jwt"
#: What the functions' ``JWT_LIBRARY_PATH`` holds.
LIBRARY_PATH: Final = f"/opt/{LAYER_FOLDER}"
#: How the layer is built.
BUILD: Final = WheelLayerBuild(
    name="the JWT library layer (customer tokens)",
    requirements=REQUIREMENTS_FILE,
    folder=LAYER_FOLDER,
    cache_dir=CACHE_DIR,
    remedy="leave customerJwksUrl unset",
)


class JwtLibraryLayer(Construct):
    """A layer version holding the JWT library for the functions' runtime and architecture (see the module)."""

    def __init__(self, scope: Construct, construct_id: str, *, destroy: bool = False) -> None:
        super().__init__(scope, construct_id)
        self.layer = BUILD.layer_version(
            self,
            "Layer",
            description=f"PyJWT and cryptography for customer tokens, in {LIBRARY_PATH} (off the import path)",
            removal_policy=RemovalPolicy.DESTROY if destroy else RemovalPolicy.RETAIN,
        )
