"""``app.py`` as the CDK CLI runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_missing_context_fails_with_a_clear_message(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CDK_") and k not in ("CONNECT_INSTANCE_ID", "CONTACT_FLOW_ID")
    }
    env["CDK_OUTDIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 2
    assert "missing required context value connectInstanceId" in result.stderr
    assert "-c connectInstanceId=" in result.stderr
    assert not list(tmp_path.glob("*.template.json"))


def test_cdk_json_runs_the_app_from_the_project_venv() -> None:
    import json

    config = json.loads((ROOT / "cdk.json").read_text())
    assert config["app"].endswith("app.py")
    assert "connectInstanceId" not in config["context"]
