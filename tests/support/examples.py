"""The scripts of ``examples/``, loaded as their users run them."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from types import ModuleType

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_example(name: str) -> ModuleType:
    """Import ``examples/NAME.py`` afresh, as a cold start would (its boto3 clients read the environment now)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}_{uuid.uuid4().hex}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
