"""The emulator's aiohttp application: one base URL for ``connect``, ``connectparticipant`` and the socket."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from botocore.model import OperationModel

from .agent import SimulatedAgent
from .attachments import DOWNLOAD_PATH, UPLOAD_PATH, AttachmentStore
from .chat import ChatService
from .config import EmulatorConfig
from .connect_api import SERVED_OPERATIONS, ConnectApi
from .control import ControlApi
from .errors import ServiceError
from .faults import FaultInjector
from .participant_api import ParticipantApi
from .replies import IMAGES_PATH, serve_image
from .service_model import ServiceApi, parse_request, serialize_error, serialize_output, validate_input
from .streaming import StreamingPublisher
from .websocket import SocketHub

logger = logging.getLogger(__name__)

#: API request bodies above this size are refused before parsing (attachment PUTs have their own limit).
MAX_API_BODY_BYTES = 1024 * 1024
_CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Expose-Headers": "x-amzn-RequestId, x-amzn-ErrorType, ETag",
    "Access-Control-Max-Age": "600",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class ApiService:
    """One emulated AWS service: its routes, its handlers and the codes it answers errors with.

    ``validation_codes`` are the service's codes for invalid input, in order of preference: an operation answers
    with the first one its model lists among its errors (``connect``'s CreateParticipant models
    InvalidRequestException but not InvalidParameterException).
    """

    api: ServiceApi
    handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]]
    validation_codes: tuple[str, ...]
    internal_code: str

    def validation_code(self, operation: OperationModel) -> str:
        """The code ``operation`` answers invalid input with."""
        modeled = {shape.name for shape in operation.error_shapes}
        return next((code for code in self.validation_codes if code in modeled), self.validation_codes[0])


class Emulator:
    """Every part of the emulator, wired together."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.chats = ChatService(config)
        self.faults = FaultInjector()
        self.hub = SocketHub(self.chats)
        self.streaming = StreamingPublisher(self.chats)
        self.agent = SimulatedAgent(self.chats)
        self.attachments = AttachmentStore(self.chats)
        participant = ParticipantApi(self.chats, self.attachments)
        connect = ConnectApi(self.chats, self.streaming)
        self.control = ControlApi(self.chats, self.hub, self.faults, self.agent, self.streaming)
        self.services = [
            ApiService(
                ServiceApi("connectparticipant"),
                participant.handlers,
                ("ValidationException",),
                "InternalServerException",
            ),
            ApiService(
                ServiceApi("connect", SERVED_OPERATIONS),
                connect.handlers,
                ("InvalidParameterException", "InvalidRequestException"),
                "InternalServiceException",
            ),
        ]

    def build_app(self) -> web.Application:
        """The aiohttp application serving everything on one port."""
        app = web.Application(middlewares=[cors_middleware], client_max_size=32 * 1024 * 1024)
        self.control.add_routes(app)
        app.router.add_put(UPLOAD_PATH, self.attachments.handle_upload)
        app.router.add_get(DOWNLOAD_PATH, self.attachments.handle_download)
        app.router.add_get(IMAGES_PATH, serve_image)
        app.router.add_get("/connect", self.hub.handle)
        app.router.add_route("*", "/{tail:.*}", self.dispatch)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def _on_shutdown(self, app: web.Application) -> None:
        for socket in list(self.hub.sockets):
            socket.close()
        await self.agent.stop()
        await self.streaming.stop()

    async def dispatch(self, request: web.Request) -> web.Response:
        """Answer an AWS API call: route, parse, validate, apply faults, handle, serialise."""
        request_id = str(uuid.uuid4())
        service: ApiService | None = None
        operation: OperationModel | None = None
        try:
            matched = None
            for candidate in self.services:
                matched = candidate.api.match(request.method, request.path)
                if matched:
                    service = candidate
                    break
            if matched is None or service is None:
                raise _unknown_route(request, self.services)
            operation, uri_params = matched
            body = await _read_body(request, service.validation_code(operation))
            params = parse_request(operation, uri_params, request.query, request.headers, body)
            _require_bearer(operation, params)
            validate_input(operation, params)
            fault = self.faults.take(operation.name)
            if fault is not None:
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                error = FaultInjector.error_for(fault)
                if error is not None:
                    raise error
            output = service.handlers[operation.name](params)
            wire = serialize_output(operation, output)
        except ServiceError as exc:
            if exc.code == "ValidationException" and service is not None and operation is not None:
                exc.code = service.validation_code(operation)
            wire = serialize_error(exc, request_id)
        except Exception:
            logger.exception("Unhandled error in %s %s", request.method, request.path)
            code = service.internal_code if service is not None else "InternalServerException"
            wire = serialize_error(ServiceError(code, 500, "An internal error occurred"), request_id)
        headers = {**wire.headers, "x-amzn-RequestId": request_id}
        return web.Response(status=wire.status, body=wire.body, headers=headers)


async def _read_body(request: web.Request, code: str) -> bytes:
    """The request body, refused once it exceeds :data:`MAX_API_BODY_BYTES` (chunked bodies included)."""

    def too_large(size: int) -> ServiceError:
        return ServiceError(code, 400, f"Request body of {size} bytes exceeds the {MAX_API_BODY_BYTES} byte limit")

    if request.content_length and request.content_length > MAX_API_BODY_BYTES:
        raise too_large(request.content_length)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_API_BODY_BYTES:
            raise too_large(size)
        chunks.append(chunk)
    return b"".join(chunks)


def _require_bearer(operation: Any, params: dict[str, Any]) -> None:
    """A Participant Service call without its X-Amz-Bearer token is refused as AccessDenied."""
    shape = operation.input_shape
    if shape is None:
        return
    for name, member in shape.members.items():
        if member.serialization.get("name") == "X-Amz-Bearer" and not params.get(name):
            raise ServiceError("AccessDeniedException", 403, "Missing X-Amz-Bearer token")


def _unknown_route(request: web.Request, services: list[ApiService]) -> ServiceError:
    if any(s.api.path_known(request.path) for s in services):
        return ServiceError("MethodNotAllowedException", 405, f"{request.method} is not allowed on {request.path}")
    return ServiceError("UnknownOperationException", 404, f"No operation at {request.method} {request.path}")


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """CORS on every route, preflight included, so browser pages on any origin can call the emulator."""
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        allowed = request.headers.get("Access-Control-Request-Headers", "*")
        return web.Response(status=204, headers={**_CORS_HEADERS, "Access-Control-Allow-Headers": allowed})
    response = await handler(request)
    if not response.prepared:
        response.headers.update(_CORS_HEADERS)
    return response
