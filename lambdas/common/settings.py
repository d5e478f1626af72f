"""The handlers' settings, read once from the environment and validated in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from common import contract


class SettingsError(ValueError):
    """A missing or malformed environment variable; the message names it and what it should hold."""


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"environment variable {name} is required")
    return value


def _integer(env: Mapping[str, str], name: str, bounds: contract.Bounds) -> int:
    low, high = bounds.low, bounds.high
    raw = env.get(name, "").strip()
    if not raw:
        return bounds.default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer between {low} and {high}, got {raw!r}") from exc
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def whole_number(
    env: Mapping[str, str], name: str, bounds: contract.Bounds, *, error: type[ValueError] = SettingsError
) -> int:
    """The variable ``name`` as a whole number within ``bounds`` (their default when it is unset or blank).

    Raises
    ------
    ValueError
        Of the class ``error``, naming the variable, the range and what it holds.
    """
    raw = env.get(name, "").strip()
    if not raw:
        return bounds.default
    if not (raw.isascii() and raw.isdigit()) or not bounds.low <= int(raw) <= bounds.high:
        raise error(f"{name} must be a whole number from {bounds.low} to {bounds.high}, got {raw!r}")
    return int(raw)


def web_url(name: str, value: str, *, error: type[ValueError] = SettingsError) -> str:
    """``value`` (the variable ``name``'s) when it is a web URL: ``https://`` (or ``http://``).

    Raises
    ------
    ValueError
        Of the class ``error``, naming the variable and what it holds.
    """
    if not value.startswith(("https://", "http://")):
        raise error(f"{name} must be an https:// URL, got {value!r}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "false").strip().lower()
    if raw not in ("true", "false", "1", "0", ""):
        raise SettingsError(f"{name} must be true or false, got {raw!r}")
    return raw in ("true", "1")


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


def _content_types(env: Mapping[str, str]) -> tuple[str, ...]:
    name = contract.ENV_SUPPORTED_CONTENT_TYPES
    if name not in env:
        return contract.DEFAULT_SUPPORTED_CONTENT_TYPES
    chosen = _list(env, name)
    unknown = [t for t in chosen if t not in contract.SUPPORTABLE_CONTENT_TYPES]
    if unknown or "text/plain" not in chosen:
        allowed = ", ".join(contract.SUPPORTABLE_CONTENT_TYPES)
        raise SettingsError(f"{name} must list text/plain and only these: {allowed}; got {env[name]!r}")
    return chosen


def _attribute_allowlist(env: Mapping[str, str]) -> dict[str, int]:
    raw = env.get(contract.ENV_CONTACT_ATTRIBUTES)
    if raw is None:
        return dict(contract.DEFAULT_CONTACT_ATTRIBUTES)
    try:
        return contract.parse_attribute_allowlist(raw)
    except ValueError as exc:
        raise SettingsError(f"{contract.ENV_CONTACT_ATTRIBUTES}: {exc}") from None


class Settings(NamedTuple):
    """What every handler needs to know about its deployment.

    Attributes
    ----------
    instance_id, contact_flow_id
        The Connect instance and the contact flow chats start in.
    table_name
        The session table (connections, chats, resume tokens, idempotency records).
    streaming_topic_arn
        The SNS topic Connect streams chat items to.
    allowed_origins
        Origins allowed to open the WebSocket and to call start-chat (``*`` allows any).
    chat_duration_minutes
        ChatDurationInMinutes for new chats (60..10080, default 1500); also the session records' lifetime.
    rate_limit_per_minute
        Frames one connection may send per minute before it gets ``RATE_LIMITED``.
    allow_contact_flow_override
        Whether start-chat callers may pick another ContactFlowId.
    message_hooks
        ``module:function`` names of message hooks, applied in order.
    contact_attributes
        The contact attributes a customer may set when starting a chat, with each one's longest value.
    supported_content_types
        SupportedMessagingContentTypes of new chats (text/plain always among them).
    chat_starts_per_ip, chat_start_window_seconds, active_chats_per_ip, active_chat_cap
        Chat budgets: starts per source IP per window, relay chats active per source IP, relay chats active in all.
    idle_no_message_seconds, idle_disconnected_seconds
        A relay chat ends itself when its customer sent nothing this long after it started, or when it had no
        connection this long.
    """

    instance_id: str
    contact_flow_id: str
    table_name: str = ""
    streaming_topic_arn: str = ""
    allowed_origins: tuple[str, ...] = ()
    chat_duration_minutes: int = contract.CHAT_DURATION_MINUTES.default
    rate_limit_per_minute: int = contract.RATE_LIMIT_PER_MINUTE.default
    allow_contact_flow_override: bool = False
    message_hooks: tuple[str, ...] = ()
    contact_attributes: Mapping[str, int] = contract.DEFAULT_CONTACT_ATTRIBUTES
    supported_content_types: tuple[str, ...] = contract.DEFAULT_SUPPORTED_CONTENT_TYPES
    chat_starts_per_ip: int = contract.CHAT_STARTS_PER_IP.default
    chat_start_window_seconds: int = contract.CHAT_START_WINDOW_SECONDS.default
    active_chats_per_ip: int = contract.ACTIVE_CHATS_PER_IP.default
    active_chat_cap: int = contract.ACTIVE_CHAT_CAP.default
    idle_no_message_seconds: int = contract.IDLE_NO_MESSAGE_SECONDS.default
    idle_disconnected_seconds: int = contract.IDLE_DISCONNECTED_SECONDS.default

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, relay: bool = True) -> Settings:
        """Read and validate the settings; ``relay`` also requires the streaming topic."""
        env = os.environ if env is None else env
        c = contract
        return cls(
            instance_id=_required(env, c.ENV_INSTANCE_ID),
            contact_flow_id=_required(env, c.ENV_CONTACT_FLOW_ID),
            table_name=_required(env, c.ENV_TABLE_NAME),
            streaming_topic_arn=_required(env, c.ENV_STREAMING_TOPIC_ARN) if relay else "",
            allowed_origins=_list(env, c.ENV_ALLOWED_ORIGINS),
            chat_duration_minutes=_integer(env, c.ENV_CHAT_DURATION_MINUTES, c.CHAT_DURATION_MINUTES),
            rate_limit_per_minute=_integer(env, c.ENV_RATE_LIMIT_PER_MINUTE, c.RATE_LIMIT_PER_MINUTE),
            allow_contact_flow_override=_flag(env, c.ENV_ALLOW_CONTACT_FLOW_OVERRIDE),
            message_hooks=_list(env, c.ENV_MESSAGE_HOOKS),
            contact_attributes=_attribute_allowlist(env),
            supported_content_types=_content_types(env),
            chat_starts_per_ip=_integer(env, c.ENV_CHAT_STARTS_PER_IP, c.CHAT_STARTS_PER_IP),
            chat_start_window_seconds=_integer(env, c.ENV_CHAT_START_WINDOW_SECONDS, c.CHAT_START_WINDOW_SECONDS),
            active_chats_per_ip=_integer(env, c.ENV_ACTIVE_CHATS_PER_IP, c.ACTIVE_CHATS_PER_IP),
            active_chat_cap=_integer(env, c.ENV_ACTIVE_CHAT_CAP, c.ACTIVE_CHAT_CAP),
            idle_no_message_seconds=_integer(env, c.ENV_IDLE_NO_MESSAGE_SECONDS, c.IDLE_NO_MESSAGE_SECONDS),
            idle_disconnected_seconds=_integer(env, c.ENV_IDLE_DISCONNECTED_SECONDS, c.IDLE_DISCONNECTED_SECONDS),
        )

    def origin_allowed(self, origin: str | None) -> bool:
        """Whether a browser ``Origin`` may use the deployment (no Origin: non-browser clients, allowed)."""
        if "*" in self.allowed_origins:
            return True
        if origin is None:
            return True
        return origin.rstrip("/") in {o.rstrip("/") for o in self.allowed_origins}
