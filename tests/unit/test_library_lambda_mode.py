"""What a Lambda handler gets from the library: a light import, and streaming filtered for several tabs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from connect_chat.protocol import content_types as ct
from connect_chat.protocol.streaming import Audience, items_from_sns_event

LAYER = Path(__file__).resolve().parents[2] / "layer" / "python"
#: Modules of the long-lived (asyncio) mode: a Lambda handler using the stateless mode never loads them.
ASYNCIO_MODE = ("connect_chat.session", "connect_chat.connection", "websockets", "asyncio")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env={"PYTHONPATH": str(LAYER)}
    )
    return set(json.loads(out.stdout))


def test_importing_the_package_loads_no_asyncio_mode() -> None:
    loaded = _loaded_after("import connect_chat")
    assert not {m for m in loaded for prefix in ASYNCIO_MODE if m == prefix or m.startswith(prefix + ".")}


def test_the_stateless_mode_loads_no_asyncio_mode() -> None:
    loaded = _loaded_after(
        "from connect_chat.stateless import StatelessChatSession; from connect_chat import items_from_sns_event"
    )
    assert "connect_chat.stateless" in loaded
    assert not {m for m in loaded for prefix in ASYNCIO_MODE if m == prefix or m.startswith(prefix + ".")}


def test_lazy_names_resolve_to_their_classes() -> None:
    import connect_chat
    from connect_chat.session import ChatSession

    assert connect_chat.ChatSession is ChatSession
    assert "ChatSession" in dir(connect_chat)


def _record(body: dict[str, Any]) -> dict[str, Any]:
    attributes = {"MessageVisibility": {"Type": "String", "Value": "ALL"}}
    return {
        "EventSource": "aws:sns",
        "Sns": {"MessageId": body["Id"], "Message": json.dumps(body), "MessageAttributes": attributes},
    }


def _item(item_id: str, item_type: str, content_type: str, role: str) -> dict[str, Any]:
    return {
        "Id": item_id,
        "Type": item_type,
        "ContentType": content_type,
        "Content": "x",
        "ParticipantId": f"p-{role.lower()}",
        "ParticipantRole": role,
        "AbsoluteTime": "2026-11-27T10:00:00.000Z",
        "ContactId": "c-1",
    }


def test_echo_own_messages_keeps_a_customers_messages_for_other_tabs_but_not_their_typing() -> None:
    event = {
        "Records": [
            _record(_item("m-own", "MESSAGE", ct.TEXT_PLAIN, "CUSTOMER")),
            _record(_item("t-own", "EVENT", ct.TYPING, "CUSTOMER")),
            _record(_item("r-own", "EVENT", ct.MESSAGE_READ, "CUSTOMER")),
            _record(_item("m-agent", "MESSAGE", ct.TEXT_PLAIN, "AGENT")),
            _record(_item("t-agent", "EVENT", ct.TYPING, "AGENT")),
        ]
    }
    relayed = items_from_sns_event(event, audience=Audience.CUSTOMER, echo_own_messages=True)
    assert [n.item.id for n in relayed] == ["m-own", "m-agent", "t-agent"]
    plain = items_from_sns_event(event, audience=Audience.CUSTOMER)
    assert [n.item.id for n in plain] == ["m-agent", "t-agent"]
