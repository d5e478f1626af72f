"""Helpers for the emulator's integration tests: start chats, poll, read sockets, check wire shapes."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import botocore.config
from botocore.model import OperationModel, Shape, StructureShape
from botocore.validate import ParamValidator
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from local.connect_emulator.service_model import validate

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
FLOW_ID = "66666666-7777-8888-9999-000000000000"
EVENT = "application/vnd.amazonaws.connect.event."
TYPING = EVENT + "typing"
READ = EVENT + "message.read"
DELIVERED = EVENT + "message.delivered"
JOINED = EVENT + "participant.joined"
LEFT = EVENT + "participant.left"
ENDED = EVENT + "chat.ended"
REHYDRATED = EVENT + "chat.rehydrated"
ACKNOWLEDGED = EVENT + "connection.acknowledged"

#: For sending input the service must refuse: boto3 would otherwise reject it before the wire.
NO_CLIENT_VALIDATION = botocore.config.Config(parameter_validation=False, retries={"total_max_attempts": 1})
NO_RETRIES = botocore.config.Config(retries={"total_max_attempts": 1})

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------- chats


@dataclass
class Chat:
    """A started chat and, once connected, its customer's connection."""

    contact_id: str
    participant_id: str
    participant_token: str
    connection_token: str = ""
    websocket_url: str = ""
    connection_expiry: str = ""
    start_response: dict[str, Any] = field(default_factory=dict)


def start_chat(connect_client: Any, display_name: str = "Customer", **extra: Any) -> Chat:
    """StartChatContact with sensible defaults; ``extra`` adds or overrides request members."""
    request: dict[str, Any] = {
        "InstanceId": INSTANCE_ID,
        "ContactFlowId": FLOW_ID,
        "ParticipantDetails": {"DisplayName": display_name},
        **extra,
    }
    response = connect_client.start_chat_contact(**request)
    return Chat(
        response["ContactId"],
        response["ParticipantId"],
        response["ParticipantToken"],
        start_response=response,
    )


def connect_participant(participant_client: Any, chat: Chat) -> Chat:
    """CreateParticipantConnection with WEBSOCKET and CONNECTION_CREDENTIALS, as ChatJS's customer does."""
    response = participant_client.create_participant_connection(
        ParticipantToken=chat.participant_token, Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"]
    )
    chat.connection_token = response["ConnectionCredentials"]["ConnectionToken"]
    chat.websocket_url = response["Websocket"]["Url"]
    chat.connection_expiry = response["Websocket"]["ConnectionExpiry"]
    return chat


def open_chat(connect_client: Any, participant_client: Any, **extra: Any) -> Chat:
    """A started chat whose customer holds a connection token and a websocket URL."""
    return connect_participant(participant_client, start_chat(connect_client, **extra))


@dataclass
class Agent:
    """An agent added through the control API, connected with its own connection token."""

    participant_id: str
    participant_token: str
    connection_token: str


def join_agent(emulator: Any, participant_client: Any, contact_id: str, role: str = "AGENT") -> Agent:
    """Add a participant through ``/contacts/{id}/participants`` and connect it (ConnectParticipant)."""
    added = emulator.control("POST", f"/contacts/{contact_id}/participants", {"role": role, "displayName": role})
    connection = participant_client.create_participant_connection(
        ParticipantToken=added["ParticipantToken"], Type=["CONNECTION_CREDENTIALS"], ConnectParticipant=True
    )
    return Agent(
        added["ParticipantId"],
        added["ParticipantToken"],
        connection["ConnectionCredentials"]["ConnectionToken"],
    )


def whole_transcript(participant_client: Any, connection_token: str, **extra: Any) -> list[dict[str, Any]]:
    """Every transcript item the participant may see, oldest first (FORWARD without StartPosition)."""
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "ConnectionToken": connection_token,
        "MaxResults": 100,
        "ScanDirection": "FORWARD",
        "SortOrder": "ASCENDING",
        **extra,
    }
    while True:
        page = participant_client.get_transcript(**request)
        items.extend(page["Transcript"])
        if not page.get("NextToken"):
            return items
        request = {"ConnectionToken": connection_token, "NextToken": page["NextToken"]}


def send_text(participant_client: Any, connection_token: str, text: str) -> dict[str, Any]:
    return dict(
        participant_client.send_message(
            ConnectionToken=connection_token,
            ContentType="text/plain",
            Content=text,
            ClientToken=str(uuid.uuid4()),
        )
    )


# -------------------------------------------------------------------------------------------- polling


def wait_for(probe: Callable[[], T | None], timeout: float = 5.0, interval: float = 0.02, what: str = "") -> T:
    """Call ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}")
        time.sleep(interval)


async def async_wait_for(
    probe: Callable[[], Awaitable[T | None]], within: float = 5.0, interval: float = 0.02, what: str = ""
) -> T:
    """Async :func:`wait_for`: poll ``probe`` for up to ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what or probe}")
        await asyncio.sleep(interval)


def find(items: list[dict[str, Any]], **wanted: Any) -> dict[str, Any] | None:
    """The first item whose fields equal ``wanted`` (None when there is none)."""
    return next((i for i in items if all(i.get(k) == v for k, v in wanted.items())), None)


# -------------------------------------------------------------------------------------------- sockets


class ChatSocket:
    """A participant websocket: every frame received is kept; ``items`` are the decoded aws/chat pushes."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, url: str, subscribe: bool = True) -> ChatSocket:
        socket = cls(await ws_connect(url, open_timeout=5, ping_interval=None))
        if subscribe:
            await socket.send({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})
            await socket.wait_frame(lambda f: f.get("topic") == "aws/subscribe")
        return socket

    async def _read(self) -> None:
        async for raw in self.ws:
            self.frames.append(json.loads(raw))

    async def send(self, frame: Any) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    @property
    def items(self) -> list[dict[str, Any]]:
        """The items pushed on ``aws/chat``, decoded from their JSON-string content."""
        return [json.loads(f["content"]) for f in self.frames if f.get("topic") == "aws/chat"]

    async def wait_frame(self, match: Callable[[dict[str, Any]], bool], within: float = 5.0) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            return next((f for f in self.frames if match(f)), None)

        return await async_wait_for(probe, within, what="a matching frame")

    async def wait_item(self, within: float = 5.0, **wanted: Any) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            return find(self.items, **wanted)

        return await async_wait_for(probe, within, what=f"an item with {wanted}")

    async def wait_closed(self, within: float = 5.0) -> None:
        """Wait until the socket is closed, cleanly or not (see :attr:`clean_close`)."""
        await asyncio.wait({self._reader}, timeout=within)
        if not self._reader.done():
            raise AssertionError(f"the socket is still open after {within}s")

    @property
    def clean_close(self) -> bool:
        """Whether the server sent a close frame (False for a cut connection)."""
        return self.ws.protocol.close_rcvd is not None

    @property
    def closed(self) -> bool:
        return self._reader.done()

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.gather(self._reader, return_exceptions=True)

    def __del__(self) -> None:
        # A reader that ended with ConnectionClosedError has been looked at through clean_close.
        if self._reader.done() and not self._reader.cancelled():
            self._reader.exception()


# ----------------------------------------------------------------------------------------- wire shapes


@dataclass
class Exchange:
    """One response as it came off the wire."""

    operation: str
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class WireLog:
    """Every response a boto3 client received, checked against botocore's model."""

    exchanges: list[Exchange] = field(default_factory=list)
    models: dict[str, OperationModel] = field(default_factory=dict)
    parsed_problems: list[str] = field(default_factory=list)

    def record(self, operation_model: OperationModel, response_dict: dict[str, Any], **_: Any) -> None:
        body = response_dict.get("body", b"")
        self.exchanges.append(
            Exchange(
                operation_model.name,
                int(response_dict["status_code"]),
                {k.lower(): v for k, v in response_dict["headers"].items()},
                body if isinstance(body, bytes) else b"",
            )
        )
        self.models[operation_model.name] = operation_model

    def after_call(self, http_response: Any, parsed: dict[str, Any], model: OperationModel, **_: Any) -> None:
        """botocore's ParamValidator on what boto3 parsed (a second opinion on the output shape)."""
        if http_response.status_code < 300:
            report = botocore_problems(model, parsed)
            if report:
                self.parsed_problems.append(f"{model.name}: {report}")

    def problems(self) -> list[str]:
        found: list[str] = list(self.parsed_problems)
        for exchange in self.exchanges:
            found += [f"{exchange.operation}: {p}" for p in check_exchange(self.models[exchange.operation], exchange)]
        return found

    def assert_valid(self) -> None:
        problems = self.problems()
        assert not problems, "responses that break their shape:\n" + "\n".join(problems)

    def operations(self) -> set[str]:
        return {e.operation for e in self.exchanges if e.status < 300}


def check_exchange(operation: OperationModel, exchange: Exchange) -> list[str]:
    """Problems of one response: output shape (or modeled error shape), strictly no unknown members."""
    problems: list[str] = []
    try:
        body = json.loads(exchange.body) if exchange.body.strip() else {}
    except json.JSONDecodeError:
        return [f"body is not JSON: {exchange.body[:80]!r}"]
    if not isinstance(body, dict):
        return ["body is not a JSON object"]
    if exchange.status >= 300:
        code = exchange.headers.get("x-amzn-errortype", "").split(":")[0]
        shapes = {shape.name: shape for shape in operation.error_shapes}
        if code not in shapes:
            return [f"error {code!r} (HTTP {exchange.status}) is not modeled for the operation"]
        modeled_status = shapes[code].metadata.get("error", {}).get("httpStatusCode")
        if modeled_status and modeled_status != exchange.status:
            problems.append(f"{code} answered with HTTP {exchange.status}, modeled {modeled_status}")
        if not isinstance(body.get("message", body.get("Message")), str):
            problems.append(f"{code} has no message")
        return problems
    shape = operation.output_shape
    if shape is None:
        return [] if not body else [f"unexpected body {body}"]
    assert isinstance(shape, StructureShape)
    value = dict(body)
    for name, member in shape.members.items():
        if member.serialization.get("location") == "header":
            header = exchange.headers.get(member.serialization.get("name", name).lower())
            if header is not None:
                value[name] = header
    problems += validate(shape, value)
    problems += _unknown_members(shape, body, "")
    return problems


def _unknown_members(shape: Shape, value: Any, path: str) -> list[str]:
    if shape.type_name == "structure" and isinstance(value, dict):
        assert isinstance(shape, StructureShape)
        found = [f"unknown member {path}.{k}" for k in value if k not in shape.members]
        for k, v in value.items():
            if k in shape.members:
                found += _unknown_members(shape.members[k], v, f"{path}.{k}")
        return found
    if shape.type_name == "list" and isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _unknown_members(shape.member, v, f"{path}[{i}]")]  # type: ignore[attr-defined]
    if shape.type_name == "map" and isinstance(value, dict):
        return [p for k, v in value.items() for p in _unknown_members(shape.value, v, f"{path}[{k}]")]  # type: ignore[attr-defined]
    return []


def botocore_problems(operation: OperationModel, parsed: dict[str, Any]) -> str:
    """botocore's own ParamValidator run on a parsed response (without ResponseMetadata)."""
    shape = operation.output_shape
    if shape is None:
        return ""
    output = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    report = ParamValidator().validate(output, shape)
    return str(report.generate_report()) if report.has_errors() else ""


@contextmanager
def wire_log(*clients: Any) -> Iterator[WireLog]:
    """Record every response ``clients`` receive while the block runs."""
    log = WireLog()
    for client in clients:
        client.meta.events.register("before-parse.*.*", log.record)
        client.meta.events.register("after-call.*.*", log.after_call)
    try:
        yield log
    finally:
        for client in clients:
            client.meta.events.unregister("before-parse.*.*", log.record)
            client.meta.events.unregister("after-call.*.*", log.after_call)
