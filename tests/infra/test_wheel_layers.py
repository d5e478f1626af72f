"""The layers of pinned wheels, built by pip for the functions' platform without Docker: the library's compiled
dependencies (every function, on the import path) and the JWT library (see test_start_checks.py). How they are
built, cached and reported when pip fails, and what the dependencies layer holds and which functions get it."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_lambda

from common import contract
from infra import jwt_layer, layers, wheel_layer
from tests.infra.conftest import Synthesized

#: ELF ``e_machine`` of 64-bit ARM.
EM_AARCH64 = 183
#: Every layer built from pinned wheels.
BUILDS = {"jwt": jwt_layer.BUILD, "dependencies": layers.DEPENDENCIES}


def wheel_tags(folder: Path) -> list[str]:
    """The tags of every wheel installed in ``folder`` (``cp313-cp313-manylinux2014_aarch64``, ...)."""
    return [
        line.removeprefix("Tag: ")
        for wheel in folder.glob("*.dist-info/WHEEL")
        for line in wheel.read_text().splitlines()
        if line.startswith("Tag: ")
    ]


def assert_built_for_the_functions_platform(folder: Path, build: wheel_layer.WheelLayerBuild) -> None:
    """``folder`` holds exactly the pinned distributions, each wheel for aarch64 and CPython 3.13 (or pure Python),
    every shared library an aarch64 ELF for that Python, nothing built for x86_64 and nothing pip leaves that the
    functions never run."""
    distributions = {path.name.lower() for path in folder.glob("*.dist-info")}
    assert distributions == {f"{name.lower()}-{version}.dist-info" for name, version in build.pins()}
    tags = wheel_tags(folder)
    assert tags
    for tag in tags:
        interpreter, abi, platform = tag.split("-")
        assert (interpreter, abi, platform) == ("py3", "none", "any") or (
            abi in ("cp313", "abi3") and platform.endswith("_aarch64")
        ), tag

    shared = list(folder.rglob("*.so"))
    assert shared
    for library in shared:
        header = library.read_bytes()[:20]
        assert header[:4] == b"\x7fELF", library.name
        assert header[4] == 2, library.name  # 64-bit
        assert int.from_bytes(header[18:20], "little") == EM_AARCH64, library.name
        assert library.name.endswith((".cpython-313-aarch64-linux-gnu.so", ".abi3.so")), library.name
    every_name = "\n".join(path.as_posix() for path in folder.rglob("*"))
    assert "x86_64" not in every_name
    assert "x86-64" not in every_name
    assert "x86_64" not in "\n".join(tags)
    assert not [path for path in folder.rglob("*") if path.name in ("bin", "__pycache__") or path.suffix == ".pyc"]


# ------------------------------------------------------------------------------------------ the dependencies layer


def test_the_dependencies_layer_holds_msgspec_built_for_arm64_and_cpython_313(synthesized: Synthesized) -> None:
    _key, layer = synthesized.layer("LayersDependencies")
    root = synthesized.asset_dir(layer)
    assert [path.name for path in root.iterdir()] == ["python"], "Lambda puts /opt/python on the import path"
    folder = root / "python"
    assert (folder / "msgspec" / "__init__.py").is_file()
    assert [name for name, _version in layers.DEPENDENCIES.pins()] == ["msgspec"]
    assert_built_for_the_functions_platform(folder, layers.DEPENDENCIES)
    assert any(tag.startswith("cp313-cp313-manylinux") and tag.endswith("_aarch64") for tag in wheel_tags(folder))
    assert list((folder / "msgspec").glob("_core.cpython-313-aarch64-linux-gnu.so"))


def test_the_dependencies_layer_says_what_it_holds_and_is_kept_like_the_library(synthesized: Synthesized) -> None:
    _key, library = synthesized.layer("LayersLibrary")
    _key, dependencies = synthesized.layer("LayersDependencies")
    properties = dependencies["Properties"]
    assert properties["Description"] == (
        "connect_chat's compiled dependencies: msgspec 0.22.0, built for python3.13 arm64, in /opt/python"
    )
    assert len(properties["Description"]) <= 256
    assert properties["CompatibleRuntimes"] == library["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert properties["CompatibleArchitectures"] == library["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert dependencies["DeletionPolicy"] == library["DeletionPolicy"] == "Retain"
    assert dependencies["UpdateReplacePolicy"] == library["UpdateReplacePolicy"] == "Retain"
    assert synthesized.resources("AWS::Lambda::LayerVersionPermission") == {}


def test_every_function_gets_the_library_and_its_dependencies(synthesized: Synthesized) -> None:
    library, _layer = synthesized.layer("LayersLibrary")
    dependencies, _layer = synthesized.layer("LayersDependencies")
    functions = synthesized.resources("AWS::Lambda::Function").values()
    assert len(functions) == len(contract.FUNCTIONS)
    for function in functions:
        layer_arns = function["Properties"]["Layers"]
        assert {"Ref": library} in layer_arns, function["Properties"]["Handler"]
        assert {"Ref": dependencies} in layer_arns, function["Properties"]["Handler"]


def test_the_library_and_its_dependencies_share_no_file(synthesized: Synthesized) -> None:
    """Lambda unpacks both into /opt: with no path in common, neither hides a file of the other, whatever the
    order of the function's layers (the CDK sorts them)."""
    shipped = [
        {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}
        for root in (
            synthesized.asset_dir(synthesized.layer(prefix)[1]) for prefix in ("LayersLibrary", "LayersDependencies")
        )
    ]
    library, dependencies = shipped
    assert "python/connect_chat/__init__.py" in library
    assert "python/msgspec/__init__.py" in dependencies
    assert library & dependencies == set()


def test_the_stack_exports_the_dependencies_layer_beside_the_library(synthesized: Synthesized) -> None:
    outputs = synthesized.template["Outputs"]
    dependencies, _layer = synthesized.layer("LayersDependencies")
    assert outputs["DependenciesLayerArn"]["Value"] == {"Ref": dependencies}
    assert outputs["DependenciesLayerArn"]["Export"] == {"Name": "ConnectChat-DependenciesLayerArn"}


# ------------------------------------------------------------------------------------ building, for either layer


@pytest.mark.parametrize("build", BUILDS.values(), ids=BUILDS.keys())
def test_pip_installs_for_the_functions_platform_with_hashes(
    build: wheel_layer.WheelLayerBuild, tmp_path: Path
) -> None:
    arguments = build.pip_arguments(tmp_path)
    joined = " ".join(arguments)
    assert "--platform manylinux2014_aarch64 --implementation cp --python-version 3.13" in joined
    assert "--only-binary=:all:" in arguments
    assert "--require-hashes" in arguments
    assert arguments[arguments.index("--requirement") + 1] == str(build.requirements)
    assert arguments[-2:] == ["--target", str(tmp_path)]
    pins = [line for line in build.requirements.read_text().splitlines() if "==" in line]
    assert len(pins) == len(build.pins()) > 0
    for line in pins:
        assert line.endswith("\\"), f"{line}: every pin carries its wheel's hash"


def test_the_platform_follows_the_functions_runtime_and_architecture() -> None:
    assert (wheel_layer.pip_platform(), wheel_layer.python_version()) == ("manylinux2014_aarch64", "3.13")
    assert wheel_layer.pip_platform(aws_lambda.Architecture.X86_64) == "manylinux2014_x86_64"
    assert wheel_layer.python_version(aws_lambda.Runtime.PYTHON_3_12) == "3.12"


def test_the_cache_key_changes_with_the_pins_and_the_folder(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("msgspec==0.22.0 --hash=sha256:00\n")
    build = dataclasses.replace(layers.DEPENDENCIES, requirements=requirements)
    first = build.cache_key()
    assert dataclasses.replace(build, folder="elsewhere").cache_key() != first
    requirements.write_text("msgspec==0.22.1 --hash=sha256:00\n")
    assert build.cache_key() != first


@pytest.mark.parametrize("build", BUILDS.values(), ids=BUILDS.keys())
def test_a_cached_build_is_used_without_pip(build: wheel_layer.WheelLayerBuild, tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def fake_pip(arguments: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(arguments)
        target = Path(arguments[arguments.index("--target") + 1])
        (target / "package").mkdir(parents=True)
        (target / "package" / "__init__.py").write_text("")
        (target / "package" / "__pycache__").mkdir()
        (target / "bin").mkdir()
        return subprocess.CompletedProcess(arguments, 0, "")

    cached = dataclasses.replace(build, cache_dir=tmp_path)
    first = cached.build_directory(run=fake_pip)
    second = cached.build_directory(run=lambda *a, **k: pytest.fail("pip ran again"))

    assert first == second == tmp_path / build.cache_key()
    assert len(calls) == 1
    assert [p.name for p in first.iterdir()] == [build.folder]
    assert sorted(p.relative_to(first / build.folder).as_posix() for p in (first / build.folder).rglob("*")) == [
        "package",
        "package/__init__.py",
    ], "console scripts and byte-code pruned"
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # nothing half-built left behind


@pytest.mark.parametrize(
    ("build", "remedy"),
    [(jwt_layer.BUILD, "or leave customerJwksUrl unset."), (layers.DEPENDENCIES, "has it).")],
    ids=BUILDS.keys(),
)
def test_a_failed_build_says_what_pip_said_and_what_to_do(
    build: wheel_layer.WheelLayerBuild, remedy: str, tmp_path: Path
) -> None:
    name = build.pins()[0][0]

    def failing_pip(arguments: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(arguments, 1, f"ERROR: Could not find a version that satisfies {name}\n")

    with pytest.raises(wheel_layer.LayerBuildError) as failed:
        dataclasses.replace(build, cache_dir=tmp_path).build_directory(run=failing_pip)
    message = str(failed.value)
    assert message.startswith(f"{build.name} could not be built: pip exited with 1:")
    assert f"Could not find a version that satisfies {name}" in message
    assert f"into {tmp_path}; run the synth where PyPI is reachable" in message
    assert remedy in message
    assert f"correct that pin in infra/{build.requirements.name}." in message
    assert list(tmp_path.iterdir()) == []
