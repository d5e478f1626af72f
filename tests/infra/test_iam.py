"""Every IAM statement in the template, and its scope."""

from __future__ import annotations

import json
from typing import Any

import pytest

from common import contract
from infra.config import EXAMPLE_CONTEXT
from tests.infra.conftest import Synthesized
from tests.infra.test_stack import functions_by_handler

INSTANCE_ID = EXAMPLE_CONTEXT["connectInstanceId"]
FLOW_ID = EXAMPLE_CONTEXT["contactFlowId"]
#: Actions AWS does not let a policy scope to a resource.
UNSCOPABLE = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def text(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_statements(synthesized: Synthesized) -> dict[str, list[dict[str, Any]]]:
    """Identity-policy statements by the logical id of the role they are attached to."""
    found: dict[str, list[dict[str, Any]]] = {}
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        for role in policy["Properties"]["Roles"]:
            found.setdefault(role["Ref"], []).extend(policy["Properties"]["PolicyDocument"]["Statement"])
    for role_id, role in synthesized.resources("AWS::IAM::Role").items():
        for inline in role["Properties"].get("Policies", []):
            found.setdefault(role_id, []).extend(inline["PolicyDocument"]["Statement"])
    return found


def function_roles(synthesized: Synthesized) -> dict[str, str]:
    """Role logical id by handler."""
    return {
        f["Properties"]["Handler"]: f["Properties"]["Role"]["Fn::GetAtt"][0]
        for f in synthesized.resources("AWS::Lambda::Function").values()
    }


def statements_of(synthesized: Synthesized, spec: contract.FunctionSpec) -> list[dict[str, Any]]:
    return role_statements(synthesized)[function_roles(synthesized)[spec.handler]]


def actions_of(statement: dict[str, Any]) -> set[str]:
    return set(as_list(statement["Action"]))


def test_every_statement_allows_and_no_wildcard_resource_where_scoping_exists(synthesized: Synthesized) -> None:
    for role_id, statements in role_statements(synthesized).items():
        for statement in statements:
            assert statement["Effect"] == "Allow"
            assert "NotResource" not in statement
            assert "NotAction" not in statement
            for action in actions_of(statement):
                assert "*" not in action, (role_id, action)
            if "*" in as_list(statement["Resource"]):
                assert actions_of(statement) <= UNSCOPABLE, (role_id, statement)


def test_roles_carry_no_managed_policies_except_the_api_gateway_logging_role(synthesized: Synthesized) -> None:
    for role in synthesized.resources("AWS::IAM::Role").values():
        managed = role["Properties"].get("ManagedPolicyArns", [])
        principal = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
        if principal == "lambda.amazonaws.com":
            assert managed == []
        else:
            assert principal == "apigateway.amazonaws.com"
            assert "AmazonAPIGatewayPushToCloudWatchLogs" in text(managed)


def test_each_function_has_its_own_role(synthesized: Synthesized) -> None:
    roles = function_roles(synthesized)
    assert len(set(roles.values())) == len(contract.FUNCTIONS)


@pytest.mark.parametrize("spec", list(contract.FUNCTIONS.values()), ids=lambda spec: spec.id)
def test_logs_only_to_its_own_log_group(synthesized: Synthesized, spec: contract.FunctionSpec) -> None:
    function = next(
        f for f in synthesized.resources("AWS::Lambda::Function").values() if f["Properties"]["Handler"] == spec.handler
    )
    log_group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    logs = [s for s in statements_of(synthesized, spec) if any(a.startswith("logs:") for a in actions_of(s))]
    assert len(logs) == 1
    assert actions_of(logs[0]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert logs[0]["Resource"] == {"Fn::GetAtt": [log_group, "Arn"]}


@pytest.mark.parametrize("spec", list(contract.FUNCTIONS.values()), ids=lambda spec: spec.id)
def test_table_access_is_item_level_and_as_declared(synthesized: Synthesized, spec: contract.FunctionSpec) -> None:
    table_id = next(iter(synthesized.resources("AWS::DynamoDB::Table")))
    dynamo = [s for s in statements_of(synthesized, spec) if any(a.startswith("dynamodb:") for a in actions_of(s))]
    if spec.table_access == "none":
        assert dynamo == []
        return
    on_index = [s for s in dynamo if "/index/" in text(s["Resource"])]
    dynamo = [s for s in dynamo if s not in on_index]
    if spec.queries_index:
        # An index is a resource of its own: neither emulator checks IAM, so the grant is pinned here.
        assert len(on_index) == 1
        assert actions_of(on_index[0]) == {"dynamodb:Query"}
        assert as_list(on_index[0]["Resource"]) == [
            {"Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, f"/index/{contract.IDLE_INDEX}"]]}
        ]
    else:
        assert on_index == []
    actions = set().union(*(actions_of(s) for s in dynamo))
    for statement in dynamo:
        assert as_list(statement["Resource"]) == [{"Fn::GetAtt": [table_id, "Arn"]}]
    # Single items only: what the session store calls (transactions are authorized item by item).
    expected = {"dynamodb:GetItem", "dynamodb:ConditionCheckItem"}
    if spec.table_access == "read_write":
        expected |= {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    assert actions == expected


@pytest.mark.parametrize("spec", list(contract.FUNCTIONS.values()), ids=lambda spec: spec.id)
def test_connect_actions_are_scoped_to_the_instance_and_flow(
    synthesized: Synthesized, spec: contract.FunctionSpec
) -> None:
    connect = [s for s in statements_of(synthesized, spec) if any(a.startswith("connect:") for a in actions_of(s))]
    if not spec.connect_actions:
        assert connect == []
        return
    assert set().union(*(actions_of(s) for s in connect)) == set(spec.connect_actions)
    resources = [text(r) for s in connect for r in as_list(s["Resource"])]
    contact = f':instance/{INSTANCE_ID}/contact/*"]]}}'
    flow = f':instance/{INSTANCE_ID}/contact-flow/{FLOW_ID}"]]}}'
    assert all(r.endswith((contact, flow)) for r in resources), resources
    assert any(r.endswith(contact) for r in resources)
    assert any(r.endswith(flow) for r in resources) == ("connect:StartChatContact" in spec.connect_actions)
    for r in resources:
        assert '":connect:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}' in r


@pytest.mark.parametrize("spec", list(contract.FUNCTIONS.values()), ids=lambda spec: spec.id)
def test_manage_connections_only_on_this_stage(synthesized: Synthesized, spec: contract.FunctionSpec) -> None:
    ws_id = next(
        k
        for k, v in synthesized.resources("AWS::ApiGatewayV2::Api").items()
        if v["Properties"]["ProtocolType"] == "WEBSOCKET"
    )
    manage = [s for s in statements_of(synthesized, spec) if any(a.startswith("execute-api:") for a in actions_of(s))]
    if not spec.manage_connections:
        assert manage == []
        return
    assert len(manage) == 1
    assert actions_of(manage[0]) == {"execute-api:ManageConnections"}
    resource = text(manage[0]["Resource"])
    assert f'{{"Ref": "{ws_id}"}}, "/prod/*/@connections/*"' in resource


def test_only_the_stream_function_sends_to_the_dead_letter_queue(synthesized: Synthesized) -> None:
    queue_id = next(iter(synthesized.resources("AWS::SQS::Queue")))
    for spec in contract.FUNCTIONS.values():
        sqs = [s for s in statements_of(synthesized, spec) if any(a.startswith("sqs:") for a in actions_of(s))]
        if spec.id == contract.STREAM_FUNCTION:
            assert len(sqs) == 1
            assert actions_of(sqs[0]) == {"sqs:SendMessage"}
            assert sqs[0]["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}
        else:
            assert sqs == []


def test_no_function_may_publish_to_or_read_the_topic(synthesized: Synthesized) -> None:
    for statements in role_statements(synthesized).values():
        for statement in statements:
            assert not any(a.startswith(("sns:", "kms:")) for a in actions_of(statement))


def test_resource_policies_name_their_principals(synthesized: Synthesized) -> None:
    documents = [p["Properties"]["PolicyDocument"] for p in synthesized.resources("AWS::SNS::TopicPolicy").values()]
    documents += [p["Properties"]["PolicyDocument"] for p in synthesized.resources("AWS::SQS::QueuePolicy").values()]
    for document in documents:
        for statement in document["Statement"]:
            if statement["Effect"] == "Allow":
                assert statement["Principal"] != "*"
                assert statement["Principal"] != {"AWS": "*"}
                assert "Condition" in statement


def test_only_the_message_function_and_the_sweeper_may_stop_contacts(synthesized: Synthesized) -> None:
    """Neither emulator checks IAM: the grant StopContact needs is pinned here (the message function stops a chat
    it could not set up; the sweeper stops idle chats)."""
    for stopper in (contract.RELAY_MESSAGE, contract.RELAY_SWEEPER):
        spec = contract.FUNCTIONS[stopper]
        stops = [s for s in statements_of(synthesized, spec) if "connect:StopContact" in actions_of(s)]
        assert stops
        assert all(
            text(r).endswith(f':instance/{INSTANCE_ID}/contact/*"]]}}') or "contact-flow" in text(r)
            for s in stops
            for r in as_list(s["Resource"])
        )
    for other in contract.FUNCTIONS.values():
        if other.id not in (contract.RELAY_MESSAGE, contract.RELAY_SWEEPER):
            assert not any("connect:StopContact" in actions_of(s) for s in statements_of(synthesized, other))


def test_the_continuation_key_is_generated_and_read_only_by_those_who_sign_or_check_tokens(
    synthesized: Synthesized,
) -> None:
    secrets = synthesized.resources("AWS::SecretsManager::Secret")
    [(secret_id, secret)] = secrets.items()
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] == 64
    assert secret["DeletionPolicy"] == "Retain"
    for spec in contract.FUNCTIONS.values():
        reads = [s for s in statements_of(synthesized, spec) if "secretsmanager:GetSecretValue" in actions_of(s)]
        variables = functions_by_handler(synthesized)[spec.handler]["Properties"]["Environment"]["Variables"]
        if spec.continuation:
            assert [as_list(s["Resource"]) for s in reads] == [[{"Ref": secret_id}]], spec.id
            assert variables["CONTINUATION_KEY_SECRET"] == {"Ref": secret_id}
        else:
            assert reads == [], spec.id
            assert "CONTINUATION_KEY_SECRET" not in variables
