"""Global configuration: ``set_global_config``, ``set_region_override``, ``set_feature_flag``.

Mirrors ChatJS's ``ChatSession.setGlobalConfig``. Keys may be given as keyword arguments or as one mapping in
ChatJS spelling (camelCase) or Python spelling (snake_case). A later call changes only what it names: the
message-receipt settings of an earlier call are never wiped (a ChatJS defect).
"""

from __future__ import annotations

import copy
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from connect_chat.errors import InvalidArgumentError
from connect_chat.log import LogLevel, install_redaction

__all__ = [
    "DEFAULT_REGION",
    "GlobalConfig",
    "LoggerConfig",
    "MessageReceiptsConfig",
    "get_global_config",
    "reset_global_config",
    "set_feature_flag",
    "set_global_config",
    "set_region_override",
]

DEFAULT_REGION = "us-west-2"
_LENGTH_MODES = ("documented", "per_type")
_ADVANCED_WRITERS = ("debug", "info", "warn", "warning", "error", "log")


@dataclass(frozen=True, slots=True)
class MessageReceiptsConfig:
    """``features.messageReceipts``."""

    should_send_message_receipts: bool = True
    throttle_time: int = 5000
    """Milliseconds; one read/delivered receipt per window."""


@dataclass(frozen=True, slots=True)
class LoggerConfig:
    """``loggerConfig``.

    Attributes
    ----------
    level : LogLevel
        Records below this level are dropped.
    customized_logger : object | None
        An object with ``debug``/``info``/``warn``/``error`` methods (a :class:`logging.Logger` works).
    use_default_logger : bool
        Also write to a stderr handler on the ``connect_chat`` logger.
    advanced_log_writer : str
        The ``customized_logger`` method that receives ``ADVANCED_LOG`` records.
    """

    level: LogLevel = LogLevel.INFO
    customized_logger: Any = None
    use_default_logger: bool = False
    advanced_log_writer: str = "info"


@dataclass(frozen=True, slots=True)
class GlobalConfig:
    """The effective global configuration (read it with :func:`get_global_config`)."""

    region: str | None = None
    """Set by ``set_global_config(region=...)``; None means "not set"."""
    region_override: str | None = None
    endpoint: str | None = None
    message_receipts: MessageReceiptsConfig = field(default_factory=MessageReceiptsConfig)
    custom_user_agent_suffix: str | None = None
    logger_config: LoggerConfig = field(default_factory=LoggerConfig)
    is_network_online: Callable[[], bool] | None = None
    metrics_enabled: bool | None = None
    """True or False once set; None (the default) means on inside Lambda (``AWS_LAMBDA_FUNCTION_NAME`` is set),
    off in any other process (see :mod:`connect_chat.metrics`)."""
    metrics_namespace: str = "ConnectChat"
    feature_flags: frozenset[str] = frozenset()
    message_length_limits: str = "documented"
    """``documented``: 16,384 UTF-8 bytes for every type (current API reference); ``per_type``: the older
    per-type character limits (1024 text, 12000 JSON, 12288 interactive response)."""

    @property
    def effective_region(self) -> str:
        """``region_override``, else ``region``, else ``AWS_REGION``/``AWS_DEFAULT_REGION``, else us-west-2."""
        return (
            self.region_override
            or self.region
            or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
            or DEFAULT_REGION
        )


_lock = threading.Lock()
_config = GlobalConfig()


def get_global_config() -> GlobalConfig:
    """Return the current :class:`GlobalConfig`."""
    return _config


def reset_global_config() -> None:
    """Restore the defaults (for tests)."""
    global _config
    with _lock:
        _config = GlobalConfig()


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(key: str) -> str:
    """``contactId``/``ContactId``/``contact_id`` -> ``contact_id``."""
    return _CAMEL.sub("_", key).lower().replace("__", "_")


def _snake_keys(value: Mapping[str, Any]) -> dict[str, Any]:
    return {snake(str(k)): v for k, v in value.items()}


_UNSET: Any = object()


def _check_keys(argument: str, given: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in given:
        if key not in allowed:
            raise InvalidArgumentError(f"{argument}.{key}", "unknown setting", allowed)


def _receipts(current: MessageReceiptsConfig, value: Any) -> MessageReceiptsConfig:
    if not isinstance(value, Mapping):
        raise InvalidArgumentError("features.message_receipts", "must be a mapping")
    given = _snake_keys(value)
    _check_keys("features.message_receipts", given, ("should_send_message_receipts", "throttle_time"))
    out = current
    if "should_send_message_receipts" in given:
        flag = given["should_send_message_receipts"]
        if not isinstance(flag, bool):
            raise InvalidArgumentError(
                "features.message_receipts.should_send_message_receipts", "must be a bool", ("True", "False")
            )
        out = replace(out, should_send_message_receipts=flag)
    if "throttle_time" in given:
        throttle = given["throttle_time"]
        if isinstance(throttle, bool) or not isinstance(throttle, int | float) or throttle < 0:
            raise InvalidArgumentError(
                "features.message_receipts.throttle_time", f"must be a number of ms >= 0, got {throttle!r}"
            )
        out = replace(out, throttle_time=int(throttle))
    return out


def _logger(current: LoggerConfig, value: Any) -> LoggerConfig:
    if not isinstance(value, Mapping):
        raise InvalidArgumentError("logger_config", "must be a mapping")
    given = _snake_keys(value)
    _check_keys("logger_config", given, ("level", "customized_logger", "use_default_logger", "advanced_log_writer"))
    out = current
    if "level" in given:
        out = replace(out, level=_log_level(given["level"]))
    if "customized_logger" in given:
        custom = given["customized_logger"]
        needed = ("debug", "info", "error")
        if custom is not None and not all(callable(getattr(custom, m, None)) for m in needed):
            raise InvalidArgumentError(
                "logger_config.customized_logger", "must have debug, info, warn and error methods"
            )
        out = replace(out, customized_logger=custom)
    if "use_default_logger" in given:
        out = replace(out, use_default_logger=bool(given["use_default_logger"]))
    if "advanced_log_writer" in given:
        writer = given["advanced_log_writer"]
        if writer not in _ADVANCED_WRITERS:
            raise InvalidArgumentError("logger_config.advanced_log_writer", f"got {writer!r}", _ADVANCED_WRITERS)
        out = replace(out, advanced_log_writer=writer)
    return out


def _log_level(value: Any) -> LogLevel:
    names = tuple(level.name for level in LogLevel)
    if isinstance(value, LogLevel):
        return value
    if isinstance(value, str) and value.upper() in names:
        return LogLevel[value.upper()]
    if isinstance(value, int) and not isinstance(value, bool) and value in {int(v) for v in LogLevel}:
        return LogLevel(value)
    raise InvalidArgumentError("logger_config.level", f"got {value!r}", names)


def _str_or_none(argument: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(argument, f"must be a non-empty string, got {value!r}")
    return value.strip()


_TOP_KEYS = (
    "region",
    "endpoint",
    "features",
    "custom_user_agent_suffix",
    "logger_config",
    "web_socket_manager_config",
    "csm_config",
    "metrics",
)


def set_global_config(
    config: Mapping[str, Any] | None = None,
    *,
    region: str | None = _UNSET,
    endpoint: str | None = _UNSET,
    features: Mapping[str, Any] = _UNSET,
    custom_user_agent_suffix: str | None = _UNSET,
    logger_config: Mapping[str, Any] = _UNSET,
    web_socket_manager_config: Mapping[str, Any] = _UNSET,
    csm_config: Mapping[str, Any] = _UNSET,
    metrics: bool | Mapping[str, Any] = _UNSET,
) -> GlobalConfig:
    """Change the global configuration; only the settings given are changed.

    Parameters
    ----------
    config : Mapping[str, Any], optional
        The ChatJS-shaped object (``{"region":..,"loggerConfig":{..},"features":{"messageReceipts":{..}}}``);
        keys may be camelCase or snake_case. Keyword arguments win over it.
    region : str, optional
        Default region (``us-west-2`` when never set).
    endpoint : str, optional
        Participant Service endpoint URL, overriding ``https://participant.connect.{region}.amazonaws.com``
        and ``AWS_ENDPOINT_URL_CONNECTPARTICIPANT``.
    features : Mapping, optional
        ``{"message_receipts": {"should_send_message_receipts": bool, "throttle_time": ms}}``.
    custom_user_agent_suffix : str, optional
        Appended to the boto3 user agent.
    logger_config : Mapping, optional
        ``{"level": LogLevel, "customized_logger": obj, "use_default_logger": bool,
        "advanced_log_writer": "info"}``.
    web_socket_manager_config : Mapping, optional
        ``{"is_network_online": callable}``: while it returns False, reconnect attempts wait.
    csm_config : Mapping, optional
        Accepted for parity; ``{"enabled": False}`` turns the client metrics off like ``metrics=False``.
    metrics : bool | Mapping, optional
        False turns the embedded-metric-format metrics off; ``{"enabled": bool, "namespace": str}``.

    Returns
    -------
    GlobalConfig
        The new configuration.

    Raises
    ------
    InvalidArgumentError
        On an unknown key or a bad value; nothing is changed then.
    """
    global _config
    merged: dict[str, Any] = {}
    if config is not None:
        if not isinstance(config, Mapping):
            raise InvalidArgumentError("config", "must be a mapping")
        merged.update(_snake_keys(config))
    for key, value in (
        ("region", region),
        ("endpoint", endpoint),
        ("features", features),
        ("custom_user_agent_suffix", custom_user_agent_suffix),
        ("logger_config", logger_config),
        ("web_socket_manager_config", web_socket_manager_config),
        ("csm_config", csm_config),
        ("metrics", metrics),
    ):
        if value is not _UNSET:
            merged[key] = value
    _check_keys("config", merged, _TOP_KEYS)
    with _lock:
        new = copy.copy(_config)
        if "region" in merged:
            new = replace(new, region=_str_or_none("region", merged["region"]) or DEFAULT_REGION)
        if "endpoint" in merged:
            new = replace(new, endpoint=_str_or_none("endpoint", merged["endpoint"]))
        if "features" in merged:
            feats = merged["features"]
            if not isinstance(feats, Mapping):
                raise InvalidArgumentError("features", "must be a mapping")
            feats = _snake_keys(feats)
            _check_keys("features", feats, ("message_receipts", "message_length_limits"))
            if "message_length_limits" in feats:
                mode = feats["message_length_limits"]
                if mode not in _LENGTH_MODES:
                    raise InvalidArgumentError("features.message_length_limits", f"got {mode!r}", _LENGTH_MODES)
                new = replace(new, message_length_limits=mode)
            if "message_receipts" in feats:
                receipts = _receipts(new.message_receipts, feats["message_receipts"])
                new = replace(new, message_receipts=receipts)
        if "custom_user_agent_suffix" in merged:
            suffix = _str_or_none("custom_user_agent_suffix", merged["custom_user_agent_suffix"])
            new = replace(new, custom_user_agent_suffix=suffix)
        if "logger_config" in merged:
            new = replace(new, logger_config=_logger(new.logger_config, merged["logger_config"]))
        if "web_socket_manager_config" in merged:
            ws = merged["web_socket_manager_config"]
            if not isinstance(ws, Mapping):
                raise InvalidArgumentError("web_socket_manager_config", "must be a mapping")
            ws = _snake_keys(ws)
            _check_keys("web_socket_manager_config", ws, ("is_network_online",))
            online = ws.get("is_network_online")
            if online is not None and not callable(online):
                raise InvalidArgumentError("web_socket_manager_config.is_network_online", "must be callable")
            new = replace(new, is_network_online=online)
        if "csm_config" in merged:
            csm = merged["csm_config"]
            if isinstance(csm, Mapping) and "enabled" in csm:
                new = replace(new, metrics_enabled=bool(csm["enabled"]))
        if "metrics" in merged:
            new = _metrics(new, merged["metrics"])
        _config = new
    return new


def _metrics(current: GlobalConfig, value: Any) -> GlobalConfig:
    if isinstance(value, bool):
        return replace(current, metrics_enabled=value)
    if isinstance(value, Mapping):
        given = _snake_keys(value)
        _check_keys("metrics", given, ("enabled", "namespace"))
        out = current
        if "enabled" in given:
            out = replace(out, metrics_enabled=bool(given["enabled"]))
        if "namespace" in given:
            namespace = _str_or_none("metrics.namespace", given["namespace"])
            out = replace(out, metrics_namespace=namespace or "ConnectChat")
        return out
    raise InvalidArgumentError("metrics", f"must be a bool or a mapping, got {value!r}")


def set_region_override(region: str) -> None:
    """Force ``region`` for every session, whatever ``set_global_config`` or ``create`` options say."""
    global _config
    checked = _str_or_none("region", region)
    with _lock:
        _config = replace(_config, region_override=checked)


def set_feature_flag(feature: str) -> None:
    """Turn a named feature flag on (ChatJS ``setFeatureFlag``)."""
    global _config
    name = _str_or_none("feature", feature)
    assert name is not None
    with _lock:
        _config = replace(_config, feature_flags=_config.feature_flags | {name})


install_redaction()
