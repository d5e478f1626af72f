"""The synthesized template: every resource of the stack and its key properties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Match, Template

from common import contract
from infra import constants
from infra.config import EXAMPLE_CONTEXT
from tests.infra.conftest import Synthesized

INSTANCE_ID = EXAMPLE_CONTEXT["connectInstanceId"]


def functions_by_handler(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {
        resource["Properties"]["Handler"]: resource
        for resource in synthesized.resources("AWS::Lambda::Function").values()
    }


def logical_id_of_handler(synthesized: Synthesized, handler: str) -> str:
    for key, resource in synthesized.resources("AWS::Lambda::Function").items():
        if resource["Properties"]["Handler"] == handler:
            return key
    raise AssertionError(handler)


def flatten(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def test_library_layer(template: dict[str, Any]) -> None:
    Template.from_json(template).has_resource(
        "AWS::Lambda::LayerVersion",
        {
            "Properties": {
                "CompatibleRuntimes": ["python3.13"],
                "CompatibleArchitectures": ["arm64"],
                "Content": {"S3Bucket": Match.any_value(), "S3Key": Match.string_like_regexp(r"\.zip$")},
            },
            "DeletionPolicy": "Retain",
        },
    )


def test_one_function_per_handler(synthesized: Synthesized) -> None:
    functions = functions_by_handler(synthesized)
    assert set(functions) == {spec.handler for spec in contract.FUNCTIONS.values()}
    for spec in contract.FUNCTIONS.values():
        props = functions[spec.handler]["Properties"]
        assert props["Runtime"] == "python3.13"
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["Timeout"] == spec.timeout_seconds
        assert props["MemorySize"] == spec.memory_mb
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        assert "Ref" in props["LoggingConfig"]["LogGroup"]
        assert len(props["Layers"]) == 3  # the library, its dependencies, Powertools
        powertools = [layer for layer in props["Layers"] if "AWSLambdaPowertoolsPythonV3" in flatten(layer)]
        assert len(powertools) == 1
        arn = flatten(powertools[0])
        assert f"{constants.POWERTOOLS_ACCOUNT}:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:" in arn
        assert arn.endswith(f':{constants.POWERTOOLS_LAYER_VERSION}"]]}}')


def test_function_environment(synthesized: Synthesized) -> None:
    table = next(iter(synthesized.resources("AWS::DynamoDB::Table")))
    topic = next(iter(synthesized.resources("AWS::SNS::Topic")))
    for spec in contract.FUNCTIONS.values():
        env = functions_by_handler(synthesized)[spec.handler]["Properties"]["Environment"]["Variables"]
        assert env["CONNECT_INSTANCE_ID"] == INSTANCE_ID
        assert env["CONTACT_FLOW_ID"] == EXAMPLE_CONTEXT["contactFlowId"]
        assert env["SESSION_TABLE_NAME"] == {"Ref": table}
        assert env["STREAMING_TOPIC_ARN"] == {"Ref": topic}
        assert env["ALLOWED_ORIGINS"] == "*"
        assert env["CHAT_DURATION_MINUTES"] == "1500"
        assert env["RATE_LIMIT_PER_MINUTE"] == "60"
        assert env["ALLOW_CONTACT_FLOW_OVERRIDE"] == "false"
        assert env["MESSAGE_HOOKS"] == ""
        assert env["POWERTOOLS_SERVICE_NAME"] == spec.service
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "ConnectChat"
        assert env["LOG_LEVEL"] == "INFO"
        assert env["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
        assert env["TRACE_AWS_CALLS"] == "false", "the X-Ray SDK stays out of the cold start unless asked for"


def test_log_groups_have_bounded_retention(synthesized: Synthesized) -> None:
    groups = synthesized.resources("AWS::Logs::LogGroup")
    # one per function, one access log per API
    assert len(groups) == len(contract.FUNCTIONS) + 2
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == 30
        assert group["DeletionPolicy"] == "Retain"


def test_session_table(synthesized: Synthesized) -> None:
    table = synthesized.one("AWS::DynamoDB::Table")
    props = table["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert sorted(props["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == [
        {"AttributeName": "idleAt", "AttributeType": "N"},
        {"AttributeName": "idleKey", "AttributeType": "S"},
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    local = contract.session_table_definition("local")
    assert props["KeySchema"] == local["KeySchema"]
    assert props["BillingMode"] == local["BillingMode"]
    by_name = lambda a: a["AttributeName"]  # noqa: E731
    assert sorted(props["AttributeDefinitions"], key=by_name) == sorted(local["AttributeDefinitions"], key=by_name)
    # The idle index, keys only, exactly as the local stack creates it.
    assert props["GlobalSecondaryIndexes"] == local["GlobalSecondaryIndexes"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"


def test_streaming_topic_is_encrypted_and_only_connect_publishes(synthesized: Synthesized) -> None:
    key_id, key = next(iter(synthesized.resources("AWS::KMS::Key").items()))
    assert key["Properties"]["EnableKeyRotation"] is True
    topic = synthesized.one("AWS::SNS::Topic")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}

    instance_arn_suffix = f":instance/{INSTANCE_ID}"
    connect_key = [
        s for s in key["Properties"]["KeyPolicy"]["Statement"] if s["Principal"] == {"Service": "connect.amazonaws.com"}
    ]
    assert len(connect_key) == 1
    assert sorted(connect_key[0]["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert connect_key[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert flatten(connect_key[0]["Condition"]["ArnEquals"]["aws:SourceArn"]).endswith(f'{instance_arn_suffix}"]]}}')

    policy = synthesized.one("AWS::SNS::TopicPolicy")["Properties"]["PolicyDocument"]["Statement"]
    publish = [s for s in policy if s.get("Principal") == {"Service": "connect.amazonaws.com"}]
    assert len(publish) == 1
    assert publish[0]["Action"] == "sns:Publish"
    assert publish[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert flatten(publish[0]["Condition"]["ArnEquals"]).endswith(f'{instance_arn_suffix}"]]}}}}')
    tls = [s for s in policy if s["Effect"] == "Deny"]
    assert tls
    assert tls[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_stream_subscription_filter_and_dead_letters(synthesized: Synthesized) -> None:
    queue_id = next(iter(synthesized.resources("AWS::SQS::Queue")))
    queue = synthesized.template["Resources"][queue_id]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600

    subscription = synthesized.one("AWS::SNS::Subscription")["Properties"]
    stream_id = logical_id_of_handler(synthesized, "relay.stream.handler")
    assert subscription["Protocol"] == "lambda"
    assert subscription["Endpoint"] == {"Fn::GetAtt": [stream_id, "Arn"]}
    assert subscription["FilterPolicy"] == contract.STREAM_FILTER_POLICY
    assert subscription["FilterPolicyScope"] == "MessageAttributes"
    assert subscription["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": [queue_id, "Arn"]}}

    stream = synthesized.template["Resources"][stream_id]["Properties"]
    assert stream["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": [queue_id, "Arn"]}}
    queue_policy = synthesized.one("AWS::SQS::QueuePolicy")["Properties"]["PolicyDocument"]["Statement"]
    sns_send = [s for s in queue_policy if s.get("Principal") == {"Service": "sns.amazonaws.com"}]
    assert sns_send
    assert sns_send[0]["Condition"]["ArnEquals"]["aws:SourceArn"] == subscription["TopicArn"]
    others = [spec.handler for spec in contract.FUNCTIONS.values() if spec.id != contract.STREAM_FUNCTION]
    for handler in others:
        assert "DeadLetterConfig" not in functions_by_handler(synthesized)[handler]["Properties"]


def test_websocket_api_routes_come_from_the_contract(synthesized: Synthesized) -> None:
    apis = synthesized.resources("AWS::ApiGatewayV2::Api")
    ws_id, ws = next((k, v) for k, v in apis.items() if v["Properties"]["ProtocolType"] == "WEBSOCKET")
    assert ws["Properties"]["RouteSelectionExpression"] == "$request.body.action"

    integrations = synthesized.resources("AWS::ApiGatewayV2::Integration")
    routes_by_key = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in synthesized.resources("AWS::ApiGatewayV2::Route").values()
        if r["Properties"]["ApiId"] == {"Ref": ws_id}
    }
    assert set(routes_by_key) == {route.route_key for route in contract.WEBSOCKET_ROUTES}
    for route in contract.WEBSOCKET_ROUTES:
        target = routes_by_key[route.route_key]["Target"]
        integration_id = flatten(target).split('"Ref": "')[1].split('"')[0]
        integration = integrations[integration_id]["Properties"]
        if route.function_id is None:
            # API Gateway answers the keepalive itself: no function, no charge beyond the message.
            assert integration["IntegrationType"] == "MOCK", route.route_key
            assert integration["RequestTemplates"] == {"application/json": '{"statusCode": 200}'}
            assert "RouteResponseSelectionExpression" not in routes_by_key[route.route_key]
            continue
        uri = flatten(integration["IntegrationUri"])
        expected = logical_id_of_handler(synthesized, contract.FUNCTIONS[route.function_id].handler)
        assert expected in uri, route.route_key


def test_websocket_stage_is_throttled_and_logged(synthesized: Synthesized) -> None:
    account_id = next(iter(synthesized.resources("AWS::ApiGateway::Account")))
    stages = synthesized.template["Resources"]
    ws_stage = next(
        v for v in stages.values() if v["Type"] == "AWS::ApiGatewayV2::Stage" and v["Properties"]["StageName"] == "prod"
    )
    props = ws_stage["Properties"]
    assert props["AutoDeploy"] is True
    assert props["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50}
    log_format = json.loads(props["AccessLogSettings"]["Format"])
    assert {"requestId", "connectionId", "routeKey", "status"} <= set(log_format)
    assert "Fn::GetAtt" in props["AccessLogSettings"]["DestinationArn"]
    assert account_id in ws_stage.get("DependsOn", [])


def test_api_gateway_account_role_is_retained(synthesized: Synthesized) -> None:
    account = synthesized.one("AWS::ApiGateway::Account")
    assert account["DeletionPolicy"] == "Retain"
    roles = synthesized.resources("AWS::IAM::Role")
    role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    assert roles[role_id]["DeletionPolicy"] == "Retain"
    assert roles[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "apigateway.amazonaws.com"
    }


def test_start_chat_http_api(synthesized: Synthesized) -> None:
    apis = synthesized.resources("AWS::ApiGatewayV2::Api")
    http_id, http = next((k, v) for k, v in apis.items() if v["Properties"]["ProtocolType"] == "HTTP")
    cors = http["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == ["*"]
    assert set(cors["AllowMethods"]) == {"POST", "OPTIONS"}
    assert cors["AllowHeaders"] == ["Content-Type"]
    http_routes = [
        r["Properties"]
        for r in synthesized.resources("AWS::ApiGatewayV2::Route").values()
        if r["Properties"]["ApiId"] == {"Ref": http_id}
    ]
    assert [r["RouteKey"] for r in http_routes] == ["POST /start-chat"]
    stage = next(
        v["Properties"]
        for v in synthesized.resources("AWS::ApiGatewayV2::Stage").values()
        if v["Properties"]["ApiId"] == {"Ref": http_id}
    )
    assert stage["StageName"] == "$default"
    assert stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50}
    assert "requestId" in json.loads(stage["AccessLogSettings"]["Format"])


def test_lambda_permissions_are_per_api(synthesized: Synthesized) -> None:
    permissions = synthesized.resources("AWS::Lambda::Permission")
    assert permissions
    for permission in permissions.values():
        props = permission["Properties"]
        assert props["Principal"] in {"apigateway.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com"}
        assert "SourceArn" in props


def test_scheduled_functions_run_on_their_schedule(synthesized: Synthesized) -> None:
    rules = synthesized.resources("AWS::Events::Rule")
    scheduled = [spec for spec in contract.FUNCTIONS.values() if spec.schedule_minutes]
    assert len(rules) == len(scheduled) == 1
    [rule] = rules.values()
    sweeper_id = logical_id_of_handler(synthesized, contract.FUNCTIONS[contract.RELAY_SWEEPER].handler)
    assert rule["Properties"]["ScheduleExpression"] == "rate(1 minute)"
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [sweeper_id, "Arn"]}
    invoke = [
        p["Properties"]
        for p in synthesized.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "events.amazonaws.com"
    ]
    assert [p["FunctionName"] for p in invoke] == [{"Fn::GetAtt": [sweeper_id, "Arn"]}]


def test_alarms_and_dashboard(synthesized: Synthesized) -> None:
    alarms = list(synthesized.resources("AWS::CloudWatch::Alarm").values())
    by_metric: dict[str, int] = {}
    for alarm in alarms:
        by_metric[alarm["Properties"]["MetricName"]] = by_metric.get(alarm["Properties"]["MetricName"], 0) + 1
        assert alarm["Properties"]["Threshold"] == 1
        assert alarm["Properties"]["TreatMissingData"] == "notBreaching"
    assert by_metric == {
        "Errors": len(contract.FUNCTIONS),
        "Throttles": len(contract.FUNCTIONS),
        "ApproximateNumberOfMessagesVisible": 1,
        "IntegrationError": 1,
        "ExecutionError": 1,
        "5xx": 1,
    }
    dashboard = synthesized.one("AWS::CloudWatch::Dashboard")
    assert dashboard["Properties"]["DashboardName"] == "ConnectChat-connect-chat"


def test_outputs(synthesized: Synthesized) -> None:
    outputs = synthesized.template["Outputs"]
    assert {"WebSocketUrl", "StartChatUrl", "LayerArn", "DependenciesLayerArn"} <= set(outputs)
    assert flatten(outputs["WebSocketUrl"]["Value"]).startswith('{"Fn::Join": ["", ["wss://"')
    assert flatten(outputs["WebSocketUrl"]["Value"]).endswith('/prod"]]}')
    assert flatten(outputs["StartChatUrl"]["Value"]).endswith('/start-chat"]]}')
    assert outputs["LayerArn"]["Value"] == {"Ref": synthesized.layer("LayersLibrary")[0]}
    assert outputs["LayerArn"]["Export"] == {"Name": "ConnectChat-LayerArn"}


def test_assets_hold_the_handlers_and_the_library_without_tests(synthesized: Synthesized) -> None:
    """Code.from_asset copies the directories as they are: no Docker, no bundling."""
    manifest = json.loads((synthesized.outdir / "ConnectChat.assets.json").read_text())["files"]

    def asset_dir(s3_key: str) -> Path:
        source = manifest[s3_key.removesuffix(".zip")]["source"]
        assert source["packaging"] == "zip"
        return synthesized.outdir / str(source["path"])

    _key, layer = synthesized.layer("LayersLibrary")
    layer_dir = asset_dir(layer["Properties"]["Content"]["S3Key"])
    assert (layer_dir / "python" / "connect_chat" / "__init__.py").is_file()
    keys = {f["Properties"]["Code"]["S3Key"] for f in synthesized.resources("AWS::Lambda::Function").values()}
    assert len(keys) == 1, "every function shares one code asset"
    code_dir = asset_dir(keys.pop())
    assert code_dir.is_dir()
    for directory in (layer_dir, code_dir):
        names = {path.name for path in directory.rglob("*")}
        assert "__pycache__" not in names
        assert "tests" not in names
        assert not any(name.endswith(".pyc") for name in names)


def test_resources_are_tagged(synthesized: Synthesized) -> None:
    table = synthesized.one("AWS::DynamoDB::Table")
    assert {"Key": "project", "Value": "connect-chat"} in table["Properties"]["Tags"]
