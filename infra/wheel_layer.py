"""Layers of pinned wheels, built for the functions' runtime and architecture at synth time, without Docker.

pip downloads the wheels a requirements file pins (versions and hashes) for the functions' platform
(``--platform manylinux2014_aarch64 --implementation cp --python-version 3.13 --only-binary=:all:``, derived from
:mod:`infra.constants`) into a folder under ``.cache/`` named after the pins, the layer's top folder and the
platform. Later synths (and the infra tests) reuse that folder without pip, so they are fast and offline once it
exists; changing a pin changes the name, so the next synth builds afresh.

:class:`WheelLayerBuild` describes one such layer; :mod:`infra.jwt_layer` and :mod:`infra.layers` (the library's
dependencies) each declare theirs.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from aws_cdk import RemovalPolicy, aws_lambda
from constructs import Construct

from infra import constants

#: Where the built layer folders are kept between synths (gitignored), one folder per layer below it.
CACHE_ROOT: Final = constants.ROOT / ".cache"
#: What pip installs that the functions never run (console scripts, code pycparser generates at build time).
_PRUNED: Final = ("bin", "__pycache__")
#: A pin of a requirements file: ``name==version`` at the start of a line.
_PIN: Final = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)", re.MULTILINE)

Runner = Callable[..., Any]


class LayerBuildError(RuntimeError):
    """A layer's wheels could not be installed; the message says what pip reported and what to do."""


def pip_platform(architecture: aws_lambda.Architecture = constants.ARCHITECTURE) -> str:
    """pip's ``--platform`` for a Lambda architecture (``manylinux2014_aarch64`` for arm64)."""
    machine = {"arm64": "aarch64", "x86_64": "x86_64"}[architecture.name]
    return f"manylinux2014_{machine}"


def python_version(runtime: aws_lambda.Runtime = constants.RUNTIME) -> str:
    """pip's ``--python-version`` for a Lambda runtime (``3.13`` for ``python3.13``)."""
    return runtime.name.removeprefix("python")


@dataclass(frozen=True)
class WheelLayerBuild:
    """How one layer of pinned wheels is built.

    Parameters
    ----------
    name
        The layer in the error's words (``the JWT library layer (customer tokens)``).
    requirements
        The pinned requirements, each pin with its wheel's ``--hash``.
    folder
        The layer's top folder: Lambda unpacks it to ``/opt/<folder>`` (``python`` puts it on the import path).
    cache_dir
        Where the built folders are kept between synths.
    remedy
        What else a user may do when the build fails, beyond reaching PyPI or fixing a pin
        (``leave customerJwksUrl unset``); empty when nothing else helps.
    """

    name: str
    requirements: Path
    folder: str
    cache_dir: Path
    remedy: str = ""

    def pins(self) -> list[tuple[str, str]]:
        """The ``(name, version)`` pairs the requirements file pins, in its order."""
        return _PIN.findall(self.requirements.read_text())

    def pip_arguments(self, target: Path) -> list[str]:
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
            str(self.requirements),
            "--target",
            str(target),
        ]

    def cache_key(self) -> str:
        """Names the built folder: changes with the pins, the layer's top folder and the platform."""
        digest = hashlib.sha256(self.requirements.read_bytes())
        digest.update(f"{self.folder} {pip_platform()} cp{python_version()}".encode())
        return digest.hexdigest()[:16]

    def build_directory(self, *, run: Runner = subprocess.run) -> Path:
        """The layer's asset folder (holding ``<folder>/``), built with pip unless the cache has it.

        Raises
        ------
        LayerBuildError
            When pip fails (no network on the first build, a pin without a wheel for the platform, ...).
        """
        final = self.cache_dir / self.cache_key()
        if final.is_dir():
            return final
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        partial = self.cache_dir / f".{final.name}.{os.getpid()}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        result = run(
            self.pip_arguments(partial / self.folder),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise LayerBuildError(self._failure(result.returncode, result.stdout or ""))
        for name in _PRUNED:
            for path in list((partial / self.folder).rglob(name)):
                shutil.rmtree(path, ignore_errors=True)
        try:
            partial.rename(final)
        except OSError:  # another synth finished the same build first
            shutil.rmtree(partial, ignore_errors=True)
        return final

    def layer_version(
        self, scope: Construct, construct_id: str, *, description: str, removal_policy: RemovalPolicy
    ) -> aws_lambda.LayerVersion:
        """A layer version of the built folder (see :meth:`build_directory`, byte-code left out) for the functions'
        runtime and architecture."""
        return aws_lambda.LayerVersion(
            scope,
            construct_id,
            code=aws_lambda.Code.from_asset(str(self.build_directory()), exclude=["**/__pycache__", "**/*.pyc"]),
            compatible_runtimes=[constants.RUNTIME],
            compatible_architectures=[constants.ARCHITECTURE],
            description=description,
            removal_policy=removal_policy,
        )

    def _failure(self, returncode: int, output: str) -> str:
        said = "\n".join(line for line in output.splitlines()[-15:] if line.strip())
        requirements = _shown(self.requirements)
        otherwise = f", or {self.remedy}" if self.remedy else ""
        return (
            f"{self.name} could not be built: pip exited with {returncode}:\n{said}\n"
            f"It is built once, from PyPI, into {_shown(self.cache_dir)}; run the synth where PyPI is reachable "
            f"(or copy that folder from a machine that has it){otherwise}. If pip found no wheel for "
            f"{pip_platform()} and CPython {python_version()}, or a hash that differs, correct that pin in "
            f"{requirements}."
        )


def _shown(path: Path) -> str:
    """``path`` as a user finds it: relative to the repository when inside it."""
    return path.relative_to(constants.ROOT).as_posix() if path.is_relative_to(constants.ROOT) else str(path)
