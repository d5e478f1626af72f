"""What the deployed code holds: the layer is the library, the function code is the handlers and what they import.

The synthesized assets are listed file by file; a copy of the sources full of build leftovers (what packaging
tools, pytest, mypy and ruff leave behind) and documentation (the folders' READMEs) must synthesize to exactly the
same files.
Both ``pyproject.toml`` files build without a packaging warning.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra import constants
from tests.infra.conftest import Synthesized, synthesize

ROOT = Path(__file__).resolve().parents[2]
#: Top-level packages of this repository: an import of one of them must resolve inside the assets.
FIRST_PARTY = {"common", "relay", "start_chat", "connect_chat", "infra", "local", "tests", "bench"}


def files_in(directory: Path) -> set[str]:
    """Every file below ``directory``, relative to it."""
    return {path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file()}


def function_code_files(synthesized: Synthesized) -> set[str]:
    """Every file of the one code asset that all functions deploy, relative to its root."""
    functions = list(synthesized.resources("AWS::Lambda::Function").values())
    keys = {function["Properties"]["Code"]["S3Key"] for function in functions}
    assert len(keys) == 1, f"expected one code asset for every function, found {sorted(keys)}"
    return files_in(synthesized.asset_dir(functions[0], "Code"))


def library_layer_files(synthesized: Synthesized) -> set[str]:
    """Every file of the library layer's asset, relative to its root."""
    _key, layer = synthesized.layer("LayersLibrary")
    return files_in(synthesized.asset_dir(layer))


def library_files(layer_dir: Path) -> set[str]:
    """The library package as the layer ships it: its modules and its ``py.typed`` marker."""
    package = layer_dir / "python" / "connect_chat"
    files = [*package.rglob("*.py"), package / "py.typed"]
    return {path.relative_to(layer_dir).as_posix() for path in files if "__pycache__" not in path.parts}


def _module_file(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, root: Path) -> set[str]:
    """Modules ``path`` imports (absolute names; relative imports resolved against its package)."""
    package = path.relative_to(root).parent.parts if path.name == "__init__.py" else path.relative_to(root).parts[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = list(package[: len(package) - node.level + 1]) if node.level else []
            base = ".".join([*parts, *(node.module.split(".") if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def imported_code(code_dir: Path, layer_python: Path, handlers: list[str]) -> tuple[set[str], set[str]]:
    """The handler code the handlers import (files relative to ``code_dir``), and the library modules they use.

    Fails when a handler imports a first-party module that is in neither the code nor the layer (the CDK app,
    the local stack, the tests).
    """
    pending = [handler.rpartition(".")[0] for handler in handlers]
    code: set[str] = set()
    library: set[str] = set()
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):  # a module's packages are imported with it
            prefix = ".".join(parts[:depth])
            local_file = _module_file(code_dir, prefix)
            if local_file is not None:
                relative = local_file.relative_to(code_dir).as_posix()
                if relative not in code:
                    code.add(relative)
                    pending.extend(_imports(local_file, code_dir))
            elif _module_file(layer_python, prefix) is not None:
                library.add(prefix)
            elif depth == 1 and prefix in FIRST_PARTY:
                pytest.fail(f"the handlers import {module}, which no asset holds")
    return code, library


def handlers(synthesized: Synthesized) -> list[str]:
    """The ``Handler`` of every function the template deploys."""
    found = [f["Properties"]["Handler"] for f in synthesized.resources("AWS::Lambda::Function").values()]
    assert found
    return found


def test_the_layer_holds_the_library_and_nothing_else(synthesized: Synthesized) -> None:
    assert library_layer_files(synthesized) == library_files(constants.LAYER_DIR)


def test_the_function_code_holds_the_handlers_and_what_they_import(synthesized: Synthesized) -> None:
    shipped = function_code_files(synthesized)
    code, library = imported_code(constants.LAMBDAS_DIR, constants.LAYER_DIR / "python", handlers(synthesized))

    assert shipped == code
    assert {"relay/stream.py", "start_chat/app.py", "common/settings.py"} <= code
    layer = {path.removesuffix(".py").removesuffix("/__init__") for path in library_files(constants.LAYER_DIR)}
    assert "connect_chat" in library
    assert {f"python/{module.replace('.', '/')}" for module in library} <= layer


def _leave_build_leftovers(root: Path) -> None:
    """What packaging, tests and linters leave in a working copy."""
    for relative in (
        "layer/python/build/lib/connect_chat/__init__.py",
        "layer/python/build/bdist.linux-x86_64/wheel/connect_chat/session.py",
        "layer/python/connect_chat.egg-info/PKG-INFO",
        "layer/python/dist/connect_chat-0.1.0-py3-none-any.whl",
        "layer/python/connect_chat/__pycache__/session.cpython-313.pyc",
        "layer/python/.pytest_cache/README.md",
        "lambdas/relay/__pycache__/message.cpython-313.pyc",
        "lambdas/relay/tests/test_message.py",
        "lambdas/.mypy_cache/3.13/relay.json",
        "lambdas/.ruff_cache/CACHEDIR.TAG",
        "lambdas/common/build/lib/common/settings.py",
    ):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("leftover\n")


def test_build_leftovers_never_reach_an_asset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = tmp_path / "sources"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(constants.LAYER_DIR, sources / "layer", ignore=ignore)
    shutil.copytree(constants.LAMBDAS_DIR, sources / "lambdas", ignore=ignore)
    _leave_build_leftovers(sources)
    monkeypatch.setattr(constants, "LAYER_DIR", sources / "layer")
    monkeypatch.setattr(constants, "LAMBDAS_DIR", sources / "lambdas")

    synthesized = synthesize(tmp_path / "cdk.out")

    assert library_layer_files(synthesized) == library_files(sources / "layer")
    code, _library = imported_code(sources / "lambdas", sources / "layer" / "python", handlers(synthesized))
    assert function_code_files(synthesized) == code


def _build_wheel(project: Path, wheels: Path) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--verbose", "--no-deps", "--no-cache-dir", "-w", str(wheels), "."],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize("project", ["layer/python", "."], ids=["library", "toolkit"])
def test_both_projects_build_without_packaging_warnings(project: str, tmp_path: Path) -> None:
    copy = tmp_path / "project"
    source = ROOT / project
    copy.mkdir()
    for name in ("pyproject.toml", "README.md"):
        if (source / name).exists():
            shutil.copy(source / name, copy / name)
    if project == "layer/python":
        shutil.copytree(source / "connect_chat", copy / "connect_chat", ignore=shutil.ignore_patterns("__pycache__"))

    built = _build_wheel(copy, tmp_path / "wheels")

    assert built.returncode == 0, built.stdout
    warnings = [
        line.strip()
        for line in built.stdout.splitlines()
        if "Warning" in line or ("warning:" in line and "byte-compiling is disabled" not in line)
    ]
    assert warnings == []
    assert list((tmp_path / "wheels").glob("*.whl"))
