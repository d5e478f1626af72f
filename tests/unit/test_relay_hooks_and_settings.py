"""Message hooks and the handlers' settings, without any server."""

from __future__ import annotations

import pytest

from common.hooks import HookError, HookMessage, apply_hooks, load_hooks, redact_pii
from common.settings import Settings, SettingsError


def _message(content: str, direction: str = "to_connect") -> HookMessage:
    return HookMessage(direction, "contact-1", "text/plain", content, "CUSTOMER")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pay with 4111 1111 1111 1111 please", "pay with [card ending 1111] please"),
        ("4111-1111-1111-1111", "[card ending 1111]"),
        ("5500005555555559", "[card ending 5559]"),
        ("order 1234567890123 is late", "order 1234567890123 is late"),  # fails the Luhn check: not a card
        ("call 555 0100", "call 555 0100"),
        ("write to ana.maria+chat@example.co.uk", "write to [email]"),
    ],
)
def test_redact_pii(text: str, expected: str) -> None:
    assert redact_pii(_message(text)).content == expected


def test_hooks_run_in_order_and_stop_at_a_block() -> None:
    calls: list[str] = []

    def first(message: HookMessage) -> HookMessage:
        calls.append("first")
        return message.with_content(message.content + "!")

    def blocker(message: HookMessage) -> None:
        calls.append("blocker")

    def never(message: HookMessage) -> HookMessage:
        calls.append("never")
        return message

    assert apply_hooks([first], _message("hi")) == _message("hi!")
    assert apply_hooks([first, blocker, never], _message("hi")) is None
    assert calls == ["first", "first", "blocker"]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("nocolon", "module:function"), ("no_such_module:x", "cannot be loaded"), ("common.hooks:missing", "missing")],
)
def test_load_hooks_names_the_broken_hook(name: str, fragment: str) -> None:
    with pytest.raises(HookError, match=fragment):
        load_hooks([name])


def test_load_hooks_by_name() -> None:
    assert load_hooks(["common.hooks:redact_pii"]) == [redact_pii]


BASE = {"CONNECT_INSTANCE_ID": "i", "CONTACT_FLOW_ID": "f", "SESSION_TABLE_NAME": "t", "STREAMING_TOPIC_ARN": "a"}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"CONNECT_INSTANCE_ID": ""}, "CONNECT_INSTANCE_ID is required"),
        ({"SESSION_TABLE_NAME": ""}, "SESSION_TABLE_NAME is required"),
        ({"CHAT_DURATION_MINUTES": "5"}, "CHAT_DURATION_MINUTES must be between 60 and 10080"),
        ({"RATE_LIMIT_PER_MINUTE": "many"}, "RATE_LIMIT_PER_MINUTE must be an integer"),
        ({"ALLOW_CONTACT_FLOW_OVERRIDE": "maybe"}, "ALLOW_CONTACT_FLOW_OVERRIDE must be true or false"),
        ({"CONTACT_ATTRIBUTES": "email"}, "CONTACT_ATTRIBUTES: 'email' is not name:max"),
        ({"CONTACT_ATTRIBUTES": "email:99999"}, "CONTACT_ATTRIBUTES: 'email:99999' is not name:max"),
    ],
)
def test_settings_errors_name_the_variable(change: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        Settings.from_env({**BASE, **change})


def test_settings_defaults_and_origins() -> None:
    settings = Settings.from_env({**BASE, "ALLOWED_ORIGINS": "https://a.example, https://b.example/"})
    assert settings.chat_duration_minutes == 1500
    assert settings.origin_allowed("https://b.example")
    assert not settings.origin_allowed("https://c.example")
    assert Settings.from_env({**BASE, "ALLOWED_ORIGINS": "*"}).origin_allowed("https://c.example")
    start_chat = Settings.from_env(
        {"CONNECT_INSTANCE_ID": "i", "CONTACT_FLOW_ID": "f", "SESSION_TABLE_NAME": "t"}, relay=False
    )
    assert start_chat.streaming_topic_arn == ""
    assert Settings.from_env(BASE).contact_attributes == {
        "customerName": 256,
        "email": 254,
        "topic": 100,
        "page": 256,
        "locale": 35,
    }
    assert Settings.from_env({**BASE, "CONTACT_ATTRIBUTES": ""}).contact_attributes == {}
