"""Signed-in customers and the human check, deployed: the JWT library layer (the right wheels, for the right
functions), the variables, and the one secret the checking functions may read."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack

from common import contract
from common.challenge import SecretReference
from infra import jwt_layer, permissions
from infra.protection_config import CHECKING_FUNCTIONS
from tests.infra.conftest import Synthesized, synthesize
from tests.infra.test_checks import lint, violations
from tests.infra.test_iam import actions_of, as_list, statements_of

PROTECTED = {
    "customerJwksUrl": "https://www.example.com/.well-known/jwks.json",
    "customerTokenIssuer": "https://www.example.com",
    "customerTokenAudience": "connect-chat",
    "customerAttributeClaims": "sub=customerId",
    "challengeVerifyUrl": "turnstile",
    "challengeSecret": "secretsmanager:connect-chat/turnstile",
}
#: ELF ``e_machine`` of 64-bit ARM.
EM_AARCH64 = 183
SECRET_ACTIONS = {"secretsmanager:GetSecretValue", "ssm:GetParameter"}


@pytest.fixture(scope="module")
def protected(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The stack with both checks on (the JWT layer comes from .cache/, built by pip on first use)."""
    return synthesize(tmp_path_factory.mktemp("cdk-out-protected"), PROTECTED)


def _jwt_layer_dir(synthesized: Synthesized) -> Path:
    layers = [
        layer
        for layer in synthesized.resources("AWS::Lambda::LayerVersion").values()
        if "PyJWT" in layer["Properties"]["Description"]
    ]
    assert len(layers) == 1
    key = layers[0]["Properties"]["Content"]["S3Key"].removesuffix(".zip")
    return synthesized.outdir / f"asset.{key}"


def _functions(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Function properties by function id (from the handler)."""
    by_handler = {spec.handler: spec.id for spec in contract.FUNCTIONS.values()}
    return {
        by_handler[f["Properties"]["Handler"]]: f["Properties"]
        for f in synthesized.resources("AWS::Lambda::Function").values()
    }


def test_the_layer_holds_the_pinned_wheels_built_for_arm64_and_cpython_313(protected: Synthesized) -> None:
    root = _jwt_layer_dir(protected)
    assert [path.name for path in root.iterdir()] == [jwt_layer.LAYER_FOLDER]
    folder = root / jwt_layer.LAYER_FOLDER
    pins = re.findall(r"^([A-Za-z0-9_-]+)==([^\s]+)", jwt_layer.REQUIREMENTS_FILE.read_text(), re.MULTILINE)
    distributions = {path.name.lower() for path in folder.glob("*.dist-info")}
    assert distributions == {f"{name.lower()}-{version}.dist-info" for name, version in pins}
    assert {"jwt", "cryptography", "cffi", "pycparser"} <= {path.name for path in folder.iterdir() if path.is_dir()}

    tags = [
        line.removeprefix("Tag: ")
        for wheel in folder.glob("*.dist-info/WHEEL")
        for line in wheel.read_text().splitlines()
        if line.startswith("Tag: ")
    ]
    assert tags
    for tag in tags:
        interpreter, abi, platform = tag.split("-")
        assert (interpreter, abi, platform) == ("py3", "none", "any") or (
            abi in ("cp313", "abi3") and platform.endswith("_aarch64")
        ), tag
    assert any(tag.startswith("cp313-cp313-") for tag in tags)  # cffi, built for this Python
    assert any("-abi3-" in tag for tag in tags)  # cryptography's stable-ABI wheel

    shared = list(folder.rglob("*.so"))
    assert len(shared) >= 2
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


def test_only_the_checking_functions_get_the_layer_off_their_import_path(protected: Synthesized) -> None:
    layer_id = next(
        key
        for key, layer in protected.resources("AWS::Lambda::LayerVersion").items()
        if "PyJWT" in layer["Properties"]["Description"]
    )
    for function_id, properties in _functions(protected).items():
        variables = properties["Environment"]["Variables"]
        has_layer = {"Ref": layer_id} in properties["Layers"]
        assert has_layer == (function_id in CHECKING_FUNCTIONS), function_id
        assert variables.get(contract.ENV_JWT_LIBRARY_PATH) == ("/opt/connect-chat-jwt" if has_layer else None)
        assert variables[contract.ENV_CUSTOMER_JWKS_URL] == PROTECTED["customerJwksUrl"]
        assert variables[contract.ENV_CHALLENGE_VERIFY_URL] == (
            "https://challenges.cloudflare.com/turnstile/v0/siteverify"
        )
    assert set(CHECKING_FUNCTIONS) == {contract.START_CHAT, contract.RELAY_MESSAGE}


def _challenge_reads(synthesized: Synthesized, spec: contract.FunctionSpec) -> list[dict[str, Any]]:
    """The statements letting ``spec`` read a secret, but for persistent chat's continuation key."""
    return [
        s
        for s in statements_of(synthesized, spec)
        if actions_of(s) & SECRET_ACTIONS and "ContinuationKey" not in json.dumps(s["Resource"])
    ]


def test_only_the_checking_functions_may_read_the_challenge_secret_and_nothing_else(protected: Synthesized) -> None:
    for spec in contract.FUNCTIONS.values():
        reads = _challenge_reads(protected, spec)
        if spec.id not in CHECKING_FUNCTIONS:
            assert reads == [], spec.id
            continue
        assert len(reads) == 1, spec.id
        (statement,) = reads
        assert actions_of(statement) == {"secretsmanager:GetSecretValue"}
        (resource,) = as_list(statement["Resource"])
        assert json.dumps(resource) == json.dumps(
            {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":secretsmanager:",
                        {"Ref": "AWS::Region"},
                        ":",
                        {"Ref": "AWS::AccountId"},
                        ":secret:connect-chat/turnstile-??????",
                    ],
                ]
            }
        )


def test_the_protected_stack_passes_cdk_nag_and_cfn_lint(protected: Synthesized) -> None:
    assert violations(protected.validation_report) == []
    assert lint(protected.outdir / "ConnectChat.template.json") == []


def test_with_the_checks_off_there_is_no_layer_no_variable_and_no_secret(synthesized: Synthesized) -> None:
    assert len(synthesized.resources("AWS::Lambda::LayerVersion")) == 1
    for spec in contract.FUNCTIONS.values():
        assert not _challenge_reads(synthesized, spec)
    for properties in _functions(synthesized).values():
        variables = properties["Environment"]["Variables"]
        assert not [name for name in variables if name.startswith(("CUSTOMER_", "CHALLENGE_", "JWT_"))]


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (
            SecretReference("ssm", "/connect-chat/turnstile"),
            "arn:aws:ssm:eu-west-1:111122223333:parameter/connect-chat/turnstile",
        ),
        (SecretReference("ssm", "turnstile"), "arn:aws:ssm:eu-west-1:111122223333:parameter/turnstile"),
        (
            SecretReference("secretsmanager", "chat/key"),
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:chat/key-??????",
        ),
        (
            SecretReference("secretsmanager", "arn:aws:secretsmanager:us-east-1:444455556666:secret:k-AbCdEf"),
            "arn:aws:secretsmanager:us-east-1:444455556666:secret:k-AbCdEf",
        ),
    ],
)
def test_secret_arns(reference: SecretReference, expected: str) -> None:
    stack = Stack(App(), "Arns", env={"account": "111122223333", "region": "eu-west-1"})
    resolved = stack.resolve(permissions.secret_arn(stack, reference))
    if isinstance(resolved, dict):  # the partition stays a reference in the template
        resolved = "".join("aws" if part == {"Ref": "AWS::Partition"} else part for part in resolved["Fn::Join"][1])
    assert resolved == expected


def test_pip_installs_for_the_functions_platform_with_hashes(tmp_path: Path) -> None:
    arguments = jwt_layer.pip_arguments(tmp_path)
    joined = " ".join(arguments)
    assert "--platform manylinux2014_aarch64 --implementation cp --python-version 3.13" in joined
    assert "--only-binary=:all:" in arguments
    assert "--require-hashes" in arguments
    assert arguments[-2:] == ["--target", str(tmp_path)]
    for line in jwt_layer.REQUIREMENTS_FILE.read_text().splitlines():
        if "==" in line:
            assert line.endswith("\\"), f"{line}: every pin carries its wheel's hash"


def test_a_cached_build_is_used_without_pip(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def fake_pip(arguments: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(arguments)
        target = Path(arguments[arguments.index("--target") + 1])
        (target / "jwt").mkdir(parents=True)
        (target / "jwt" / "__init__.py").write_text("")
        (target / "bin").mkdir()
        return subprocess.CompletedProcess(arguments, 0, "")

    first = jwt_layer.build_directory(cache_dir=tmp_path, run=fake_pip)
    second = jwt_layer.build_directory(cache_dir=tmp_path, run=lambda *a, **k: pytest.fail("pip ran again"))

    assert first == second
    assert len(calls) == 1
    assert sorted(p.name for p in (first / jwt_layer.LAYER_FOLDER).iterdir()) == ["jwt"]  # console scripts pruned
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # nothing half-built left behind


def test_a_failed_build_says_what_pip_said_and_what_to_do(tmp_path: Path) -> None:
    def failing_pip(arguments: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(arguments, 1, "ERROR: Could not find a version that satisfies PyJWT\n")

    with pytest.raises(jwt_layer.LayerBuildError) as failed:
        jwt_layer.build_directory(cache_dir=tmp_path, run=failing_pip)
    message = str(failed.value)
    assert "Could not find a version that satisfies PyJWT" in message
    assert "leave customerJwksUrl unset" in message
    assert list(tmp_path.iterdir()) == []
