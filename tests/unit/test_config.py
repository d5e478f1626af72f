from __future__ import annotations

from collections.abc import Iterator

import pytest

from connect_chat.config import (
    DEFAULT_REGION,
    get_global_config,
    reset_global_config,
    set_feature_flag,
    set_global_config,
    set_region_override,
)
from connect_chat.errors import InvalidArgumentError
from connect_chat.log import LogLevel


@pytest.fixture(autouse=True)
def _fresh_config() -> Iterator[None]:
    reset_global_config()
    yield
    reset_global_config()


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    cfg = get_global_config()
    assert cfg.region is None
    assert cfg.effective_region == DEFAULT_REGION == "us-west-2"
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    assert cfg.effective_region == "eu-north-1"
    assert cfg.endpoint is None
    assert cfg.message_receipts.should_send_message_receipts is True
    assert cfg.message_receipts.throttle_time == 5000
    assert cfg.metrics_enabled is None  # on inside Lambda only (tests/unit/test_metrics_default.py)


def test_chatjs_shaped_mapping_in_camel_case() -> None:
    set_global_config(
        {
            "region": "eu-west-2",
            "endpoint": "http://127.0.0.1:3002",
            "customUserAgentSuffix": "my-app/1.0",
            "features": {"messageReceipts": {"shouldSendMessageReceipts": False, "throttleTime": 1000}},
            "loggerConfig": {"level": "debug", "useDefaultLogger": False},
        }
    )
    cfg = get_global_config()
    assert cfg.region == "eu-west-2"
    assert cfg.endpoint == "http://127.0.0.1:3002"
    assert cfg.custom_user_agent_suffix == "my-app/1.0"
    assert cfg.message_receipts.should_send_message_receipts is False
    assert cfg.message_receipts.throttle_time == 1000
    assert cfg.logger_config.level is LogLevel.DEBUG


def test_receipt_settings_survive_a_later_call() -> None:
    set_global_config(features={"message_receipts": {"throttle_time": 2000}})
    set_global_config(region="ap-southeast-2")
    set_global_config(features={"message_receipts": {"should_send_message_receipts": False}})
    cfg = get_global_config()
    assert cfg.message_receipts.throttle_time == 2000
    assert cfg.message_receipts.should_send_message_receipts is False
    assert cfg.region == "ap-southeast-2"


def test_region_override_wins() -> None:
    set_global_config(region="eu-central-1")
    set_region_override("us-east-1")
    assert get_global_config().effective_region == "us-east-1"
    set_global_config(region="eu-west-1")
    assert get_global_config().effective_region == "us-east-1"


def test_metrics_opt_out_three_ways() -> None:
    set_global_config(metrics=False)
    assert not get_global_config().metrics_enabled
    set_global_config(metrics={"enabled": True, "namespace": "Mine"})
    assert get_global_config().metrics_enabled
    assert get_global_config().metrics_namespace == "Mine"
    set_global_config(csm_config={"enabled": False})
    assert not get_global_config().metrics_enabled


def test_feature_flag() -> None:
    set_feature_flag("MESSAGE_RECEIPTS_ENABLED")
    assert "MESSAGE_RECEIPTS_ENABLED" in get_global_config().feature_flags


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"config": {"regoin": "x"}}, "config.regoin"),
        ({"features": {"messageReceipts": {"throttleTime": -1}}}, "features.message_receipts.throttle_time"),
        ({"features": {"receipts": {}}}, "features.receipts"),
        ({"logger_config": {"level": "LOUD"}}, "logger_config.level"),
        ({"logger_config": {"customized_logger": object()}}, "logger_config.customized_logger"),
        ({"logger_config": {"advanced_log_writer": "shout"}}, "logger_config.advanced_log_writer"),
        (
            {"web_socket_manager_config": {"is_network_online": True}},
            "web_socket_manager_config.is_network_online",
        ),
        ({"endpoint": ""}, "endpoint"),
        ({"metrics": "yes"}, "metrics"),
        ({"features": {"message_length_limits": "tiny"}}, "features.message_length_limits"),
    ],
)
def test_bad_settings_name_the_argument_and_change_nothing(kwargs: dict[str, object], argument: str) -> None:
    before = get_global_config()
    with pytest.raises(InvalidArgumentError) as info:
        set_global_config(**kwargs)  # type: ignore[arg-type]
    assert info.value.argument == argument
    assert get_global_config() == before


def test_level_error_lists_allowed_levels() -> None:
    with pytest.raises(InvalidArgumentError, match=r"allowed: DEBUG, INFO, WARN, ERROR, ADVANCED_LOG"):
        set_global_config(logger_config={"level": 7})
