"""Chat budgets as an attacker meets them: one address looping connections and startChats hits its budget and
never reaches the instance's quota; other addresses chat on; a full relay answers BUSY."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.relay import RelayHarness
from tests.support.servers import RunningEmulator

ATTACKER = "198.51.100.66"


def _contacts(emulator: RunningEmulator) -> set[str]:
    return {c["ContactId"] for c in emulator.control("GET", "/contacts")["Contacts"]}


def _start(relay: RelayHarness, source_ip: str, request_id: str = "s") -> dict[str, Any]:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "X", "requestId": request_id}, source_ip=source_ip)
    [answer] = relay.new_frames(connection_id)
    answer["connectionId"] = connection_id
    return answer


@pytest.fixture
def budgets(relay: RelayHarness, monkeypatch: pytest.MonkeyPatch) -> RelayHarness:
    from relay import runtime

    monkeypatch.setenv("CHAT_STARTS_PER_IP", "5")
    monkeypatch.setenv("ACTIVE_CHATS_PER_IP", "3")
    monkeypatch.setenv("ACTIVE_CHAT_CAP", "6")
    runtime.reset()
    return relay


def test_a_loop_of_connections_from_one_address_hits_its_budget_not_the_quota(
    budgets: RelayHarness, emulator: RunningEmulator, agent_off: None
) -> None:
    before = _contacts(emulator)
    answers = [_start(budgets, ATTACKER, f"s{n}") for n in range(20)]
    started = [a for a in answers if a["type"] == "chatStarted"]
    refused = [a for a in answers if a["type"] == "error"]
    assert len(started) == 3, "three chats open at once from one address"
    assert {a["code"] for a in refused} == {"BUDGET_EXCEEDED"}
    assert all(a["retryAfter"] > 0 and a["requestId"].startswith("s") for a in refused)
    assert len(_contacts(emulator) - before) == 3, "no refused start reached Connect"

    other = _start(budgets, "203.0.113.7")
    assert other["type"] == "chatStarted", "another address still chats"


def test_ending_a_chat_gives_its_place_back_until_the_window_is_spent(budgets: RelayHarness, agent_off: None) -> None:
    first = [_start(budgets, ATTACKER, f"a{n}") for n in range(3)]
    assert [a["type"] for a in first] == ["chatStarted"] * 3
    for answer in first[:2]:
        budgets.send(answer["connectionId"], {"action": "endChat"}, source_ip=ATTACKER)
    again = [_start(budgets, ATTACKER, f"b{n}") for n in range(3)]
    assert [a["type"] for a in again[:2]] == ["chatStarted"] * 2
    assert again[2]["code"] == "BUDGET_EXCEEDED"
    assert "started 5 chats" in again[2]["message"], "five starts in the window, however many ended"


def test_a_full_relay_answers_busy(budgets: RelayHarness, agent_off: None) -> None:
    answers = [_start(budgets, f"203.0.113.{n}") for n in range(7)]
    assert [a["type"] for a in answers[:6]] == ["chatStarted"] * 6
    assert answers[6]["code"] == "BUSY"
    assert answers[6]["retryAfter"] > 0


def test_a_start_that_fails_gives_its_budget_back(
    budgets: RelayHarness, emulator: RunningEmulator, agent_off: None
) -> None:
    emulator.control(
        "POST", "/faults", {"operation": "StartChatContact", "error": "InternalServiceException", "count": 30}
    )
    failed = [_start(budgets, ATTACKER, f"f{n}") for n in range(2)]
    assert {a["code"] for a in failed} == {"START_FAILED"}
    emulator.control("DELETE", "/faults")
    answers = [_start(budgets, ATTACKER, f"g{n}") for n in range(3)]
    assert [a["type"] for a in answers] == ["chatStarted"] * 3, "the failed starts hold no active place"
