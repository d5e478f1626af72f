"""Cold starts measured as Lambda has them: fresh processes, the code and the layer without ``.pyc`` files.

Lambda unpacks the function's code into ``/var/task`` and the layer into ``/opt/python``; neither holds compiled
bytecode, so importing a handler compiles our modules on every cold start. Here both are copied into a
temporary folder without ``__pycache__`` and imported with ``PYTHONDONTWRITEBYTECODE=1``. CPU time
(``time.process_time`` inside the child) is compared with ``import boto3`` in children run alternately, in the
same run, and the median of each is kept.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

_IMPORT = """
import time
started = time.process_time()
import {module}
print((time.process_time() - started) * 1000)
"""

_INVOKE = """
import json, sys, time
started = time.process_time()
import {module} as handler_module
imported = time.process_time()
events = json.load(open(sys.argv[1]))
context = type("Context", (), {{"function_name": "bench", "memory_limit_in_mb": 512, "aws_request_id": "bench",
    "invoked_function_arn": "arn:aws:lambda:us-west-2:123456789012:function:bench",
    "get_remaining_time_in_millis": lambda self: 29000}})()
cpu = []
for event in events:
    before = time.process_time()
    handler_module.handler(event, context)
    cpu.append((time.process_time() - before) * 1000)
print(json.dumps({{"import_ms": (imported - started) * 1000, "invocations_ms": cpu}}))
"""


@dataclass(frozen=True)
class LambdaLayout:
    """The function code and the layer, laid out as Lambda unpacks them."""

    task: Path
    layer: Path

    @property
    def pythonpath(self) -> str:
        return os.pathsep.join((str(self.task), str(self.layer)))


@contextmanager
def lambda_layout() -> Iterator[LambdaLayout]:
    """A temporary copy of ``lambdas/`` and ``layer/python/`` as deployed (``infra/constants.ASSET_EXCLUDES``)."""
    ignore = shutil.ignore_patterns(
        "__pycache__", "*.pyc", "build", "dist", "*.egg-info", "tests", "pyproject.toml", "*.md", ".*_cache"
    )
    with tempfile.TemporaryDirectory(prefix="cold-start-") as folder:
        layout = LambdaLayout(Path(folder) / "task", Path(folder) / "opt" / "python")
        shutil.copytree(ROOT / "lambdas", layout.task, ignore=ignore)
        shutil.copytree(ROOT / "layer" / "python", layout.layer, ignore=ignore)
        yield layout


def _child_env(layout: LambdaLayout, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update({"PYTHONPATH": layout.pythonpath, "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra or {})
    return env


def _run(code: str, env: Mapping[str, str], *args: str) -> str:
    answer = subprocess.run(
        [sys.executable, "-c", code, *args], env=dict(env), cwd=tempfile.gettempdir(), capture_output=True, text=True
    )
    if answer.returncode != 0:
        raise RuntimeError(f"child failed: {answer.stderr[-2000:]}")
    return answer.stdout.strip().splitlines()[-1]


@dataclass(frozen=True)
class ImportCost:
    """Median import CPU of a handler module and of ``import boto3``, measured alternately."""

    module: str
    module_ms: float
    boto3_ms: float

    @property
    def ratio(self) -> float:
        return self.module_ms / self.boto3_ms


def import_costs(
    layout: LambdaLayout, modules: list[str], *, repeats: int = 7, env: Mapping[str, str] | None = None
) -> list[ImportCost]:
    """Import each module ``repeats`` times in fresh processes, each run paired with one of ``import boto3``."""
    child_env = _child_env(layout, env)
    costs = []
    for module in modules:
        handler_runs, boto3_runs = [], []
        for _ in range(repeats):
            boto3_runs.append(float(_run(_IMPORT.format(module="boto3"), child_env)))
            handler_runs.append(float(_run(_IMPORT.format(module=module), child_env)))
        costs.append(ImportCost(module, statistics.median(handler_runs), statistics.median(boto3_runs)))
    return costs


@dataclass(frozen=True)
class InvocationCost:
    """A fresh process's first invocation against the warm ones that follow (CPU)."""

    import_ms: float
    first_ms: float
    warm_ms: float

    @property
    def creation_ms(self) -> float:
        """What the first invocation spends building clients and loading what it uses, beyond a warm one."""
        return self.first_ms - self.warm_ms


def invocation_cost(
    layout: LambdaLayout, module: str, events: list[dict[str, Any]], env: Mapping[str, str], *, repeats: int = 3
) -> InvocationCost:
    """Run ``events`` (the first cold, the rest warm) through ``module.handler`` in fresh processes; medians."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(events, handle)
    try:
        runs = [
            json.loads(_run(_INVOKE.format(module=module), _child_env(layout, env), handle.name))
            for _ in range(repeats)
        ]
    finally:
        os.unlink(handle.name)
    return InvocationCost(
        import_ms=statistics.median(run["import_ms"] for run in runs),
        first_ms=statistics.median(run["invocations_ms"][0] for run in runs),
        warm_ms=statistics.median(ms for run in runs for ms in run["invocations_ms"][1:]),
    )
