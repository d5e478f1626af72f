"""The runtime choices every function and the layer share, in one place."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from aws_cdk import aws_lambda, aws_logs

#: Lambda runtime of every function and of the library layer.
RUNTIME: Final = aws_lambda.Runtime.PYTHON_3_13
#: Lambda architecture of every function and of the library layer.
ARCHITECTURE: Final = aws_lambda.Architecture.ARM_64

#: The repository root (the assets are resolved from it, whatever the working directory).
ROOT: Final = Path(__file__).resolve().parent.parent
#: The handlers' code asset.
LAMBDAS_DIR: Final = ROOT / "lambdas"
#: The library layer's asset (holds ``python/connect_chat/``).
LAYER_DIR: Final = ROOT / "layer"
#: Never part of an asset (the layer or the functions' code): tests, caches, what packaging tools leave behind
#: (``build/``, ``dist/``, ``*.egg-info``), the library's pip metadata (``pyproject.toml``) and the folders'
#: documentation (``README.md``). ``tests/infra/test_assets.py`` lists what remains.
ASSET_EXCLUDES: Final[tuple[str, ...]] = (
    "tests",
    "**/tests",
    "__pycache__",
    "**/__pycache__",
    "*.pyc",
    "**/*.pyc",
    ".mypy_cache",
    "**/.mypy_cache",
    ".pytest_cache",
    "**/.pytest_cache",
    ".ruff_cache",
    "**/.ruff_cache",
    "build",
    "**/build",
    "dist",
    "**/dist",
    "*.egg-info",
    "**/*.egg-info",
    "pyproject.toml",
    "**/pyproject.toml",
    "*.md",
    "**/*.md",
)

#: The public Powertools for AWS Lambda (Python) v3 layer: its publishing account and the pinned version.
#: The layer is built from ``aws-lambda-powertools[all]``, so it carries pydantic v2 (parser), aws-xray-sdk
#: (tracer) and fastjsonschema (validation).
POWERTOOLS_ACCOUNT: Final = "017000801446"
POWERTOOLS_LAYER_VERSION: Final = 27


def powertools_layer_name() -> str:
    """``AWSLambdaPowertoolsPythonV3-python313-arm64`` for the runtime and architecture above."""
    runtime = RUNTIME.name.replace(".", "")
    return f"AWSLambdaPowertoolsPythonV3-{runtime}-{ARCHITECTURE.name}"


_RETENTION_NAMES: Final[dict[int, str]] = {
    1: "ONE_DAY",
    3: "THREE_DAYS",
    5: "FIVE_DAYS",
    7: "ONE_WEEK",
    14: "TWO_WEEKS",
    30: "ONE_MONTH",
    60: "TWO_MONTHS",
    90: "THREE_MONTHS",
    120: "FOUR_MONTHS",
    150: "FIVE_MONTHS",
    180: "SIX_MONTHS",
    365: "ONE_YEAR",
    400: "THIRTEEN_MONTHS",
    545: "EIGHTEEN_MONTHS",
    731: "TWO_YEARS",
    1096: "THREE_YEARS",
    1827: "FIVE_YEARS",
    2192: "SIX_YEARS",
    2557: "SEVEN_YEARS",
    2922: "EIGHT_YEARS",
    3288: "NINE_YEARS",
    3653: "TEN_YEARS",
}


def retention(days: int) -> aws_logs.RetentionDays:
    """The CloudWatch Logs retention of ``days`` days (``KeyError`` when CloudWatch has no such period)."""
    return aws_logs.RetentionDays[_RETENTION_NAMES[days]]
