from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connect_chat.connection import ConnectionDetails, Timing, WebSocketManager, fetch_retry_delay, reopen_delay
from connect_chat.errors import AccessDeniedError, ConnectionBrokenError, ServiceValidationError, ThrottlingError
from connect_chat.protocol.frames import ChatFrame
from connect_chat.protocol.items import Item
from connect_chat.protocol.state import Reason, ReasonCode
from tests.unit.library_fakes import FakeServer, wait_until

FAST = Timing(
    heartbeat_interval=0.05,
    subscribe_retry=0.01,
    reopen_base=0.01,
    fetch_retry_base=0.01,
    fetch_retry_max=0.02,
    url_fresh_for=85,
    open_timeout=1,
)


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def on_item(self, item: Item) -> None:
        self.events.append(("item", item.id))

    def on_established(self) -> None:
        self.events.append(("established", None))

    def on_lost(self, reason: Reason) -> None:
        self.events.append(("lost", reason.code))

    def on_broken(self, reason: Reason) -> None:
        self.events.append(("broken", reason.code))

    def on_ended(self, reason: Reason) -> None:
        self.events.append(("ended", reason.code))

    def on_deep_heartbeat(self, ok: bool) -> None:
        self.events.append(("ping", ok))

    def on_details(self, details: ConnectionDetails) -> None:
        self.events.append(("details", details.connection_token))

    def names(self) -> list[str]:
        return [name for name, _ in self.events]


class Fetcher:
    def __init__(self, token_ttl: float = 3600) -> None:
        self.count = 0
        self.errors: list[Exception] = []
        self.token_ttl = token_ttl

    async def __call__(self) -> ConnectionDetails:
        self.count += 1
        if self.errors:
            raise self.errors.pop(0)
        now = datetime.now(UTC)
        return ConnectionDetails(
            url=f"wss://fake/{self.count}",
            connection_token=f"token-{self.count}",
            url_expiry=now + timedelta(hours=1),
            token_expiry=now + timedelta(seconds=self.token_ttl),
            fetched_at=asyncio.get_running_loop().time(),
        )


def make(server: FakeServer, fetcher: Fetcher, rec: Recorder, timing: Timing = FAST) -> WebSocketManager:
    return WebSocketManager(fetcher, rec, timing=timing, connector=server.connect)


async def test_connect_subscribes_and_beats() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    m = make(server, fetcher, rec)
    await m.start()
    sock = server.sockets[0]
    assert [f["topic"] for f in sock.sent[:3]] == ["aws/subscribe", "aws/heartbeat", "aws/ping"]
    assert rec.names()[:2] == ["details", "established"]
    await wait_until(lambda: ("ping", True) in rec.events)
    sock.push_item({"Id": "m1", "Type": "MESSAGE"})
    await wait_until(lambda: ("item", "m1") in rec.events)
    await m.stop()
    assert sock.closed


async def test_subscribe_failures_are_retried() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    server.subscribe_failures = 3
    m = make(server, fetcher, rec)
    await m.start()
    subscribes = [f for f in server.sockets[0].sent if f["topic"] == "aws/subscribe"]
    assert len(subscribes) == 4
    await m.stop()


async def test_five_subscribe_failures_break_the_first_connect() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    server.subscribe_failures = 10**6
    m = make(server, fetcher, rec)
    with pytest.raises(ConnectionBrokenError, match="SubscriptionFailed"):
        await m.start()
    assert len([f for f in server.sockets[0].sent if f["topic"] == "aws/subscribe"]) == 5


async def test_dropped_socket_is_lost_then_reestablished() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    m = make(server, fetcher, rec)
    await m.start()
    server.sockets[0].drop()
    await wait_until(lambda: rec.names().count("established") == 2)
    assert ("lost", ReasonCode.SOCKET_CLOSED) in rec.events
    assert len(server.open_sockets) == 1
    assert fetcher.count == 1  # young URL: reopened without a new fetch
    await m.stop()


async def test_unanswered_heartbeat_means_dead_socket() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    m = make(server, fetcher, rec)
    await m.start()
    server.answer_heartbeats = False
    await wait_until(lambda: ("lost", ReasonCode.HEARTBEAT_TIMEOUT) in rec.events)
    server.answer_heartbeats = True
    await wait_until(lambda: rec.names().count("established") == 2)
    assert server.sockets[0].closed
    await m.stop()


async def test_open_failure_on_old_url_fetches_a_new_one() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    m = WebSocketManager(
        fetcher,
        rec,
        timing=Timing(heartbeat_interval=0.05, subscribe_retry=0.01, reopen_base=0.01, url_fresh_for=0.0),
        connector=server.connect,
    )
    await m.start()
    server.open_failures.append(OSError("refused"))
    server.sockets[0].drop()
    await wait_until(lambda: rec.names().count("established") == 2)
    assert fetcher.count >= 2
    await m.stop()


async def test_403_on_first_fetch_raises_the_access_denied_error() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    fetcher.errors.append(AccessDeniedError("bad token", status_code=403))
    m = make(server, fetcher, rec)
    with pytest.raises(AccessDeniedError):
        await m.start()


async def test_validation_error_on_fetch_is_not_retried() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    fetcher.errors.append(ServiceValidationError("bad", status_code=400))
    m = make(server, fetcher, rec)
    with pytest.raises(ServiceValidationError):
        await m.start()
    assert fetcher.count == 1


async def test_throttling_on_fetch_is_retried() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    fetcher.errors.extend([ThrottlingError("slow down", status_code=429)] * 2)
    m = make(server, fetcher, rec)
    await m.start()
    assert fetcher.count == 3
    await m.stop()


async def test_403_while_recovering_means_the_chat_ended() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    m = WebSocketManager(
        fetcher,
        rec,
        timing=Timing(heartbeat_interval=0.05, subscribe_retry=0.01, reopen_base=0.01, url_fresh_for=0.0),
        connector=server.connect,
    )
    await m.start()
    fetcher.errors.append(AccessDeniedError("ended", status_code=403))
    server.open_failures.append(OSError("refused"))
    server.sockets[0].drop()
    await wait_until(lambda: ("ended", ReasonCode.ACCESS_DENIED) in rec.events)
    assert "broken" not in rec.names()
    await m.stop()


async def test_token_refresh_rotates_to_a_new_socket_without_a_loss() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(token_ttl=1.2), Recorder()
    timing = Timing(heartbeat_interval=0.05, subscribe_retry=0.01, token_refresh_margin=0.1)
    m = WebSocketManager(fetcher, rec, timing=timing, connector=server.connect)
    await m.start()
    await wait_until(lambda: fetcher.count >= 2, within=4)
    await wait_until(lambda: server.sockets[0].closed, within=4)
    assert ("details", "token-2") in rec.events
    assert "lost" not in rec.names()
    assert len(server.open_sockets) == 1
    # an item delivered on both sockets during the overlap reaches the listener (dedupe is the session's job)
    server.broadcast({"Id": "m-after", "Type": "MESSAGE"})
    await wait_until(lambda: ("item", "m-after") in rec.events)
    await m.stop()


async def test_network_offline_waits() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    online = {"value": False}
    m = WebSocketManager(
        fetcher,
        rec,
        timing=Timing(network_poll=0.01),
        connector=server.connect,
        is_network_online=lambda: online["value"],
    )
    task = asyncio.ensure_future(m.start())
    await asyncio.sleep(0.05)
    assert fetcher.count == 0
    online["value"] = True
    await task
    assert fetcher.count == 1
    await m.stop()


def test_backoff_functions() -> None:
    import random

    timing = Timing()
    rng = random.Random(1)
    delays = [reopen_delay(n, timing, rng) for n in range(4)]
    for n, delay in enumerate(delays):
        assert 0.7 * 2**n <= delay <= 1.3 * 2**n
    assert [fetch_retry_delay(n, timing) for n in range(6)] == [2, 4, 8, 16, 30, 30]


class SlowFetcher(Fetcher):
    def __init__(self, token_ttl: float, delay: float) -> None:
        super().__init__(token_ttl)
        self.delay = delay

    async def __call__(self) -> ConnectionDetails:
        if self.count >= 1:
            await asyncio.sleep(self.delay)
        return await super().__call__()


async def test_a_slow_refresh_does_not_pause_heartbeats() -> None:
    server, fetcher, rec = FakeServer(), SlowFetcher(token_ttl=1.1, delay=5.0), Recorder()
    timing = Timing(heartbeat_interval=0.05, subscribe_retry=0.01, token_refresh_margin=0.1, reopen_base=0.01)
    m = WebSocketManager(fetcher, rec, timing=timing, connector=server.connect)
    await m.start()
    await wait_until(lambda: fetcher.count >= 1 and fetcher.count < 2, within=2)
    await asyncio.sleep(1.2)  # the refresh is now in flight (sleeping)
    server.answer_heartbeats = False
    await wait_until(lambda: ("lost", ReasonCode.HEARTBEAT_TIMEOUT) in rec.events, within=2)
    await m.stop()


async def test_403_on_a_background_refresh_ends_the_chat() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(token_ttl=1.1), Recorder()
    timing = Timing(heartbeat_interval=0.05, subscribe_retry=0.01, token_refresh_margin=0.1)
    m = WebSocketManager(fetcher, rec, timing=timing, connector=server.connect)
    await m.start()
    fetcher.errors.append(AccessDeniedError("ended", status_code=403))
    await wait_until(lambda: ("ended", ReasonCode.ACCESS_DENIED) in rec.events, within=4)
    assert "lost" not in rec.names()
    await m.stop()
    assert not server.open_sockets


class FrameRecorder(Recorder):
    """A listener that takes whole chat frames, and fails on one item."""

    def on_chat_frame(self, frame: ChatFrame) -> None:
        if frame.item.id == "bad":
            raise ValueError("a bug in the listener")
        self.events.append(("frame", (frame.item.id, dict(frame.raw))))


async def test_a_listener_may_take_whole_frames_and_its_failures_do_not_close_the_socket() -> None:
    server, fetcher, rec = FakeServer(), Fetcher(), FrameRecorder()
    m = make(server, fetcher, rec)
    await m.start()
    sock = server.sockets[0]
    for item_id in ("m1", "bad", "m2"):
        sock.push_item({"Id": item_id, "Type": "MESSAGE", "Custom": 1})
    await wait_until(lambda: ("frame", ("m2", {"Id": "m2", "Type": "MESSAGE", "Custom": 1})) in rec.events)
    assert [e for e in rec.events if e[0] in ("frame", "item")] == [
        ("frame", ("m1", {"Id": "m1", "Type": "MESSAGE", "Custom": 1})),
        ("frame", ("m2", {"Id": "m2", "Type": "MESSAGE", "Custom": 1})),
    ]
    assert not sock.closed
    assert rec.names().count("established") == 1
    await m.stop()


async def test_the_messages_metric_is_one_line_per_heartbeat_not_per_frame() -> None:
    from connect_chat.metrics import MetricsRecorder

    lines: list[str] = []
    server, fetcher, rec = FakeServer(), Fetcher(), Recorder()
    m = WebSocketManager(
        fetcher,
        rec,
        timing=Timing(heartbeat_interval=60, subscribe_retry=0.01, open_timeout=1),
        connector=server.connect,
        metrics=MetricsRecorder(sink=lines.append, enabled=True),
    )
    await m.start()
    for n in range(50):
        server.sockets[0].push_item({"Id": f"m{n}", "Type": "MESSAGE"})
    await wait_until(lambda: ("item", "m49") in rec.events)
    assert not [line for line in lines if "WebSocketMessages" in line]
    await m.stop()
    [counted] = [json.loads(line) for line in lines if "WebSocketMessages" in line]
    assert counted["WebSocketMessages"] == [50.0]
