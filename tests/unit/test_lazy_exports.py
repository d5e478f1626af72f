"""Packages that import their names on first use: what type checkers see matches what is loaded at run time."""

from __future__ import annotations

import ast
import importlib
import inspect
from types import ModuleType

import pytest

LAZY_PACKAGES = ("connect_chat", "connect_chat.protocol", "connect_chat.connection")


def _type_checking_imports(package: ModuleType) -> dict[str, str]:
    """Name -> module of the ``if TYPE_CHECKING:`` imports, failing on one a type checker would not re-export."""
    tree = ast.parse(inspect.getsource(package))
    blocks = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    ]
    assert len(blocks) == 1
    imported: dict[str, str] = {}
    for statement in blocks[0].body:
        assert isinstance(statement, ast.ImportFrom), ast.unparse(statement)
        for alias in statement.names:
            assert alias.asname == alias.name, f"{ast.unparse(statement)} is not a re-export (name as name)"
            imported[alias.name] = str(statement.module)
    return imported


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_type_checkers_see_every_lazy_name_from_its_module(name: str) -> None:
    package = importlib.import_module(name)
    assert _type_checking_imports(package) == package._EXPORTS


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_all_names_each_export_once_and_every_one_resolves(name: str) -> None:
    package = importlib.import_module(name)
    assert len(package.__all__) == len(set(package.__all__))
    assert set(package._EXPORTS) <= set(package.__all__)
    for exported in package.__all__:
        assert hasattr(package, exported), exported
    for exported, module in package._EXPORTS.items():
        assert getattr(package, exported) is getattr(importlib.import_module(module), exported)
