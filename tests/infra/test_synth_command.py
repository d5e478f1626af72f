"""``make synth`` as infra/README.md shows it: no Node release banner, no feature-flag notice, one line naming the
template."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The line infra/README.md ("Check without deploying") says ``make synth`` prints.
SHOWN = "Synthesized ConnectChat: cdk.out/ConnectChat.template.json"


def test_make_synth_prints_one_line_naming_the_template(tmp_path: Path) -> None:
    if shutil.which("make") is None or not (ROOT / "node_modules" / ".bin" / "cdk").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but make or the npm packages are missing (.ci/run runs npm ci)")
        pytest.skip("needs make and the npm packages (npm ci)")
    out = tmp_path / "cdk.out"

    # -o: the test runs inside the project's virtualenv and must not reinstall it.
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed-stamp", "synth", f"CDK_OUT={out}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stdout
    template = out / "ConnectChat.template.json"
    assert f"`{SHOWN}`" in (ROOT / "infra" / "README.md").read_text(), "infra/README.md shows the line"
    assert result.stdout.splitlines() == [SHOWN.replace("cdk.out/", f"{out}/")]
    assert json.loads(template.read_text())["Resources"]
