"""The deployment's configuration: read from the CDK context (``-c key=value`` or ``cdk.json``), typed and
validated in one place, so that a mistake fails at synth time with a message naming the key.

Required: ``connectInstanceId`` and ``contactFlowId``. Everything else has a default (infra/README.md, "Deploy").
The two required ids may also come from the environment variables the handlers use, ``CONNECT_INSTANCE_ID`` and
``CONTACT_FLOW_ID`` (handy in CI); a context value wins over the environment.

The stack is environment-agnostic: ``cdk deploy`` deploys it to the account and region of the AWS profile in use
(``--profile``, ``AWS_PROFILE``, ``AWS_REGION``), so synthesizing needs no credentials.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from common import contract
from infra.context_values import (
    MODULE_FUNCTION,
    ConfigError,
    bounded,
    choice,
    flag,
    how,
    integer,
    matching,
    optional_matching,
    optional_module_function,
    text,
)
from infra.protection_config import ChallengeConfig, CustomerTokenConfig

__all__ = ["EXAMPLE_CONTEXT", "LOG_RETENTION_DAYS", "ConfigError", "StackConfig"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_STAGE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
_TOPIC_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$")
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_LAYER_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$")

#: Log retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS: Final[frozenset[int]] = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)
REMOVAL_POLICIES: Final[tuple[str, ...]] = ("retain", "destroy")

#: The values ``make synth`` and the docs use; not valid for a real deployment.
EXAMPLE_CONTEXT: Final[Mapping[str, str]] = {
    "connectInstanceId": "11111111-2222-3333-4444-555555555555",
    "contactFlowId": "66666666-7777-8888-9999-000000000000",
}


#: Environment variables that may supply a required context value.
_ENV_FALLBACK: Final[Mapping[str, str]] = {
    "connectInstanceId": contract.ENV_INSTANCE_ID,
    "contactFlowId": contract.ENV_CONTACT_FLOW_ID,
}


@dataclass(frozen=True)
class StackConfig:
    """Everything the stack is parameterised by.

    Attributes
    ----------
    connect_instance_id, contact_flow_id
        The Amazon Connect instance (its id, the last part of the instance ARN) and the contact flow new chats
        start in.
    allowed_origins
        Website origins allowed to open the WebSocket and to call start-chat (CORS); ``*`` allows any.
    chat_duration_minutes
        ChatDurationInMinutes of new chats (60..10080).
    rate_limit_per_minute
        Frames one WebSocket connection may send per minute (the relay answers ``RATE_LIMITED`` beyond).
    throttle_rate_limit, throttle_burst_limit
        API Gateway stage throttling (steady requests per second and burst), both APIs.
    log_retention_days
        Retention of every log group the stack creates.
    stage_name
        The WebSocket API stage (the last path segment of the WebSocket URL).
    message_hooks
        ``module:function`` message hooks the relay applies, in order.
    connection_authorizer
        Optional ``module:function(event) -> bool`` the ``$connect`` handler calls to accept a connection.
    removal_policy
        ``retain`` (default: the session table, the key and the log groups outlive the stack) or ``destroy``.
    allow_contact_flow_override
        Whether start-chat callers may pick another contact flow (they still need IAM-allowed flows).
    log_level
        ``LOG_LEVEL`` of the handlers.
    stack_name
        The CloudFormation stack name.
    powertools_layer_arn
        The Powertools for AWS Lambda (Python) layer; empty means the public one for the stack's region.
    layer_account_ids
        Other AWS accounts allowed to use the library layer (``lambda:GetLayerVersion``).
    alarm_topic_arn
        An SNS topic the alarms notify (empty: alarms only show on the dashboard and in the console).
    create_api_gateway_account_role
        Whether to set the region's API Gateway CloudWatch Logs role (needed once per account and region for
        WebSocket access logs; turn off when the account already has one).
    contact_attributes
        The contact attributes customers may set when they start a chat (a pre-chat form's fields), each with its
        longest value; anything else is refused.
    supported_content_types
        SupportedMessagingContentTypes of new chats: what Connect may deliver to customers.
    chat_starts_per_ip, chat_start_window_seconds, active_chats_per_ip, active_chat_cap
        Chat budgets: starts per source address per window (both entry points), relay chats open at once per
        address, relay chats open at once in all (keep it below the instance's concurrent chat quota).
    idle_no_message_seconds, idle_disconnected_seconds
        A relay chat whose customer wrote nothing this long after it started, or that had no connection this
        long, is stopped by the sweeper.
    persistent_chat
        Whether a chat's end hands its client a continuation token to continue the conversation later (a
        generated key in Secrets Manager signs them).
    trace_aws_calls
        Whether the functions load the X-Ray SDK (Powertools' Tracer) for a subsegment per AWS call; Lambda's
        active tracing records every invocation either way. Off by default: the SDK's import costs about as much
        CPU at cold start as boto3's.
    customer_tokens
        Signed-in customers (``customerJwksUrl`` and the ``customerToken*`` keys); ``None``: off.
    challenge
        The human check (``challengeVerifyUrl``/``challengeVerifier`` and ``challengeSecret``); ``None``: off.
    """

    connect_instance_id: str
    contact_flow_id: str
    allowed_origins: tuple[str, ...] = ("*",)
    chat_duration_minutes: int = contract.CHAT_DURATION_MINUTES.default
    rate_limit_per_minute: int = contract.RATE_LIMIT_PER_MINUTE.default
    throttle_rate_limit: int = contract.THROTTLE_RATE_LIMIT
    throttle_burst_limit: int = contract.THROTTLE_BURST_LIMIT
    log_retention_days: int = 30
    stage_name: str = contract.DEFAULT_STAGE_NAME
    message_hooks: tuple[str, ...] = ()
    connection_authorizer: str = ""
    removal_policy: str = "retain"
    allow_contact_flow_override: bool = False
    log_level: str = "INFO"
    stack_name: str = "ConnectChat"
    powertools_layer_arn: str = ""
    layer_account_ids: tuple[str, ...] = ()
    alarm_topic_arn: str = ""
    create_api_gateway_account_role: bool = True
    trace_aws_calls: bool = False
    persistent_chat: bool = True
    supported_content_types: tuple[str, ...] = contract.DEFAULT_SUPPORTED_CONTENT_TYPES
    chat_starts_per_ip: int = contract.CHAT_STARTS_PER_IP.default
    chat_start_window_seconds: int = contract.CHAT_START_WINDOW_SECONDS.default
    active_chats_per_ip: int = contract.ACTIVE_CHATS_PER_IP.default
    active_chat_cap: int = contract.ACTIVE_CHAT_CAP.default
    idle_no_message_seconds: int = contract.IDLE_NO_MESSAGE_SECONDS.default
    idle_disconnected_seconds: int = contract.IDLE_DISCONNECTED_SECONDS.default
    customer_tokens: CustomerTokenConfig | None = None
    challenge: ChallengeConfig | None = None
    contact_attributes: Mapping[str, int] = field(default_factory=lambda: dict(contract.DEFAULT_CONTACT_ATTRIBUTES))

    @property
    def destroy_on_removal(self) -> bool:
        """Whether stateful resources go with the stack."""
        return self.removal_policy == "destroy"

    def handler_environment(self) -> dict[str, str]:
        """The environment variables every handler gets (the stack adds the table and topic)."""
        return {
            contract.ENV_INSTANCE_ID: self.connect_instance_id,
            contract.ENV_CONTACT_FLOW_ID: self.contact_flow_id,
            contract.ENV_ALLOWED_ORIGINS: ",".join(self.allowed_origins),
            contract.ENV_CHAT_DURATION_MINUTES: str(self.chat_duration_minutes),
            contract.ENV_RATE_LIMIT_PER_MINUTE: str(self.rate_limit_per_minute),
            contract.ENV_ALLOW_CONTACT_FLOW_OVERRIDE: "true" if self.allow_contact_flow_override else "false",
            contract.ENV_MESSAGE_HOOKS: ",".join(self.message_hooks),
            contract.ENV_CONNECTION_AUTHORIZER: self.connection_authorizer,
            contract.ENV_METRICS_NAMESPACE: contract.METRICS_NAMESPACE,
            contract.ENV_LOG_LEVEL: self.log_level,
            contract.ENV_TRACE_AWS_CALLS: "true" if self.trace_aws_calls else "false",
            **(self.customer_tokens.environment() if self.customer_tokens else {}),
            **(self.challenge.environment() if self.challenge else {}),
            contract.ENV_CONTACT_ATTRIBUTES: contract.format_attribute_allowlist(self.contact_attributes),
            contract.ENV_SUPPORTED_CONTENT_TYPES: ",".join(self.supported_content_types),
            contract.ENV_CHAT_STARTS_PER_IP: str(self.chat_starts_per_ip),
            contract.ENV_CHAT_START_WINDOW_SECONDS: str(self.chat_start_window_seconds),
            contract.ENV_ACTIVE_CHATS_PER_IP: str(self.active_chats_per_ip),
            contract.ENV_ACTIVE_CHAT_CAP: str(self.active_chat_cap),
            contract.ENV_IDLE_NO_MESSAGE_SECONDS: str(self.idle_no_message_seconds),
            contract.ENV_IDLE_DISCONNECTED_SECONDS: str(self.idle_disconnected_seconds),
        }

    @classmethod
    def from_context(cls, get: Callable[[str], Any], env: Mapping[str, str] | None = None) -> StackConfig:
        """Read the configuration through ``get`` (``app.node.try_get_context``) and validate it; ``env``
        (default: ``os.environ``) supplies the required ids when the context does not."""
        env = os.environ if env is None else env

        def get_or_env(key: str) -> Any:
            value = get(key)
            if value is None or value == "":
                value = env.get(_ENV_FALLBACK[key]) or None
            return value

        return cls(
            connect_instance_id=_identifier(get_or_env, "connectInstanceId", "the Amazon Connect instance id"),
            contact_flow_id=_identifier(get_or_env, "contactFlowId", "the contact flow id"),
            allowed_origins=_origins(get("allowedOrigins")),
            chat_duration_minutes=bounded(get, "chatDurationMinutes", contract.CHAT_DURATION_MINUTES),
            rate_limit_per_minute=bounded(get, "rateLimitPerMinute", contract.RATE_LIMIT_PER_MINUTE),
            throttle_rate_limit=integer(get, "throttleRateLimit", contract.THROTTLE_RATE_LIMIT, 1, 10000),
            throttle_burst_limit=integer(get, "throttleBurstLimit", contract.THROTTLE_BURST_LIMIT, 1, 5000),
            log_retention_days=_retention(get("logRetentionDays")),
            stage_name=matching(get, "stageName", contract.DEFAULT_STAGE_NAME, _STAGE, "letters, digits, - and _"),
            message_hooks=_hooks(get("messageHooks")),
            connection_authorizer=optional_module_function(get, "connectionAuthorizer"),
            removal_policy=choice(get, "removalPolicy", "retain", REMOVAL_POLICIES),
            allow_contact_flow_override=flag(get, "allowContactFlowOverride", default=False),
            log_level=choice(get, "logLevel", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"), upper=True),
            stack_name=matching(get, "stackName", "ConnectChat", _STACK_NAME, "a CloudFormation stack name"),
            powertools_layer_arn=optional_matching(get, "powertoolsLayerArn", _LAYER_ARN, "a Lambda layer ARN"),
            layer_account_ids=_accounts(get("layerAccountIds")),
            alarm_topic_arn=optional_matching(get, "alarmTopicArn", _TOPIC_ARN, "an SNS topic ARN"),
            create_api_gateway_account_role=flag(get, "createApiGatewayAccountRole", default=True),
            trace_aws_calls=flag(get, "traceAwsCalls", default=False),
            persistent_chat=flag(get, "persistentChat", default=True),
            supported_content_types=_content_types(get("supportedContentTypes")),
            chat_starts_per_ip=bounded(get, "chatStartsPerIp", contract.CHAT_STARTS_PER_IP),
            chat_start_window_seconds=bounded(get, "chatStartWindowSeconds", contract.CHAT_START_WINDOW_SECONDS),
            active_chats_per_ip=bounded(get, "activeChatsPerIp", contract.ACTIVE_CHATS_PER_IP),
            active_chat_cap=bounded(get, "activeChatCap", contract.ACTIVE_CHAT_CAP),
            idle_no_message_seconds=bounded(get, "idleNoMessageSeconds", contract.IDLE_NO_MESSAGE_SECONDS),
            idle_disconnected_seconds=bounded(get, "idleDisconnectedSeconds", contract.IDLE_DISCONNECTED_SECONDS),
            customer_tokens=CustomerTokenConfig.from_context(get),
            challenge=ChallengeConfig.from_context(get),
            contact_attributes=_attribute_allowlist(get("contactAttributes")),
        )


def _identifier(get: Callable[[str], Any], key: str, what: str) -> str:
    value = text(get, key)
    if value is None:
        raise ConfigError(
            f"missing required context value {key} ({what}); {how(key)}, "
            f"or set the environment variable {_ENV_FALLBACK[key]}"
        )
    if not _UUID.match(value):
        raise ConfigError(f"context value {key} must be {what}, a UUID, got {value!r}; {how(key)}")
    return value.lower()


def _content_types(raw: Any) -> tuple[str, ...]:
    chosen = _list(raw, "supportedContentTypes")
    if raw is None:
        return contract.DEFAULT_SUPPORTED_CONTENT_TYPES
    unknown = [t for t in chosen if t not in contract.SUPPORTABLE_CONTENT_TYPES]
    if unknown or "text/plain" not in chosen:
        allowed = ", ".join(contract.SUPPORTABLE_CONTENT_TYPES)
        raise ConfigError(f"context value supportedContentTypes must list text/plain and only these: {allowed}")
    return chosen


def _attribute_allowlist(raw: Any) -> dict[str, int]:
    """``{"email": 254, ...}`` (cdk.json) or ``email:254,topic:100`` (the command line); empty allows none."""
    if raw is None:
        return dict(contract.DEFAULT_CONTACT_ATTRIBUTES)
    if isinstance(raw, dict):
        raw = ",".join(f"{name}:{length}" for name, length in raw.items())
    if not isinstance(raw, str):
        raise ConfigError(f"context value contactAttributes must be an object of name: longest length, got {raw!r}")
    try:
        return contract.parse_attribute_allowlist(raw)
    except ValueError as exc:
        raise ConfigError(f"context value contactAttributes: {exc}") from None


def _retention(raw: Any) -> int:
    value = integer(lambda _key: raw, "logRetentionDays", 30, 1, 3653)
    if value not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(days) for days in sorted(LOG_RETENTION_DAYS))
        raise ConfigError(f"context value logRetentionDays must be one of {allowed}; got {value}")
    return value


def _list(raw: Any, key: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        items = raw.split(",")
    elif isinstance(raw, list | tuple):
        items = [str(item) for item in raw]
    else:
        raise ConfigError(f"context value {key} must be a comma-separated string or a list, got {raw!r}")
    return tuple(item.strip() for item in items if item.strip())


def _origins(raw: Any) -> tuple[str, ...]:
    origins = _list(raw, "allowedOrigins") or ("*",)
    for origin in origins:
        if origin != "*" and not _ORIGIN.match(origin.rstrip("/")):
            raise ConfigError(
                f"context value allowedOrigins: {origin!r} is not an origin like https://www.example.com "
                "(scheme, host and optional port; no path), nor *"
            )
    if "*" in origins and len(origins) > 1:
        raise ConfigError("context value allowedOrigins: * allows every origin and cannot be combined with others")
    return tuple(origin.rstrip("/") for origin in origins)


def _accounts(raw: Any) -> tuple[str, ...]:
    accounts = _list(raw, "layerAccountIds")
    for account in accounts:
        if not _ACCOUNT.match(account):
            raise ConfigError(f"context value layerAccountIds: {account!r} is not a 12-digit AWS account id")
    return accounts


def _hooks(raw: Any) -> tuple[str, ...]:
    hooks = _list(raw, "messageHooks")
    for hook in hooks:
        if not MODULE_FUNCTION.match(hook):
            raise ConfigError(f"context value messageHooks: {hook!r} is not a module:function name")
    return hooks
