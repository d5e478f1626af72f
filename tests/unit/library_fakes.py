"""Test doubles shared by the library's unit tests."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start
        self.wall = datetime(2024, 1, 1, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return self.wall + timedelta(seconds=self.t)

    def advance(self, ms: float) -> None:
        self.t += ms / 1000.0


# ---------------------------------------------------------------------------------------------------------
# A fake Participant Service (boto3-client shaped) and a fake websocket server.
# ---------------------------------------------------------------------------------------------------------

_seq = itertools.count(1)


def client_error(code: str, status: int, operation: str, message: str = "boom") -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": f"req-{code}"},
    }
    return ClientError(response, operation)


def iso(seconds: float) -> str:
    return (datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class FakeParticipantService:
    """Enough of the boto3 connectparticipant client for session tests."""

    def __init__(self, participant_id: str = "p-me", contact_id: str = "c-1") -> None:
        self.participant_id = participant_id
        self.contact_id = contact_id
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.transcript: list[dict[str, Any]] = []
        self.failures: dict[str, list[Exception]] = {}
        self.urls = 0
        self.token_ttl = 3600.0
        self.url_ttl = 3600.0
        self.clock_t = 0.0

    def fail(self, operation: str, *errors: Exception) -> None:
        self.failures.setdefault(operation, []).extend(errors)

    def _maybe_fail(self, operation: str) -> None:
        queue = self.failures.get(operation)
        if queue:
            raise queue.pop(0)

    def _record(self, operation: str, kwargs: dict[str, Any]) -> None:
        self.calls.append((operation, kwargs))
        self._maybe_fail(operation)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def add_item(self, **fields: Any) -> dict[str, Any]:
        n = next(_seq)
        item = {
            "Id": fields.pop("Id", f"i-{n:04d}"),
            "Type": fields.pop("Type", "MESSAGE"),
            "ContentType": fields.pop("ContentType", "text/plain"),
            "AbsoluteTime": fields.pop("AbsoluteTime", iso(n)),
            "ContactId": self.contact_id,
            **fields,
        }
        self.transcript.append(item)
        return item

    # --- operations (boto3 names) ---
    def create_participant_connection(self, **kwargs: Any) -> dict[str, Any]:
        self._record("CreateParticipantConnection", kwargs)
        self.urls += 1
        now = datetime.now(UTC)
        out: dict[str, Any] = {"ResponseMetadata": {"RequestId": "r"}}
        if "WEBSOCKET" in kwargs.get("Type", []):
            out["Websocket"] = {
                "Url": f"wss://fake/connect?X-Amz-Security-Token=ws-secret-{self.urls:04d}",
                "ConnectionExpiry": (now + timedelta(seconds=self.url_ttl)).isoformat(),
            }
        out["ConnectionCredentials"] = {
            "ConnectionToken": f"ct-secret-{self.urls:04d}-abcdef",
            "Expiry": (now + timedelta(seconds=self.token_ttl)).isoformat(),
        }
        return out

    def send_message(self, **kwargs: Any) -> dict[str, Any]:
        self._record("SendMessage", kwargs)
        item = self.add_item(
            Content=kwargs["Content"], ContentType=kwargs["ContentType"], ParticipantId=self.participant_id
        )
        return {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"], "ResponseMetadata": {"RequestId": "r"}}

    def send_event(self, **kwargs: Any) -> dict[str, Any]:
        self._record("SendEvent", kwargs)
        return {"Id": f"e-{next(_seq)}", "AbsoluteTime": iso(0), "ResponseMetadata": {"RequestId": "r"}}

    def get_transcript(self, **kwargs: Any) -> dict[str, Any]:
        self._record("GetTranscript", kwargs)
        items = sorted(self.transcript, key=lambda i: (i["AbsoluteTime"], i["Id"]))
        start = kwargs.get("StartPosition", {}).get("Id")
        if start is not None:
            ids = [i["Id"] for i in items]
            items = items[ids.index(start) :] if start in ids else items
        else:
            items = items[-kwargs.get("MaxResults", 15) :]
        return {"InitialContactId": self.contact_id, "Transcript": items, "ResponseMetadata": {"RequestId": "r"}}

    def start_attachment_upload(self, **kwargs: Any) -> dict[str, Any]:
        self._record("StartAttachmentUpload", kwargs)
        upload = {"Url": "https://fake/upload", "UrlExpiry": iso(60), "HeadersToInclude": {}}
        return {"AttachmentId": f"a-{next(_seq)}", "UploadMetadata": upload, "ResponseMetadata": {"RequestId": "r"}}

    def complete_attachment_upload(self, **kwargs: Any) -> dict[str, Any]:
        self._record("CompleteAttachmentUpload", kwargs)
        return {"ResponseMetadata": {"RequestId": "r"}}

    def disconnect_participant(self, **kwargs: Any) -> dict[str, Any]:
        self._record("DisconnectParticipant", kwargs)
        return {"ResponseMetadata": {"RequestId": "r"}}

    def describe_view(self, **kwargs: Any) -> dict[str, Any]:
        self._record("DescribeView", kwargs)
        return {"View": {"Id": "v"}, "ResponseMetadata": {"RequestId": "r"}}


class FakeSocket:
    """A websocket as the manager sees it, driven by a :class:`FakeServer`."""

    def __init__(self, server: FakeServer, url: str) -> None:
        self.server = server
        self.url = url
        self.inbox: asyncio.Queue[str | None] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.closed = False
        self.close_code: int | None = None

    def __aiter__(self) -> FakeSocket:
        return self

    async def __anext__(self) -> str:
        msg = await self.inbox.get()
        if msg is None:
            self.closed = True
            raise StopAsyncIteration
        return msg

    async def send(self, message: str) -> None:
        if self.closed:
            raise ConnectionError("closed")
        frame = json.loads(message)
        self.sent.append(frame)
        topic = frame.get("topic")
        if topic == "aws/subscribe":
            ok = self.server.subscribe_ok()
            self.push(
                {
                    "topic": "aws/subscribe",
                    "content": {"status": "success" if ok else "failure", "topics": ["aws/chat"]},
                }
            )
        elif topic == "aws/heartbeat" and self.server.answer_heartbeats:
            self.push({"topic": "aws/heartbeat"})
        elif topic == "aws/ping":
            self.push({"topic": "aws/ping", "statusCode": self.server.ping_status})

    def push(self, frame: dict[str, Any]) -> None:
        if not self.closed:
            self.inbox.put_nowait(json.dumps(frame))

    def push_item(self, item: dict[str, Any]) -> None:
        self.push({"topic": "aws/chat", "content": json.dumps(item)})

    def drop(self) -> None:
        self.close_code = 1006
        self.inbox.put_nowait(None)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.close_code = code
        self.closed = True
        self.inbox.put_nowait(None)


class FakeServer:
    """Hands out :class:`FakeSocket`s; tests steer failures."""

    def __init__(self) -> None:
        self.sockets: list[FakeSocket] = []
        self.answer_heartbeats = True
        self.ping_status = 200
        self.subscribe_failures = 0
        self.open_failures: list[Exception] = []

    def subscribe_ok(self) -> bool:
        if self.subscribe_failures > 0:
            self.subscribe_failures -= 1
            return False
        return True

    async def connect(self, url: str, open_timeout: float) -> FakeSocket:
        if self.open_failures:
            raise self.open_failures.pop(0)
        sock = FakeSocket(self, url)
        self.sockets.append(sock)
        return sock

    @property
    def open_sockets(self) -> list[FakeSocket]:
        return [s for s in self.sockets if not s.closed]

    def broadcast(self, item: dict[str, Any]) -> None:
        for sock in self.open_sockets:
            sock.push_item(item)


async def wait_until(predicate: Any, within: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)
