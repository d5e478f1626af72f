from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from connect_chat.config import reset_global_config, set_global_config
from connect_chat.log import LogLevel, redact, register_secret
from connect_chat.loggers import get_logger

SECRET = "AQIDAHjSECRETtokenVALUE1234567890"


@pytest.fixture(autouse=True)
def _fresh_config() -> Iterator[None]:
    reset_global_config()
    yield
    reset_global_config()


class Collector:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def debug(self, msg: str) -> None:
        self.lines.append(("debug", msg))

    def info(self, msg: str) -> None:
        self.lines.append(("info", msg))

    def warn(self, msg: str) -> None:
        self.lines.append(("warn", msg))

    def error(self, msg: str) -> None:
        self.lines.append(("error", msg))

    def log(self, msg: str) -> None:
        self.lines.append(("log", msg))


@pytest.mark.parametrize(
    "text",
    [
        f'{{"ParticipantToken": "{SECRET}"}}',
        f"{{'connectionToken': '{SECRET}'}}",
        f"X-Amz-Bearer: {SECRET}",
        f"participant_token={SECRET}",
        f"wss://example.com/connect?X-Amz-Signature={SECRET}&X-Amz-Credential=abc",
    ],
)
def test_known_token_shapes_are_redacted(text: str) -> None:
    assert SECRET not in redact(text)
    assert "***" in redact(text)


def test_registered_secrets_are_redacted_anywhere() -> None:
    register_secret("opaque-value-that-looks-harmless")
    assert redact("got opaque-value-that-looks-harmless back") == "got *** back"


def test_ids_are_not_redacted() -> None:
    text = "contact c-123 participant p-456"
    assert redact(text) == text


def test_customized_logger_levels_and_redaction() -> None:
    sink = Collector()
    set_global_config(logger_config={"level": LogLevel.INFO, "customized_logger": sink})
    log = get_logger("test")
    log.debug("hidden %s", 1)
    log.info("token %s", f"connectionToken={SECRET}")
    log.warn("w")
    log.error("e")
    log.advanced_log("adv")
    assert [lvl for lvl, _ in sink.lines] == ["info", "warn", "error", "info"]
    assert all(SECRET not in line for _, line in sink.lines)


def test_advanced_log_level_only_passes_advanced_logs_to_the_writer() -> None:
    sink = Collector()
    set_global_config(logger_config={"level": "ADVANCED_LOG", "customized_logger": sink, "advanced_log_writer": "log"})
    log = get_logger("test")
    log.error("dropped")
    log.advanced_log("kept")
    assert sink.lines == [("log", "[connect_chat.test] kept")]


def test_std_logging_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    set_global_config(logger_config={"level": "DEBUG"})
    with caplog.at_level(logging.DEBUG, logger="connect_chat"):
        get_logger("x").debug("headers %r", {"X-Amz-Bearer": SECRET})
    assert caplog.records
    assert SECRET not in caplog.text


def test_botocore_logger_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    import connect_chat.config  # noqa: F401  (installs the filters)

    with caplog.at_level(logging.DEBUG, logger="botocore.endpoint"):
        logging.getLogger("botocore.endpoint").debug("Sending %s", {"headers": {"X-Amz-Bearer": SECRET}})
    assert "Sending" in caplog.text
    assert SECRET not in caplog.text


def test_exception_text_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="connect_chat"):
        try:
            raise RuntimeError(f"participantToken={SECRET}")
        except RuntimeError:
            get_logger("x").std.exception("boom")
    assert "boom" in caplog.text
    assert SECRET not in caplog.text
