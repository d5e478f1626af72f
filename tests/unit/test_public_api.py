"""Every public name of amazon-connect-chatjs (reference/chatjs.md "Surface") has its Python counterpart."""

from __future__ import annotations

import inspect

import pytest

import connect_chat
from connect_chat import AgentChatSession, ChatSession, CustomerChatSession, StatelessChatSession

GLOBALS = ["create", "create_stateless", "set_global_config", "set_feature_flag", "set_region_override"]
COMMON_METHODS = [
    "connect",
    "send_message",
    "send_event",
    "send_attachment",
    "download_attachment",
    "get_attachment_url",
    "get_transcript",
    "get_chat_details",
    "describe_view",
    "send_message_receipt",
    "reset",
    "get_connection_status",
]
EVENTS = [
    "on_message",
    "on_typing",
    "on_read_receipt",
    "on_delivered_receipt",
    "on_connection_established",
    "on_connection_lost",
    "on_connection_broken",
    "on_ended",
    "on_participant_idle",
    "on_participant_returned",
    "on_participant_invited",
    "on_auto_disconnection",
    "on_deep_heartbeat_success",
    "on_deep_heartbeat_failure",
    "on_authentication_initiated",
    "on_authentication_successful",
    "on_authentication_failed",
    "on_authentication_timeout",
    "on_authentication_expired",
    "on_authentication_canceled",
    "on_participant_display_name_updated",
    "on_chat_rehydrated",
    "on_transcript_updated",
]
STATELESS_METHODS = [
    "send_message",
    "send_event",
    "send_message_receipt",
    "get_transcript",
    "send_attachment",
    "download_attachment",
    "get_attachment_url",
    "disconnect_participant",
    "describe_view",
    "get_authentication_url",
    "cancel_participant_authentication",
    "get_chat_details",
    "create_connection",
    "items_from_event",
]


@pytest.mark.parametrize("name", GLOBALS)
def test_globals(name: str) -> None:
    assert callable(getattr(ChatSession, name))


@pytest.mark.parametrize("name", COMMON_METHODS + EVENTS)
def test_session_methods(name: str) -> None:
    for cls in (CustomerChatSession, AgentChatSession):
        assert callable(getattr(cls, name))


def test_async_methods_are_coroutines() -> None:
    for name in COMMON_METHODS:
        if name in ("get_chat_details", "get_connection_status"):
            continue
        assert inspect.iscoroutinefunction(getattr(ChatSession, name)), name


def test_type_specific_methods() -> None:
    for name in ("disconnect_participant", "get_authentication_url", "cancel_participant_authentication"):
        assert inspect.iscoroutinefunction(getattr(CustomerChatSession, name))
        assert not hasattr(AgentChatSession, name)
    assert inspect.iscoroutinefunction(AgentChatSession.clean_up_on_participant_disconnect)
    assert not hasattr(CustomerChatSession, "clean_up_on_participant_disconnect")


@pytest.mark.parametrize("name", STATELESS_METHODS)
def test_stateless_methods_are_sync(name: str) -> None:
    method = getattr(StatelessChatSession, name)
    assert callable(method)
    assert not inspect.iscoroutinefunction(method)


def test_enums_and_exports() -> None:
    assert {m.name: m.value for m in connect_chat.LogLevel} == {
        "DEBUG": 10,
        "INFO": 20,
        "WARN": 30,
        "ERROR": 40,
        "ADVANCED_LOG": 50,
    }
    assert connect_chat.SessionTypes.AGENT == "AGENT"
    assert connect_chat.SessionTypes.CUSTOMER == "CUSTOMER"
    for name in connect_chat.__all__:
        assert hasattr(connect_chat, name), name
    assert callable(connect_chat.Logger)


def test_websockets_is_not_imported_by_the_library() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    layer = str(Path(connect_chat.__file__).resolve().parent.parent)
    code = "import sys, connect_chat; connect_chat.ChatSession.create_stateless; print('websockets' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": layer}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False"
