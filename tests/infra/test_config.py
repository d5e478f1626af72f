"""The deployment configuration: defaults, validation, and errors that say how to fix them."""

from __future__ import annotations

from typing import Any

import pytest

from infra import constants
from infra.config import EXAMPLE_CONTEXT, LOG_RETENTION_DAYS, ConfigError, StackConfig


def config(**values: Any) -> StackConfig:
    context = {**EXAMPLE_CONTEXT, **values}
    return StackConfig.from_context(context.get, {})


@pytest.mark.parametrize("key", ["connectInstanceId", "contactFlowId"])
def test_required_keys_name_themselves_and_how_to_pass_them(key: str) -> None:
    context = {k: v for k, v in EXAMPLE_CONTEXT.items() if k != key}
    with pytest.raises(ConfigError) as error:
        StackConfig.from_context(context.get, {})
    message = str(error.value)
    assert f"missing required context value {key}" in message
    assert f"-c {key}=" in message


def test_required_ids_may_come_from_the_environment_but_context_wins() -> None:
    env = {
        "CONNECT_INSTANCE_ID": "AAAAAAAA-2222-3333-4444-555555555555",
        "CONTACT_FLOW_ID": EXAMPLE_CONTEXT["contactFlowId"],
    }
    empty: dict[str, str] = {}
    cfg = StackConfig.from_context(empty.get, env)
    assert cfg.connect_instance_id == "aaaaaaaa-2222-3333-4444-555555555555"
    assert cfg.contact_flow_id == EXAMPLE_CONTEXT["contactFlowId"]
    assert (
        StackConfig.from_context(EXAMPLE_CONTEXT.get, env).connect_instance_id == EXAMPLE_CONTEXT["connectInstanceId"]
    )


def test_defaults() -> None:
    cfg = config()
    assert cfg.connect_instance_id == EXAMPLE_CONTEXT["connectInstanceId"]
    assert cfg.allowed_origins == ("*",)
    assert cfg.chat_duration_minutes == 1500
    assert cfg.rate_limit_per_minute == 60
    assert cfg.log_retention_days == 30
    assert cfg.stage_name == "prod"
    assert cfg.message_hooks == ()
    assert cfg.removal_policy == "retain"
    assert not cfg.destroy_on_removal
    assert cfg.allow_contact_flow_override is False
    assert cfg.create_api_gateway_account_role is True
    assert cfg.trace_aws_calls is False


def test_contact_attributes_from_cdk_json_or_the_command_line() -> None:
    assert config(contactAttributes={"email": 254, "plan": 20}).contact_attributes == {"email": 254, "plan": 20}
    assert config(contactAttributes="email:254, plan:20").handler_environment()["CONTACT_ATTRIBUTES"] == (
        "email:254,plan:20"
    )
    assert config(contactAttributes="").contact_attributes == {}
    with pytest.raises(ConfigError, match=r"contactAttributes: 'e mail:3' is not name:max"):
        config(contactAttributes="e mail:3")
    with pytest.raises(ConfigError, match="contactAttributes"):
        config(contactAttributes="email:0")


def test_budgets_idle_times_and_content_types_from_the_context() -> None:
    env = config(
        chatStartsPerIp="20", activeChatCap=40, idleNoMessageSeconds="900", supportedContentTypes="text/plain"
    ).handler_environment()
    assert (env["CHAT_STARTS_PER_IP"], env["ACTIVE_CHAT_CAP"], env["IDLE_NO_MESSAGE_SECONDS"]) == ("20", "40", "900")
    assert env["SUPPORTED_CONTENT_TYPES"] == "text/plain"
    with pytest.raises(ConfigError, match="supportedContentTypes must list text/plain"):
        config(supportedContentTypes="text/markdown")
    with pytest.raises(ConfigError, match="activeChatCap must be between 1 and"):
        config(activeChatCap="0")


def test_trace_aws_calls_is_opt_in() -> None:
    assert config(traceAwsCalls="true").handler_environment()["TRACE_AWS_CALLS"] == "true"
    assert config().handler_environment()["TRACE_AWS_CALLS"] == "false"


def test_values_from_the_command_line_are_strings() -> None:
    cfg = config(
        allowedOrigins="https://www.example.com, https://shop.example.com:8443/",
        chatDurationMinutes="60",
        rateLimitPerMinute="30",
        logRetentionDays="90",
        stageName="live",
        messageHooks="hooks.redact:redact_cards,hooks.more:block",
        removalPolicy="DESTROY",
        allowContactFlowOverride="true",
        layerAccountIds="123456789012",
    )
    assert cfg.allowed_origins == ("https://www.example.com", "https://shop.example.com:8443")
    assert cfg.chat_duration_minutes == 60
    assert cfg.rate_limit_per_minute == 30
    assert cfg.log_retention_days == 90
    assert cfg.stage_name == "live"
    assert cfg.message_hooks == ("hooks.redact:redact_cards", "hooks.more:block")
    assert cfg.destroy_on_removal
    assert cfg.allow_contact_flow_override is True
    assert cfg.layer_account_ids == ("123456789012",)


def test_values_from_cdk_json_may_be_typed() -> None:
    cfg = config(allowedOrigins=["https://a.example"], chatDurationMinutes=120, allowContactFlowOverride=False)
    assert cfg.allowed_origins == ("https://a.example",)
    assert cfg.chat_duration_minutes == 120
    assert cfg.allow_contact_flow_override is False


def test_handler_environment() -> None:
    env = config(allowedOrigins="https://a.example,https://b.example", messageHooks="m:f").handler_environment()
    assert env == {
        "CONNECT_INSTANCE_ID": EXAMPLE_CONTEXT["connectInstanceId"],
        "CONTACT_FLOW_ID": EXAMPLE_CONTEXT["contactFlowId"],
        "ALLOWED_ORIGINS": "https://a.example,https://b.example",
        "CHAT_DURATION_MINUTES": "1500",
        "RATE_LIMIT_PER_MINUTE": "60",
        "ALLOW_CONTACT_FLOW_OVERRIDE": "false",
        "MESSAGE_HOOKS": "m:f",
        "CONNECTION_AUTHORIZER": "",
        "POWERTOOLS_METRICS_NAMESPACE": "ConnectChat",
        "LOG_LEVEL": "INFO",
        "TRACE_AWS_CALLS": "false",
        "CONTACT_ATTRIBUTES": "customerName:256,email:254,topic:100,page:256,locale:35",
        "SUPPORTED_CONTENT_TYPES": "text/plain,text/markdown,application/vnd.amazonaws.connect.message.interactive,"
        "application/vnd.amazonaws.connect.message.interactive.response",
        "CHAT_STARTS_PER_IP": "10",
        "CHAT_START_WINDOW_SECONDS": "3600",
        "ACTIVE_CHATS_PER_IP": "3",
        "ACTIVE_CHAT_CAP": "80",
        "IDLE_NO_MESSAGE_SECONDS": "600",
        "IDLE_DISCONNECTED_SECONDS": "1800",
    }


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("connectInstanceId", "not-a-uuid", "connectInstanceId must be the Amazon Connect instance id"),
        ("connectInstanceId", "arn:aws:connect:us-east-1:1:instance/x", "a UUID"),
        ("contactFlowId", "   ", "missing required context value contactFlowId"),
        ("chatDurationMinutes", "59", "between 60 and 10080"),
        ("chatDurationMinutes", "10081", "between 60 and 10080"),
        ("chatDurationMinutes", "ten", "must be an integer"),
        ("rateLimitPerMinute", "0", "between 1 and"),
        ("logRetentionDays", "31", "must be one of"),
        ("stageName", "has space", "stageName"),
        ("allowedOrigins", "www.example.com", "not an origin"),
        ("allowedOrigins", "https://example.com/path", "not an origin"),
        ("allowedOrigins", "*,https://example.com", "cannot be combined"),
        ("messageHooks", "not a hook", "module:function"),
        ("removalPolicy", "snapshot", "retain, destroy"),
        ("allowContactFlowOverride", "yes", "true or false"),
        ("layerAccountIds", "12345", "12-digit"),
        ("powertoolsLayerArn", "arn:aws:lambda:x", "Lambda layer ARN"),
        ("alarmTopicArn", "topic", "SNS topic ARN"),
        ("logLevel", "TRACE", "logLevel"),
        ("connectionAuthorizer", "auth", "module:function"),
    ],
)
def test_invalid_values_are_rejected_with_the_key(key: str, value: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as error:
        config(**{key: value})
    assert key in str(error.value)
    assert fragment in str(error.value)


def test_retention_periods_match_cloudwatch() -> None:
    for days in LOG_RETENTION_DAYS:
        assert constants.retention(days)
