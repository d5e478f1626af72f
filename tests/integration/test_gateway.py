"""The API Gateway WebSocket emulator: events, route selection, limits and the management API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import boto3
import pytest
import websockets
from aiohttp import web
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
)

from common import contract
from local.gateway import GatewayConfig, WebSocketGateway
from tests.support.servers import free_port


class Recorder:
    """Stands in for the relay functions: records events; can refuse connections and echo through the API."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.refuse = False
        self.endpoint = ""

    def connect(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        return {"statusCode": 403 if self.refuse else 200}

    def disconnect(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        return {"statusCode": 200}

    def message(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        if "explode" in (event.get("body") or ""):
            raise RuntimeError("handler bug with internal detail")
        client = boto3.client("apigatewaymanagementapi", endpoint_url=self.endpoint, region_name="us-west-2")
        reply = {"route": event["requestContext"]["routeKey"], "body": event["body"]}
        client.post_to_connection(ConnectionId=event["requestContext"]["connectionId"], Data=json.dumps(reply).encode())
        return {"statusCode": 200}


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[WebSocketGateway, Recorder]]:
    recorder = Recorder()
    handlers = {
        contract.RELAY_CONNECT: recorder.connect,
        contract.RELAY_DISCONNECT: recorder.disconnect,
        contract.RELAY_MESSAGE: recorder.message,
        contract.START_CHAT: recorder.message,
        contract.RELAY_STREAM: recorder.message,
    }
    config = GatewayConfig(port=free_port(), idle_timeout_seconds=30, max_message_bytes=4096)
    gateway = WebSocketGateway(config, handlers)
    recorder.endpoint = config.management_url
    runner = web.AppRunner(gateway.build_app())
    await runner.setup()
    await web.TCPSite(runner, config.host, config.port).start()
    yield gateway, recorder
    await runner.cleanup()


async def _events_of(recorder: Recorder, kind: str, count: int = 1) -> list[dict[str, Any]]:
    for _ in range(100):
        found = [e for e in recorder.events if e["requestContext"]["eventType"] == kind]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {kind} event in {recorder.events}")


async def test_events_are_shaped_like_api_gateway(gateway: tuple[WebSocketGateway, Recorder]) -> None:
    server, recorder = gateway
    url = server.config.websocket_url + "?lang=en"
    async with websockets.connect(url, origin="https://www.example.com") as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"action": "sendMessage", "content": "hi"}))
        assert json.loads(await ws.recv()) == {
            "route": "sendMessage",
            "body": '{"action": "sendMessage", "content": "hi"}',
        }
        await ws.send(json.dumps({"action": "unknownThing"}))
        assert json.loads(await ws.recv())["route"] == "$default"
        await ws.send("not json at all")
        assert json.loads(await ws.recv())["route"] == "$default"
    connect = parse(event=(await _events_of(recorder, "CONNECT"))[0], model=APIGatewayWebSocketConnectEventModel)
    assert connect.headers["Origin"] == "https://www.example.com"
    assert connect.request_context.stage == "local"
    messages = await _events_of(recorder, "MESSAGE", 3)
    parsed = [parse(event=e, model=APIGatewayWebSocketMessageEventModel) for e in messages]
    assert [p.request_context.route_key for p in parsed] == ["sendMessage", "$default", "$default"]
    assert len({p.request_context.message_id for p in parsed}) == 3
    assert {p.request_context.connection_id for p in parsed} == {connect.request_context.connection_id}
    assert messages[0]["requestContext"]["domainName"] == server.config.domain_name
    disconnect = parse(
        event=(await _events_of(recorder, "DISCONNECT"))[0], model=APIGatewayWebSocketDisconnectEventModel
    )
    assert disconnect.request_context.disconnect_status_code == 1000


async def test_connect_route_can_refuse(gateway: tuple[WebSocketGateway, Recorder]) -> None:
    server, recorder = gateway
    recorder.refuse = True
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async with websockets.connect(server.config.websocket_url):
            pass
    assert refused.value.response.status_code == 403


async def test_a_request_without_a_handshake_invokes_nothing(gateway: tuple[WebSocketGateway, Recorder]) -> None:
    server, recorder = gateway
    http_url = server.config.websocket_url.replace("ws://", "http://", 1)
    async with aiohttp.ClientSession() as client, client.get(http_url, headers={"Origin": "https://x.test"}) as answer:
        assert answer.status == 426
        assert answer.headers["Upgrade"] == "websocket"
    assert recorder.events == []
    async with websockets.connect(server.config.websocket_url):  # a real handshake still connects
        pass
    assert [e["requestContext"]["eventType"] for e in await _events_of(recorder, "CONNECT")] == ["CONNECT"]


async def test_management_api_with_an_unmodified_boto3_client(gateway: tuple[WebSocketGateway, Recorder]) -> None:
    server, recorder = gateway
    client = boto3.client("apigatewaymanagementapi", endpoint_url=server.config.management_url, region_name="us-west-2")
    async with websockets.connect(server.config.websocket_url) as ws:
        connection_id = (await _events_of(recorder, "CONNECT"))[0]["requestContext"]["connectionId"]
        described = await asyncio.to_thread(client.get_connection, ConnectionId=connection_id)
        assert described["Identity"]["SourceIp"] == "127.0.0.1"
        assert described["ConnectedAt"].year >= 2024
        await asyncio.to_thread(client.post_to_connection, ConnectionId=connection_id, Data=b'{"type":"hello"}')
        assert json.loads(await ws.recv()) == {"type": "hello"}
        with pytest.raises(client.exceptions.PayloadTooLargeException):
            await asyncio.to_thread(client.post_to_connection, ConnectionId=connection_id, Data=b"x" * 5000)
        await asyncio.to_thread(client.delete_connection, ConnectionId=connection_id)
        with pytest.raises(websockets.exceptions.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
    with pytest.raises(client.exceptions.GoneException):
        await asyncio.to_thread(client.post_to_connection, ConnectionId=connection_id, Data=b"{}")
    with pytest.raises(client.exceptions.GoneException):
        await asyncio.to_thread(client.get_connection, ConnectionId="nobody000000000=")


async def test_oversized_message_closes_with_1009(gateway: tuple[WebSocketGateway, Recorder]) -> None:
    server, _ = gateway
    async with websockets.connect(server.config.websocket_url) as ws:
        await ws.send("x" * 5000)
        with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


async def test_idle_connections_are_closed(gateway: tuple[WebSocketGateway, Recorder]) -> None:
    server, recorder = gateway
    server.config.idle_timeout_seconds = 0.3
    async with websockets.connect(server.config.websocket_url) as ws:
        with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1001
    disconnect = (await _events_of(recorder, "DISCONNECT"))[0]
    assert disconnect["requestContext"]["disconnectReason"] == "Idle timeout"


async def test_keepalive_frames_invoke_nothing_and_keep_an_idle_connection_open(
    gateway: tuple[WebSocketGateway, Recorder],
) -> None:
    server, recorder = gateway
    server.config.idle_timeout_seconds = 0.6
    async with websockets.connect(server.config.websocket_url) as ws:
        for _ in range(5):  # 1.5 s in all, well past the idle timeout
            await asyncio.sleep(0.3)
            await ws.send(json.dumps({"action": contract.KEEPALIVE_ACTION}))
        await ws.send(json.dumps({"action": "sendMessage", "content": "still open"}))
        assert json.loads(await ws.recv())["route"] == "sendMessage"
    messages = await _events_of(recorder, "MESSAGE")
    assert [e["requestContext"]["routeKey"] for e in messages] == ["sendMessage"]


async def test_a_failed_integration_is_answered_and_the_connection_stays_open(
    gateway: tuple[WebSocketGateway, Recorder],
) -> None:
    server, _ = gateway
    async with websockets.connect(server.config.websocket_url) as ws:
        await ws.send(json.dumps({"action": "sendMessage", "content": "explode"}))
        failure = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert failure["message"] == "Internal server error"
        assert set(failure) == {"message", "connectionId", "requestId"}
        await ws.send(json.dumps({"action": "sendMessage", "content": "after"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["route"] == "sendMessage"
