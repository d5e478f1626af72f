"""Idle chats end themselves: the sweeper reads the idle index (no scan, no TTL), stops what nobody uses, tells
the connections, gives the budgets back, and keeps the active-chat count true."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.support.relay import RelayHarness, lambda_context
from tests.support.servers import RunningEmulator


def _sweep() -> dict[str, Any]:
    from relay import sweeper

    answer: dict[str, Any] = sweeper.handler({"source": "aws.scheduler"}, lambda_context())
    return answer


def _started(relay: RelayHarness) -> tuple[str, str]:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Idle"})
    [started] = relay.new_frames(connection_id)
    return connection_id, started["contactId"]


def _age(relay: RelayHarness, contact_id: str, seconds: int) -> None:
    """Move the chat's clock back by ``seconds``: when it started, is due, and lost its last connection."""
    table = boto3.client("dynamodb")
    key = {"pk": {"S": f"CHAT#{contact_id}"}, "sk": {"S": "META"}}
    item = table.get_item(TableName=relay.table_name, Key=key)["Item"]
    orphaned = int(item.get("orphanedSince", {"N": "0"})["N"])
    table.update_item(
        TableName=relay.table_name,
        Key=key,
        UpdateExpression="SET createdAt = :created, idleAt = :due, orphanedSince = :orphaned",
        ExpressionAttributeValues={
            ":created": {"N": str(int(item["createdAt"]["N"]) - seconds)},
            ":due": {"N": str(int(item["idleAt"]["N"]) - seconds)},
            ":orphaned": {"N": str(orphaned - seconds if orphaned else 0)},
        },
    )


def _gone(contact_id: str, connection_id: str) -> None:
    """The browser went away: API Gateway answers GetConnection for it with 410 Gone (moto keeps every connection
    it was ever posted to, so the answer is forced)."""
    from common.gateway import poster_for
    from relay import runtime

    fan_out = runtime.store().fan_out(contact_id)
    assert fan_out is not None
    client = poster_for(fan_out.connections[connection_id]).client

    def gone(params: dict[str, Any], **_: Any) -> None:
        if params.get("ConnectionId") == connection_id:
            raise client.exceptions.GoneException(
                {"Error": {"Code": "GoneException", "Message": "gone"}}, "GetConnection"
            )

    client.meta.events.register("before-parameter-build.apigatewaymanagementapi.GetConnection", gone)


@pytest.fixture
def idle(relay: RelayHarness, monkeypatch: pytest.MonkeyPatch, agent_off: None) -> RelayHarness:
    from relay import runtime

    monkeypatch.setenv("IDLE_NO_MESSAGE_SECONDS", "600")
    monkeypatch.setenv("IDLE_DISCONNECTED_SECONDS", "1800")
    runtime.reset()
    return relay


def _state(emulator: RunningEmulator, contact_id: str) -> str:
    return str(emulator.control("GET", f"/contacts/{contact_id}")["State"])


def test_a_chat_whose_customer_never_wrote_is_stopped(idle: RelayHarness, emulator: RunningEmulator) -> None:
    connection_id, contact_id = _started(idle)
    assert _sweep() == {"looked": 0, "active": 1}, "not due yet"
    _age(idle, contact_id, 601)
    assert _sweep() == {"looked": 1, "active": 0}
    assert _state(emulator, contact_id) == "ENDED"
    assert {"type": "chatEnded", "contactId": contact_id} in idle.new_frames(connection_id)
    idle.send(connection_id, {"action": "startChat", "displayName": "Back"})
    assert idle.new_frames(connection_id)[0]["type"] == "chatStarted", "its budget was given back"


def test_a_chat_in_use_is_kept_and_one_nobody_is_connected_to_is_stopped_later(
    idle: RelayHarness, emulator: RunningEmulator
) -> None:
    connection_id, contact_id = _started(idle)
    idle.send(connection_id, {"action": "sendMessage", "content": "I am here"})
    _age(idle, contact_id, 601)
    assert _sweep()["looked"] == 1
    assert _state(emulator, contact_id) == "ACTIVE", "the customer wrote and is connected"

    _gone(contact_id, connection_id)
    _age(idle, contact_id, 1800)
    _sweep()
    assert _state(emulator, contact_id) == "ACTIVE", "the first look only notes that nobody is connected"
    _age(idle, contact_id, 1800)
    assert _sweep() == {"looked": 1, "active": 0}
    assert _state(emulator, contact_id) == "ENDED"


def test_the_sweep_sets_the_active_count_right(idle: RelayHarness) -> None:
    from relay import runtime

    _started(idle)
    _started(idle)
    runtime.budgets().set_active_total(57)  # a count that missed ends
    assert _sweep()["active"] == 2
    table = boto3.client("dynamodb")
    item = table.get_item(TableName=idle.table_name, Key={"pk": {"S": "GLOBAL"}, "sk": {"S": "ACTIVE"}})["Item"]
    assert item["active"] == {"N": "2"}


def test_the_sweeper_reads_an_index_never_the_table(idle: RelayHarness) -> None:
    from relay import runtime

    _, contact_id = _started(idle)
    _age(idle, contact_id, 601)
    calls: list[tuple[str, str | None]] = []
    runtime.store().client.meta.events.register(
        "before-parameter-build.dynamodb",
        lambda model, params, **_: calls.append((model.name, params.get("IndexName"))),
    )
    _sweep()
    assert ("Scan", None) not in calls
    assert {index for name, index in calls if name == "Query"} == {"idle"}
