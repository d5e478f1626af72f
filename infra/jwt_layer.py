"""The JWT library layer: PyJWT and the crypto behind RS256/ES256 (cryptography, cffi), built for the functions'
runtime and architecture at synth time, without Docker.

pip downloads the pinned wheels (``jwt_layer_requirements.txt``, hashes checked) for the functions' platform
(``--platform manylinux2014_aarch64 --implementation cp --python-version 3.13 --only-binary=:all:``, derived from
:mod:`infra.constants`) into a folder under ``.cache/jwt-layer/`` named after the pins and the platform. Later synths
(and the infra tests) reuse that folder without pip, so they are fast and offline once it exists.

The layer unpacks to ``/opt/connect-chat-jwt``, which is not on the functions' import path: a handler imports
nothing from it until :mod:`common.identity` verifies a first token and puts the folder first on ``sys.path``
(``JWT_LIBRARY_PATH``). So the functions' cold start is unchanged, and the versions pinned here win over any
copy another layer (Powertools') may carry.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from aws_cdk import RemovalPolicy, aws_lambda
from constructs import Construct

from infra import constants

#: The pinned requirements (with their wheels' hashes).
REQUIREMENTS_FILE: Final = Path(__file__).with_name("jwt_layer_requirements.txt")
#: Where built layer folders are kept between synths (gitignored).
CACHE_DIR: Final = constants.ROOT / ".cache" / "jwt-layer"
#: The layer's top folder: Lambda unpacks it to ``/opt/connect-chat-jwt``.
LAYER_FOLDER: Final = "connect-chat-jwt"
#: What the functions' ``JWT_LIBRARY_PATH`` holds.
LIBRARY_PATH: Final = f"/opt/{LAYER_FOLDER}"
#: What pip installs that the functions never run (console scripts, code pycparser generates at build time).
_PRUNED: Final = ("bin", "__pycache__")

Runner = Callable[..., Any]


class LayerBuildError(RuntimeError):
    """The layer's wheels could not be installed; the message says what pip reported and what to do."""


def pip_platform(architecture: aws_lambda.Architecture = constants.ARCHITECTURE) -> str:
    """pip's ``--platform`` for a Lambda architecture (``manylinux2014_aarch64`` for arm64)."""
    machine = {"arm64": "aarch64", "x86_64": "x86_64"}[architecture.name]
    return f"manylinux2014_{machine}"


def python_version(runtime: aws_lambda.Runtime = constants.RUNTIME) -> str:
    """pip's ``--python-version`` for a Lambda runtime (``3.13`` for ``python3.13``)."""
    return runtime.name.removeprefix("python")


def pip_arguments(target: Path, requirements: Path = REQUIREMENTS_FILE) -> list[str]:
    """The pip command that installs the pinned wheels for the functions' platform into ``target``."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "--no-compile",
        "--no-warn-script-location",
        "--only-binary=:all:",
        "--platform",
        pip_platform(),
        "--implementation",
        "cp",
        "--python-version",
        python_version(),
        "--require-hashes",
        "--requirement",
        str(requirements),
        "--target",
        str(target),
    ]


def cache_key(requirements: Path = REQUIREMENTS_FILE) -> str:
    """Names the built folder: changes with the pins and with the platform."""
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(f"{pip_platform()} cp{python_version()}".encode())
    return digest.hexdigest()[:16]


def build_directory(
    *, requirements: Path = REQUIREMENTS_FILE, cache_dir: Path = CACHE_DIR, run: Runner = subprocess.run
) -> Path:
    """The layer's asset folder (holding ``connect-chat-jwt/``), built with pip unless the cache has it.

    Raises
    ------
    LayerBuildError
        When pip fails (no network on the first build, a pin without a wheel for the platform, ...).
    """
    final = cache_dir / cache_key(requirements)
    if final.is_dir():
        return final
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cache_dir / f".{final.name}.{os.getpid()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    result = run(
        pip_arguments(partial / LAYER_FOLDER, requirements),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        said = "\n".join(line for line in (result.stdout or "").splitlines()[-15:] if line.strip())
        raise LayerBuildError(
            f"the JWT library layer (customer tokens) could not be built: pip exited with {result.returncode}:\n"
            f"{said}\nIt is built once, from PyPI, into {cache_dir}; run the synth where PyPI is reachable (or "
            "copy that folder from a machine that has it), or leave customerJwksUrl unset."
        )
    for name in _PRUNED:
        for path in list((partial / LAYER_FOLDER).rglob(name)):
            shutil.rmtree(path, ignore_errors=True)
    try:
        partial.rename(final)
    except OSError:  # another synth finished the same build first
        shutil.rmtree(partial, ignore_errors=True)
    return final


class JwtLibraryLayer(Construct):
    """A layer version holding the JWT library for the functions' runtime and architecture (see the module)."""

    def __init__(self, scope: Construct, construct_id: str, *, destroy: bool = False) -> None:
        super().__init__(scope, construct_id)
        self.layer = aws_lambda.LayerVersion(
            self,
            "Layer",
            code=aws_lambda.Code.from_asset(str(build_directory()), exclude=["**/__pycache__", "**/*.pyc"]),
            compatible_runtimes=[constants.RUNTIME],
            compatible_architectures=[constants.ARCHITECTURE],
            description=f"PyJWT and cryptography for customer tokens, in {LIBRARY_PATH} (off the import path)",
            removal_policy=RemovalPolicy.DESTROY if destroy else RemovalPolicy.RETAIN,
        )
