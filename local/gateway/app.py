"""The API Gateway WebSocket emulator: ``ws://host:port/{stage}`` and ``/{stage}/@connections/{id}``.

Routes are selected as the deployed API does (``$request.body.action`` from the shared route table), the
same handlers run in-process with API Gateway-shaped events, a ``$connect`` answer other than 2xx refuses the
connection, and API Gateway's limits apply (message size, idle timeout, connection duration).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import string
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from common import contract
from local.connect_emulator.errors import ServiceError
from local.connect_emulator.service_model import load_service_model, serialize_error, serialize_output
from local.lambda_runtime import Handler, invoke

from . import events

_ID_ALPHABET = string.ascii_letters + string.digits
logger = logging.getLogger(__name__)


@dataclass
class GatewayConfig:
    """Where the gateway listens and API Gateway's limits it applies."""

    host: str = "127.0.0.1"
    port: int = 3001
    stage: str = contract.LOCAL_STAGE_NAME
    api_id: str = "localapi01"
    max_message_bytes: int = contract.MAX_MESSAGE_BYTES
    idle_timeout_seconds: float = contract.IDLE_TIMEOUT_SECONDS
    max_connection_seconds: float = contract.MAX_CONNECTION_SECONDS

    @property
    def domain_name(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def websocket_url(self) -> str:
        return f"ws://{self.domain_name}/{self.stage}"

    @property
    def management_url(self) -> str:
        return f"http://{self.domain_name}/{self.stage}"


@dataclass(eq=False)
class GatewayConnection:
    """One client connection."""

    connection_id: str
    ws: web.WebSocketResponse
    context: dict[str, Any]
    source_ip: str
    user_agent: str | None
    connected_at: float = field(default_factory=time.time)
    last_active_at: float = field(default_factory=time.time)
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    closed_by_server: tuple[int, str] | None = None

    async def send(self, text: str) -> None:
        async with self.send_lock:
            await self.ws.send_str(text)


def new_connection_id() -> str:
    """An id shaped like API Gateway's (16 characters ending in ``=``)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(15)) + "="


_MANAGEMENT_API = load_service_model("apigatewaymanagementapi")


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _aws_error(status: int, code: str, message: str) -> web.Response:
    wire = serialize_error(ServiceError(code, status, message), secrets.token_hex(16))
    return web.Response(status=wire.status, body=wire.body, headers=wire.headers)


class WebSocketGateway:
    """Accepts WebSocket clients and invokes the route table's handlers for them."""

    def __init__(self, config: GatewayConfig, handlers: Mapping[str, Handler]) -> None:
        """``handlers`` maps each function id of :data:`common.contract.FUNCTIONS` to its loaded handler."""
        self.config = config
        self.handlers = handlers
        self.connections: dict[str, GatewayConnection] = {}

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=self.config.max_message_bytes * 2)
        stage = self.config.stage
        app.router.add_get(f"/{stage}", self.handle_websocket)
        app.router.add_post(f"/{stage}/@connections/{{connection_id}}", self.post_to_connection)
        app.router.add_get(f"/{stage}/@connections/{{connection_id}}", self.get_connection)
        app.router.add_delete(f"/{stage}/@connections/{{connection_id}}", self.delete_connection)
        app.on_shutdown.append(self._close_all)
        return app

    async def _invoke(self, route_key: str, event: dict[str, Any]) -> Any:
        """Run the route's function; a mock route (no function) invokes nothing and answers nothing."""
        spec = contract.function_for_route(route_key)
        if spec is None:
            return None
        return await invoke(self.handlers[spec.id], event, spec.id)

    def _context(
        self,
        route_key: str,
        event_type: str,
        connection_id: str,
        connected_at: float,
        source_ip: str,
        agent: str | None,
    ) -> dict[str, Any]:
        return events.request_context(
            route_key=route_key,
            event_type=event_type,
            connection_id=connection_id,
            connected_at=int(connected_at * 1000),
            domain_name=self.config.domain_name,
            stage=self.config.stage,
            api_id=self.config.api_id,
            source_ip=source_ip,
            user_agent=agent,
        )

    # ------------------------------------------------------------------------------------ websocket

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """``$connect``, then one invocation per message, then ``$disconnect``.

        A request that is not a WebSocket handshake (a plain GET, a probe) invokes nothing: 426 Upgrade Required.
        """
        ws = web.WebSocketResponse(max_msg_size=self.config.max_message_bytes, autoping=True)
        if not ws.can_prepare(request).ok:
            return web.Response(
                status=426, text="Upgrade Required", headers={"Upgrade": "websocket", "Connection": "Upgrade"}
            )
        connection_id = new_connection_id()
        connected_at = time.time()
        source_ip = request.remote or "127.0.0.1"
        agent = request.headers.get("User-Agent")
        context = self._context(contract.CONNECT_ROUTE, "CONNECT", connection_id, connected_at, source_ip, agent)
        try:
            answer = await self._invoke(
                contract.CONNECT_ROUTE, events.connect_event(context, request.headers, request.query)
            )
        except Exception:
            logger.exception("The $connect integration failed")
            return _aws_error(500, "InternalServerErrorException", "Internal server error")
        status = int(answer.get("statusCode", 200)) if isinstance(answer, dict) else 200
        if not 200 <= status < 300:
            return _aws_error(status, "Forbidden", "Connection refused by the $connect route")
        await ws.prepare(request)
        connection = GatewayConnection(connection_id, ws, context, source_ip, agent, connected_at)
        self.connections[connection_id] = connection
        watchdog = asyncio.get_running_loop().create_task(self._watch_limits(connection))
        try:
            async for message in ws:
                connection.last_active_at = time.time()
                if message.type == WSMsgType.TEXT:
                    await self._on_message(connection, message.data)
                elif message.type == WSMsgType.BINARY:
                    await self._on_message(connection, message.data.decode("utf-8", errors="replace"))
                elif message.type == WSMsgType.ERROR:
                    break
        finally:
            watchdog.cancel()
            self.connections.pop(connection_id, None)
            code, reason = connection.closed_by_server or (ws.close_code or 1005, "Client-side close frame")
            context = self._context(
                contract.DISCONNECT_ROUTE, "DISCONNECT", connection_id, connected_at, source_ip, agent
            )
            try:
                await self._invoke(
                    contract.DISCONNECT_ROUTE,
                    events.disconnect_event(context, int(code), reason, self.config.domain_name),
                )
            except Exception:
                logger.exception("The $disconnect integration failed")
        return ws

    async def _on_message(self, connection: GatewayConnection, body: str) -> None:
        try:
            action = json.loads(body).get(contract.ROUTE_SELECTION_FIELD)
        except (ValueError, RecursionError, AttributeError):
            action = None
        route_key = contract.select_route(action)
        context = self._context(
            route_key,
            "MESSAGE",
            connection.connection_id,
            connection.connected_at,
            connection.source_ip,
            connection.user_agent,
        )
        try:
            await self._invoke(route_key, events.message_event(context, body))
        except Exception:
            # As API Gateway does: the client is told, the connection stays open.
            logger.exception("The %s integration failed", route_key)
            failure = {
                "message": "Internal server error",
                "connectionId": connection.connection_id,
                "requestId": context["requestId"],
            }
            with contextlib.suppress(ConnectionError, RuntimeError):
                await connection.send(json.dumps(failure))

    async def _watch_limits(self, connection: GatewayConnection) -> None:
        """Close idle connections and those past the maximum duration, as API Gateway does."""
        while True:
            now = time.time()
            idle_deadline = connection.last_active_at + self.config.idle_timeout_seconds
            duration_deadline = connection.connected_at + self.config.max_connection_seconds
            if now >= duration_deadline:
                await self._server_close(connection, WSCloseCode.GOING_AWAY, "Connection duration exceeded")
                return
            if now >= idle_deadline:
                await self._server_close(connection, WSCloseCode.GOING_AWAY, "Idle timeout")
                return
            await asyncio.sleep(max(min(idle_deadline, duration_deadline) - now, 0.05))

    async def _server_close(self, connection: GatewayConnection, code: int, reason: str) -> None:
        connection.closed_by_server = (int(code), reason)
        await connection.ws.close(code=code, message=reason.encode())

    async def _close_all(self, app: web.Application) -> None:
        for connection in list(self.connections.values()):
            await self._server_close(connection, WSCloseCode.GOING_AWAY, "Server shutting down")

    # ------------------------------------------------------------------------------- management API

    def _connection(self, request: web.Request) -> GatewayConnection | None:
        return self.connections.get(request.match_info["connection_id"])

    async def post_to_connection(self, request: web.Request) -> web.Response:
        """PostToConnection: the body goes to the client as one text message."""
        connection = self._connection(request)
        if connection is None:
            return _aws_error(410, "GoneException", "The connection is gone")
        data = await request.read()
        if len(data) > self.config.max_message_bytes:
            return _aws_error(
                413, "PayloadTooLargeException", f"Payload of {len(data)} bytes exceeds {self.config.max_message_bytes}"
            )
        try:
            await connection.send(data.decode("utf-8", errors="replace"))
        except (ConnectionError, RuntimeError):
            return _aws_error(410, "GoneException", "The connection is gone")
        return web.Response(status=200)

    async def get_connection(self, request: web.Request) -> web.Response:
        """GetConnection: when it connected, who it is, when it was last active."""
        connection = self._connection(request)
        if connection is None:
            return _aws_error(410, "GoneException", "The connection is gone")
        wire = serialize_output(
            _MANAGEMENT_API.operation_model("GetConnection"),
            {
                "ConnectedAt": _utc(connection.connected_at),
                "Identity": {"SourceIp": connection.source_ip, "UserAgent": connection.user_agent or ""},
                "LastActiveAt": _utc(connection.last_active_at),
            },
        )
        return web.Response(status=wire.status, body=wire.body, headers=wire.headers)

    async def delete_connection(self, request: web.Request) -> web.Response:
        """DeleteConnection: the server closes the connection."""
        connection = self._connection(request)
        if connection is None:
            return _aws_error(410, "GoneException", "The connection is gone")
        await self._server_close(connection, WSCloseCode.GOING_AWAY, "Closed by DeleteConnection")
        return web.Response(status=204)
