"""Logging: ChatJS's levels and logger configuration, with tokens redacted from every record.

Redaction applies to the library's own records (whatever logger they go to) and to the records of the
third-party loggers that can print request headers or bodies (botocore, urllib3, websockets).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from collections.abc import Callable
from enum import IntEnum
from typing import Any, Protocol

__all__ = [
    "LogLevel",
    "Logger",
    "RedactingFilter",
    "install_redaction",
    "redact",
    "register_secret",
]


class LogLevel(IntEnum):
    """ChatJS log levels."""

    DEBUG = 10
    INFO = 20
    WARN = 30
    ERROR = 40
    ADVANCED_LOG = 50


class CustomLogger(Protocol):
    """What a ``customized_logger`` must offer (a :class:`logging.Logger` qualifies via ``warning``)."""

    def debug(self, msg: str, /) -> Any: ...
    def info(self, msg: str, /) -> Any: ...
    def error(self, msg: str, /) -> Any: ...


REDACTED = "***"

_TOKEN_KEYS = (
    r"participant[_-]?token|connection[_-]?token|x-amz-bearer|authorization|"
    r"get[_-]?connection[_-]?token|token"
)
_KEY_VALUE = re.compile(
    # ``key: value``, ``key=value``, and DynamoDB's typed JSON ``"key": {"S": "value"}``.
    rf"""(?P<key>["']?(?:{_TOKEN_KEYS})["']?\s*[:=]\s*(?:\{{\s*["']S["']\s*:\s*)?)"""
    rf"""(?P<quote>["']?)(?P<value>[^"',\s}}\)\]]+)""",
    re.IGNORECASE,
)
_URL_QUERY = re.compile(r"(?P<base>\b(?:wss?|https?)://[^\s\"'?]+)\?[^\s\"']+")

_secrets: deque[str] = deque(maxlen=2048)
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret (token, presigned URL) so any log line containing it is redacted.

    Parameters
    ----------
    value : str | None
        The secret; short or empty values are ignored.
    """
    if value and len(value) >= 8:
        with _secrets_lock:
            if value not in _secrets:
                _secrets.append(value)


def redact(text: str) -> str:
    """Return ``text`` with tokens, bearer headers and presigned URL queries replaced by ``***``.

    Parameters
    ----------
    text : str
        Any log text.

    Returns
    -------
    str
        The redacted text.
    """
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _URL_QUERY.sub(lambda m: f"{m.group('base')}?{REDACTED}", text)
    return _KEY_VALUE.sub(_redact_value, text)


def _redact_value(match: re.Match[str]) -> str:
    return f"{match.group('key')}{match.group('quote')}{REDACTED}"


class RedactingFilter(logging.Filter):
    """A :class:`logging.Filter` that redacts the message, its arguments and any exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw message
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()
THIRD_PARTY_LOGGERS = (
    "boto3",
    "boto3.resources.action",
    "boto3.resources.factory",
    "botocore",
    "botocore.endpoint",
    "botocore.parsers",
    "botocore.hooks",
    "botocore.httpsession",
    "botocore.auth",
    "botocore.retryhandler",
    "botocore.retries.standard",
    "urllib3.connectionpool",
    "websockets",
    "websockets.client",
)


def install_redaction(names: tuple[str, ...] = THIRD_PARTY_LOGGERS) -> None:
    """Add the redacting filter to the named :mod:`logging` loggers (idempotent)."""
    for name in names:
        std = logging.getLogger(name)
        if _FILTER not in std.filters:
            std.addFilter(_FILTER)


_DEFAULT_HANDLER_NAME = "connect_chat.default"


def _std_level(level: LogLevel) -> int:
    return logging.INFO if level is LogLevel.ADVANCED_LOG else int(level)


class Logger:
    """The library's logger: ChatJS levels, an optional customized logger, and redaction.

    Records are dropped below the configured :class:`LogLevel`; what passes is redacted, then written to the
    ``customized_logger`` (its ``debug``/``info``/``warn``/``error`` method, or ``advanced_log_writer`` for
    ``ADVANCED_LOG``) and/or to the standard :mod:`logging` logger ``connect_chat.<name>``.
    """

    def __init__(self, name: str, settings: Callable[[], Any]) -> None:
        self.name = name
        self._settings = settings
        self.std = logging.getLogger(f"connect_chat.{name}" if name else "connect_chat")
        if _FILTER not in self.std.filters:
            self.std.addFilter(_FILTER)

    def _emit(self, level: LogLevel, msg: str, args: tuple[Any, ...]) -> None:
        cfg = self._settings()
        if level < cfg.level and level is not LogLevel.ADVANCED_LOG:
            return
        try:
            text = msg % args if args else msg
        except (TypeError, ValueError):
            text = " ".join([msg, *map(str, args)])
        text = redact(text)
        custom = cfg.customized_logger
        if custom is not None:
            method_name = {
                LogLevel.DEBUG: "debug",
                LogLevel.INFO: "info",
                LogLevel.WARN: "warn",
                LogLevel.ERROR: "error",
                LogLevel.ADVANCED_LOG: cfg.advanced_log_writer,
            }[level]
            method = getattr(custom, method_name, None)
            if method is None and method_name == "warn":
                method = getattr(custom, "warning", None)
            if method is None:
                method = getattr(custom, "info", None)
            if method is not None:
                method(f"[connect_chat.{self.name}] {text}" if self.name else text)
            if not cfg.use_default_logger:
                return
        if cfg.use_default_logger:
            _ensure_default_handler()
        self.std.log(_std_level(level), "%s", text)

    def debug(self, msg: str, *args: Any) -> None:
        """Log at DEBUG."""
        self._emit(LogLevel.DEBUG, msg, args)

    def info(self, msg: str, *args: Any) -> None:
        """Log at INFO."""
        self._emit(LogLevel.INFO, msg, args)

    def warn(self, msg: str, *args: Any) -> None:
        """Log at WARN."""
        self._emit(LogLevel.WARN, msg, args)

    warning = warn

    def error(self, msg: str, *args: Any) -> None:
        """Log at ERROR."""
        self._emit(LogLevel.ERROR, msg, args)

    def advanced_log(self, msg: str, *args: Any) -> None:
        """Log at ADVANCED_LOG (always written, through ``advanced_log_writer`` when customized)."""
        self._emit(LogLevel.ADVANCED_LOG, msg, args)


def _ensure_default_handler() -> None:
    root = logging.getLogger("connect_chat")
    if any(h.get_name() == _DEFAULT_HANDLER_NAME for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.set_name(_DEFAULT_HANDLER_NAME)
    handler.addFilter(_FILTER)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.DEBUG:
        root.setLevel(logging.DEBUG)
