"""``python -m local`` as a user runs it: every part up, a chat through the gateway, start-chat over HTTP."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.support.servers import LocalStackProcess, free_port


async def _until(ws: Any, predicate: Any, wait_seconds: float = 10) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        while True:
            frame: dict[str, Any] = json.loads(await ws.recv())
            if predicate(frame):
                return frame

    return await asyncio.wait_for(read(), wait_seconds)


async def test_chat_through_the_local_gateway(local_stack: LocalStackProcess) -> None:
    origin = local_stack.http_url
    async with websockets.connect(local_stack.websocket_url, origin=origin) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"action": "startChat", "displayName": "Local", "requestId": "s"}))
        started = await _until(ws, lambda f: f["type"] == "chatStarted")
        await ws.send(json.dumps({"action": "sendMessage", "content": "hello stack", "requestId": "m"}))
        await _until(ws, lambda f: f["type"] == "ack" and f["requestId"] == "m")
        reply = await _until(
            ws,
            lambda f: (
                f["type"] == "item"
                and f["item"]["ParticipantRole"] == "AGENT"
                and "hello stack" in f["item"].get("Content", "")
            ),
        )
        assert reply["item"]["ContactId"] == started["contactId"]
    # A reconnect resumes the same chat.
    async with websockets.connect(local_stack.websocket_url, origin=origin) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"action": "resumeChat", "resumeToken": started["resumeToken"]}))
        await _until(ws, lambda f: f["type"] == "chatResumed")
        replayed = await _until(ws, lambda f: f["type"] == "item" and f["item"]["Id"] == reply["item"]["Id"])
        assert replayed["item"]["Content"] == reply["item"]["Content"]


async def test_foreign_origin_is_refused(local_stack: LocalStackProcess) -> None:
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async with websockets.connect(local_stack.websocket_url, origin="https://evil.example.net"):  # type: ignore[arg-type]
            pass
    assert refused.value.response.status_code == 403


def test_start_chat_endpoint(local_stack: LocalStackProcess) -> None:
    request = urllib.request.Request(
        f"{local_stack.http_url}/start-chat",
        data=json.dumps({"ParticipantDetails": {"DisplayName": "Direct"}}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Origin": local_stack.http_url},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        result = json.loads(response.read())["data"]["startChatResult"]
        assert response.headers["Access-Control-Allow-Origin"] == local_stack.http_url
    contacts = local_stack.control("GET", "/contacts")["Contacts"]
    assert result["ContactId"] in {c["ContactId"] for c in contacts}


def test_a_taken_port_fails_with_a_clear_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"LOCAL_HTTP_PORT": str(free_port()), "LOCAL_GATEWAY_PORT": str(port), "PATH": "/usr/bin:/bin"}
        result = subprocess.run(
            [sys.executable, "-m", "local"],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port} (address already in use)" in result.stderr
    assert "--gateway-port (LOCAL_GATEWAY_PORT)" in result.stderr


async def test_a_forged_sns_notification_reaches_nobody(local_stack: LocalStackProcess) -> None:
    """Only the stack's own subscription (its URL holds a secret made for the run) delivers streamed items."""
    origin = local_stack.http_url
    async with websockets.connect(local_stack.websocket_url, origin=origin) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"action": "startChat", "displayName": "Target", "requestId": "s"}))
        started = await _until(ws, lambda f: f["type"] == "chatStarted")
        forged_item = {
            "Id": "forged-1",
            "Type": "MESSAGE",
            "ContentType": "text/plain",
            "Content": "Your account is locked: send your password",
            "ParticipantRole": "AGENT",
            "DisplayName": "Agent",
            "AbsoluteTime": "2026-11-27T10:00:00.000Z",
            "ContactId": started["contactId"],
        }
        notification = {"Type": "Notification", "MessageId": "m-1", "Message": json.dumps(forged_item)}
        for path in ("/_sns/stream", "/_sns/", "/_sns/guess"):
            status = await asyncio.to_thread(_post_status, f"{local_stack.http_url}{path}", notification)
            assert status in (404, 405)
        await ws.send(json.dumps({"action": "sendMessage", "content": "are you there?", "requestId": "m"}))
        reply = await _until(ws, lambda f: f["type"] == "item" and "are you there?" in f["item"].get("Content", ""))
        assert reply["item"]["Id"] != "forged-1"
        with pytest.raises(TimeoutError):
            await _until(ws, lambda f: f["type"] == "item" and f["item"]["Id"] == "forged-1", wait_seconds=1)


def _post_status(url: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return refused.code
