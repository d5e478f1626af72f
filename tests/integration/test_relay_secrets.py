"""Connect tokens never reach the browser, the logs, or an error frame."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.support.relay import RelayHarness
from tests.support.servers import RunningEmulator


def test_tokens_stay_out_of_frames_and_logs(
    relay: RelayHarness, emulator: RunningEmulator, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana", "requestId": "s"})
    started = relay.wait_for(connection_id, lambda f: f["type"] == "chatStarted")
    relay.send(connection_id, {"action": "sendMessage", "content": "hello"})
    relay.wait_for(
        connection_id,
        lambda f: f["type"] == "item" and f["item"]["ParticipantRole"] == "AGENT" and f["item"]["Type"] == "MESSAGE",
    )
    relay.send(connection_id, {"action": "getTranscript"})
    relay.send(connection_id, {"action": "sendMessage", "content": ""})
    # Expire the connection token so that the relay refreshes it (and could leak either one).
    emulator.control("POST", "/tokens/expire", {"kinds": ["connection"]})
    relay.send(connection_id, {"action": "sendMessage", "content": "after refresh", "requestId": "late"})
    assert relay.wait_for(connection_id, lambda f: f.get("requestId") == "late")["type"] == "ack"
    relay.send(connection_id, {"action": "endChat"})

    chat = (
        boto3.resource("dynamodb")
        .Table(relay.table_name)
        .get_item(Key={"pk": f"CHAT#{started['contactId']}", "sk": "META"})["Item"]
    )
    secrets = [chat["participantToken"], chat["connectionToken"], started["resumeToken"]]
    frames = json.dumps([f for f in relay.frames(connection_id) if f["type"] != "chatStarted"])
    output = capsys.readouterr()
    logs = output.out + output.err + caplog.text
    assert "connectionToken" not in frames
    assert "ParticipantToken" not in frames
    for secret in secrets:
        assert secret not in frames
        leaks = [line for line in logs.splitlines() if secret in line]
        assert not leaks, leaks[0][:300]
    # Only a hash of the resume token's secret is stored.
    assert started["resumeToken"].split(".")[-1] not in json.dumps(chat, default=str)
    # The refreshed connection token reached the connection's own record too.
    connection = (
        boto3.resource("dynamodb").Table(relay.table_name).get_item(Key={"pk": f"CONN#{connection_id}", "sk": "META"})
    )["Item"]
    assert connection["connectionToken"] == chat["connectionToken"]
