"""The checks AWS's own teams run on CDK apps: cdk-nag's AwsSolutions rules and cfn-lint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, Validations, aws_sqs
from cdk_nag import AwsSolutionsChecks
from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]

from common import contract
from infra.config import EXAMPLE_CONTEXT
from tests.infra.conftest import Synthesized, synthesize

POWERTOOLS_EU_WEST_1 = "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64"


def violations(report: dict[str, Any] | None) -> list[str]:
    if report is None:
        return []
    return [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]


def test_cdk_nag_aws_solutions_has_no_unacknowledged_finding(synthesized: Synthesized) -> None:
    assert violations(synthesized.validation_report) == []


def test_cdk_nag_runs_on_every_synth(tmp_path: Path) -> None:
    """A control: the same plugin wiring does report (and fails synth on) an unacknowledged finding."""
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "Control")
    aws_sqs.Queue(stack, "Plain", encryption=aws_sqs.QueueEncryption.UNENCRYPTED)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert any(v.startswith("AwsSolutions-SQS") for v in violations(report))


def acknowledgements(synthesized: Synthesized) -> dict[tuple[str, str], str]:
    """(construct path, rule) -> reason, as recorded in the stack's metadata."""
    metadata = json.loads((synthesized.outdir / "ConnectChat.metadata.json").read_text())
    found: dict[tuple[str, str], str] = {}
    for path, entries in metadata.items():
        for entry in entries:
            if entry["type"] == "aws:cdk:acknowledged-rules":
                for rule, reason in entry["data"].items():
                    found[(path.removeprefix("/ConnectChat/"), rule.removeprefix("Annotation::"))] = reason
    return found


def test_acknowledgements_are_few_narrow_and_explained(synthesized: Synthesized) -> None:
    """Each acknowledgement sits on the one construct it concerns, names one finding, and says why."""
    found = acknowledgements(synthesized)
    for reason in found.values():
        assert len(reason) > 60
    functions = tuple(contract.FUNCTIONS)
    contacts = (
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:connect:<AWS::Region>:<AWS::AccountId>:"
        f"instance/{EXAMPLE_CONTEXT['connectInstanceId']}/contact/*]"
    )
    ws_api = next(
        key
        for key, value in synthesized.resources("AWS::ApiGatewayV2::Api").items()
        if value["Properties"]["ProtocolType"] == "WEBSOCKET"
    )
    connections = (
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:"
        f"<{ws_api}>/prod/*/@connections/*]"
    )
    expected = {
        ("StreamDeadLetters/Queue", "AwsSolutions-SQS3"),
        ("ContinuationKey/Secret", "AwsSolutions-SMG4"),
        (
            "ApiGatewayAccount/CloudWatchRole",
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
        ),
        ("StartChatApi/Api", "AwsSolutions-APIG4"),
        ("WebSocket/Api", "AwsSolutions-APIG4"),
        *((f"{name}/Function", "AwsSolutions-L1") for name in functions),
        *((f"{name}/Role", "AwsSolutions-IAM5[Resource::*]") for name in functions),
        *((f"{name}/Role", contacts) for name, spec in contract.FUNCTIONS.items() if spec.connect_actions),
        *((f"{name}/Role", connections) for name, spec in contract.FUNCTIONS.items() if spec.manage_connections),
    }
    assert set(found) == expected


def lint(template: Path) -> list[str]:
    matches = lint_file(template, config=ManualArgs(regions=["us-east-1", "eu-west-1"]))
    return [f"{m.rule.id} {m.message} ({m.linenumber})" for m in matches if m.rule.id.startswith("E")]


def test_cfn_lint_has_no_error_on_any_template(synthesized: Synthesized) -> None:
    templates = sorted(synthesized.outdir.glob("*.template.json"))
    assert templates
    for template in templates:
        assert lint(template) == [], template.name


def test_alternative_configuration_synthesizes_cleanly(tmp_path: Path) -> None:
    """Non-default values: destroy on removal, explicit origins, hooks, shared layer, alarms, no account role."""
    other = synthesize(
        tmp_path,
        {
            "removalPolicy": "destroy",
            "allowedOrigins": "https://www.example.com,https://shop.example.com",
            "messageHooks": "hooks.redaction:redact",
            "connectionAuthorizer": "auth.jwt:check",
            "layerAccountIds": "123456789012",
            "alarmTopicArn": "arn:aws:sns:us-east-1:123456789012:alarms",
            "createApiGatewayAccountRole": "false",
            "stageName": "live",
            "allowContactFlowOverride": "true",
            "logRetentionDays": "7",
            "powertoolsLayerArn": f"{POWERTOOLS_EU_WEST_1}:27",
        },
    )
    assert violations(other.validation_report) == []
    assert lint(tmp_path / "ConnectChat.template.json") == []
    assert other.resources("AWS::ApiGateway::Account") == {}
    table = other.one("AWS::DynamoDB::Table")
    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"]["DeletionProtectionEnabled"] is False
    shared = [other.layer("LayersLibrary"), other.layer("LayersDependencies")]
    assert [layer["DeletionPolicy"] for _key, layer in shared] == ["Delete", "Delete"]
    permissions = [
        permission["Properties"] for permission in other.resources("AWS::Lambda::LayerVersionPermission").values()
    ]
    assert sorted(permissions, key=json.dumps) == sorted(
        (
            {"Action": "lambda:GetLayerVersion", "LayerVersionArn": {"Ref": key}, "Principal": "123456789012"}
            for key, _layer in shared
        ),
        key=json.dumps,
    )
    http = next(
        v for v in other.resources("AWS::ApiGatewayV2::Api").values() if v["Properties"]["ProtocolType"] == "HTTP"
    )
    assert http["Properties"]["CorsConfiguration"]["AllowOrigins"] == [
        "https://www.example.com",
        "https://shop.example.com",
    ]
    for alarm in other.resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == ["arn:aws:sns:us-east-1:123456789012:alarms"]
    for group in other.resources("AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"] == 7
        assert group["DeletionPolicy"] == "Delete"
    for function in other.resources("AWS::Lambda::Function").values():
        env = function["Properties"]["Environment"]["Variables"]
        assert env["MESSAGE_HOOKS"] == "hooks.redaction:redact"
        assert env["CONNECTION_AUTHORIZER"] == "auth.jwt:check"
        assert f"{POWERTOOLS_EU_WEST_1}:27" in json.dumps(function["Properties"]["Layers"])
    start_chat_role = next(
        f["Properties"]["Role"]["Fn::GetAtt"][0]
        for f in other.resources("AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == "start_chat.app.handler"
    )
    flows = [
        json.dumps(resource)
        for policy in other.resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for resource in (statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]])
        if "contact-flow/" in json.dumps(resource) and policy["Properties"]["Roles"] == [{"Ref": start_chat_role}]
    ]
    assert len(flows) == 1
    assert flows[0].endswith('/contact-flow/*"]]}')
    message_flows = [
        json.dumps(policy)
        for policy in other.resources("AWS::IAM::Policy").values()
        if "contact-flow/*" in json.dumps(policy)
    ]
    assert len(message_flows) == 1, "only start-chat gets every flow"
    stage_names = {s["Properties"]["StageName"] for s in other.resources("AWS::ApiGatewayV2::Stage").values()}
    assert stage_names == {"live", "$default"}
