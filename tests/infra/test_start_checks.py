"""Signed-in customers and the human check, deployed: the JWT library layer (the right wheels, for the right
functions), the variables, and the one secret the checking functions may read."""

from __future__ import annotations

import json
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
from tests.infra.test_wheel_layers import assert_built_for_the_functions_platform, wheel_tags

PROTECTED = {
    "customerJwksUrl": "https://www.example.com/.well-known/jwks.json",
    "customerTokenIssuer": "https://www.example.com",
    "customerTokenAudience": "connect-chat",
    "customerAttributeClaims": "sub=customerId",
    "challengeVerifyUrl": "turnstile",
    "challengeSecret": "secretsmanager:connect-chat/turnstile",
}
SECRET_ACTIONS = {"secretsmanager:GetSecretValue", "ssm:GetParameter"}


@pytest.fixture(scope="module")
def protected(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The stack with both checks on (the JWT layer comes from .cache/, built by pip on first use)."""
    return synthesize(tmp_path_factory.mktemp("cdk-out-protected"), PROTECTED)


def _functions(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Function properties by function id (from the handler)."""
    by_handler = {spec.handler: spec.id for spec in contract.FUNCTIONS.values()}
    return {
        by_handler[f["Properties"]["Handler"]]: f["Properties"]
        for f in synthesized.resources("AWS::Lambda::Function").values()
    }


def test_the_layer_holds_the_pinned_wheels_built_for_arm64_and_cpython_313(protected: Synthesized) -> None:
    _key, layer = protected.layer("JwtLibraryLayer")
    root = protected.asset_dir(layer)
    assert [path.name for path in root.iterdir()] == [jwt_layer.LAYER_FOLDER]
    folder = root / jwt_layer.LAYER_FOLDER
    assert {"jwt", "cryptography", "cffi", "pycparser"} <= {path.name for path in folder.iterdir() if path.is_dir()}
    assert_built_for_the_functions_platform(folder, jwt_layer.BUILD)
    tags = wheel_tags(folder)
    assert any(tag.startswith("cp313-cp313-") for tag in tags)  # cffi, built for this Python
    assert any("-abi3-" in tag for tag in tags)  # cryptography's stable-ABI wheel
    assert len(list(folder.rglob("*.so"))) >= 2


def test_only_the_checking_functions_get_the_layer_off_their_import_path(protected: Synthesized) -> None:
    layer_id, _layer = protected.layer("JwtLibraryLayer")
    library, _layer = protected.layer("LayersLibrary")
    dependencies, _layer = protected.layer("LayersDependencies")
    for function_id, properties in _functions(protected).items():
        assert {"Ref": library} in properties["Layers"], function_id
        assert {"Ref": dependencies} in properties["Layers"], function_id
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
    assert not [key for key in synthesized.resources("AWS::Lambda::LayerVersion") if key.startswith("JwtLibrary")]
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
