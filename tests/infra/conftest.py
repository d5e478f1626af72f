"""Synthesizes the stack once per session (synth takes seconds) and shares the template with every test."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.config import EXAMPLE_CONTEXT

ROOT = Path(__file__).resolve().parents[2]


def cdk_json_context() -> dict[str, Any]:
    """The context ``npx cdk`` passes from cdk.json (feature flags and defaults)."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


@dataclass(frozen=True)
class Synthesized:
    """One synthesized app: its output directory, the stack's template (as a dict) and the validation report."""

    outdir: Path
    template: dict[str, Any]
    validation_report: dict[str, Any] | None

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {key: value for key, value in self.template["Resources"].items() if value["Type"] == resource_type}

    def one(self, resource_type: str) -> dict[str, Any]:
        found = list(self.resources(resource_type).values())
        assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
        return found[0]

    def layer(self, prefix: str) -> tuple[str, dict[str, Any]]:
        """The one layer version whose logical id starts with ``prefix`` (``LayersLibrary``, ``LayersDependencies``,
        ``JwtLibraryLayer``): its logical id and resource."""
        found = [
            (key, value) for key, value in self.resources("AWS::Lambda::LayerVersion").items() if key.startswith(prefix)
        ]
        assert len(found) == 1, f"expected one layer version {prefix}..., found {[key for key, _value in found]}"
        return found[0]

    def asset_dir(self, resource: dict[str, Any], code_key: str = "Content") -> Path:
        """The folder of the asset ``resource`` deploys (a layer's ``Content``, a function's ``Code``)."""
        return self.outdir / f"asset.{resource['Properties'][code_key]['S3Key'].removesuffix('.zip')}"


def synthesize(outdir: Path, extra: Mapping[str, Any] | None = None) -> Synthesized:
    """Build the app as ``npx cdk synth`` would (cdk.json context, example ids, ``extra``) into ``outdir``."""
    from infra.application import build

    context = {**cdk_json_context(), **EXAMPLE_CONTEXT, **(extra or {})}
    app, stack = build(context, outdir=str(outdir), env={})
    app.synth()
    template = json.loads((outdir / f"{stack.stack_name}.template.json").read_text())
    report_path = outdir / "validation-report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else None
    return Synthesized(outdir=outdir, template=template, validation_report=report)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The stack with the example values and cdk.json's defaults."""
    return synthesize(tmp_path_factory.mktemp("cdk-out"))


@pytest.fixture(scope="session")
def template(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.template
