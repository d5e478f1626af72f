"""connect_chat beside amazon-connect-chatjs 5.0.0: the same recorded websocket frames, CPU time per frame.

For each chat size (default 1,000, 10,000 and 100,000 items) the frames of :mod:`bench.chat_frames` go
- through connect_chat: a customer ``ChatSession`` connected (``connect()``) through its websocket manager to a
  socket that plays the recorded frames: decode, de-duplication, the transcript, events to sync handlers
  (message, typing, read and delivered receipts), delivered receipts queued;
- through amazon-connect-chatjs under Node 20 (``bench/chatjs_driver.js``): a customer session connected
  through ChatJS's own websocket manager to a fake ``WebSocket`` playing the same frames, the same handlers.

"plain" has no transcript listener. "live" adds one: ``on_transcript_updated`` here, ``onTranscriptUpdated``
there, which switches on ChatJS 5's internal transcript (``transcriptUpdateEnabled``).

CPU time (``time.process_time``; ``process.cpuUsage`` in Node) over the whole chat, divided by its frames.
The runs alternate between the two sides (one Node process serves them all), so both see the same load on a
shared machine; each figure is the median of its runs and the ratio the median of the pairs' ratios. Node
first runs 10,000 frames per mode so that V8 has optimised the code it measures. Nothing is asserted.

``python -m bench.chatjs_compare [--sizes 1000,10000,100000] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.chat_frames import CONTACT_ID, CUSTOMER_ID, chat_frames
from connect_chat import ChatSession, MetricsRecorder

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "bench" / "chatjs_driver.js"
CHATJS = ROOT / "node_modules" / "amazon-connect-chatjs" / "package.json"

_SUBSCRIBED = '{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}'
_ANSWERS = {
    "aws/subscribe": _SUBSCRIBED,
    "aws/heartbeat": '{"topic":"aws/heartbeat"}',
    "aws/ping": '{"topic":"aws/ping","statusCode":200}',
}


class _ParticipantService:
    """The two Participant Service calls a connected session makes here (boto3 client shape)."""

    def create_participant_connection(self, **_: Any) -> dict[str, Any]:
        expiry = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        return {
            "Websocket": {"Url": "wss://recorded.invalid/", "ConnectionExpiry": expiry},
            "ConnectionCredentials": {"ConnectionToken": "connection-token", "Expiry": expiry},
            "ResponseMetadata": {"RequestId": "bench"},
        }

    def send_event(self, **_: Any) -> dict[str, Any]:
        return {"Id": "receipt", "AbsoluteTime": "2026-11-27T09:00:00.000Z", "ResponseMetadata": {"RequestId": "b"}}


class _RecordedSocket:
    """A websocket that answers subscribe/heartbeat/ping and plays recorded frames when told to."""

    def __init__(self) -> None:
        self.inbox: collections.deque[str] = collections.deque()
        self.wakeup = asyncio.Event()
        self.drained: asyncio.Future[None] | None = None
        self.closed = False

    async def connect(self, url: str, open_timeout: float) -> _RecordedSocket:
        return self

    def __aiter__(self) -> _RecordedSocket:
        return self

    async def __anext__(self) -> str:
        while not self.inbox:
            if self.drained is not None and not self.drained.done():
                self.drained.set_result(None)
            if self.closed:
                raise StopAsyncIteration
            self.wakeup.clear()
            await self.wakeup.wait()
        return self.inbox.popleft()

    async def send(self, message: str) -> None:
        answer = _ANSWERS.get(json.loads(message).get("topic"))
        if answer is not None:
            self.inbox.append(answer)
            self.wakeup.set()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = True
        self.wakeup.set()

    async def play(self, frames: list[str]) -> None:
        self.drained = asyncio.get_running_loop().create_future()
        self.inbox.extend(frames)
        self.wakeup.set()
        await self.drained


async def _connect_chat_run(frames: list[str], live: bool) -> float:
    socket = _RecordedSocket()
    session = ChatSession.create(
        {"ContactId": CONTACT_ID, "ParticipantId": CUSTOMER_ID, "ParticipantToken": "participant-token"},
        client=_ParticipantService(),  # type: ignore[arg-type]
        websocket_connector=socket.connect,
        metrics=MetricsRecorder(sink=lambda line: None),
    )
    handled = 0

    def handle(event: dict[str, Any]) -> None:
        nonlocal handled
        handled += 1

    for subscribe in (session.on_message, session.on_typing, session.on_read_receipt, session.on_delivered_receipt):
        subscribe(handle)
    if live:
        session.on_transcript_updated(handle)
    await session.connect()
    started = time.process_time()
    await socket.play(frames)
    used = time.process_time() - started
    await session.close()
    if not handled:
        raise RuntimeError("no event reached a handler")
    return used / len(frames) * 1e6


def connect_chat_us_per_frame(frames: list[str], live: bool) -> float:
    """CPU µs per frame through a connected connect_chat session (one run, from a collected heap)."""
    gc.collect()  # earlier runs' garbage is not this run's to collect (V8 collects it in the background)
    return asyncio.run(_connect_chat_run(frames, live))


class ChatJS:
    """amazon-connect-chatjs in one Node process (``bench/chatjs_driver.js serve``), asked for one run at a time.

    Keeping one process lets the runs alternate with connect_chat's, so both sides see the same load.
    """

    def __init__(self, frames_file: Path) -> None:
        self.process = subprocess.Popen(
            ["node", str(DRIVER), str(frames_file), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def us_per_frame(self, count: int, live: bool) -> float:
        """CPU µs per frame for one run of ``count`` frames."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(f"{count} {'live' if live else 'plain'}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            error = self.process.stderr.read() if self.process.stderr is not None else ""
            raise RuntimeError(f"the ChatJS driver stopped: {error.strip()[-2000:]}")
        return float(json.loads(line)["us_per_frame"])

    def close(self) -> None:
        """End the Node process."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def chatjs_missing() -> str | None:
    """Why the ChatJS side cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed (Node 20)"
    if not CHATJS.exists():
        return "amazon-connect-chatjs is not installed: run `npm ci`"
    return None


def _repeats_for(size: int, repeats: int) -> int:
    if size <= 1000:
        return repeats * 3  # short runs: more of them
    return repeats if size <= 10_000 else max(3, repeats // 2 + 1)


@dataclass(frozen=True)
class Row:
    """One line of the results: medians in CPU µs per frame, and the median of the paired ratios."""

    size: int
    live: bool
    ours: float
    theirs: float | None
    ratio: float | None


def _without_cycle_collector_us_per_frame(frames: list[str], live: bool) -> float:
    """As :func:`connect_chat_us_per_frame` with Python's cyclic garbage collector paused: what the library's
    own work costs, apart from the collections its growing transcript triggers in a large heap."""
    gc.collect()
    gc.disable()
    try:
        return asyncio.run(_connect_chat_run(frames, live))
    finally:
        gc.enable()


def _measure(frames: list[str], size: int, live: bool, repeats: int, chatjs: ChatJS | None) -> Row:
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(repeats):  # alternate, so that a burst of load on the machine hits every side alike
        ours.append(connect_chat_us_per_frame(frames[:size], live))
        if chatjs is not None:
            theirs.append(chatjs.us_per_frame(size, live))
        print(".", end="", flush=True)
    return Row(
        size=size,
        live=live,
        ours=statistics.median(ours),
        theirs=statistics.median(theirs) if theirs else None,
        ratio=statistics.median(o / t for o, t in zip(ours, theirs, strict=True)) if theirs else None,
    )


def _us(value: float | None) -> str:
    return f"{value:10.1f} µs" if value is not None else f"{'-':>13}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="chat sizes in items (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per figure at 10,000 items (default: 5)")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    missing = chatjs_missing()
    frames = chat_frames(max(sizes))
    print(f"connect_chat (Python {sys.version.split()[0]})")
    print("vs amazon-connect-chatjs 5.0.0 (Node): CPU µs per frame, medians of alternating runs")
    if missing:
        print(f"  the ChatJS side is skipped: {missing}")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        frames_file = Path(folder) / "frames.jsonl"
        frames_file.write_text("\n".join(frames))
        chatjs = None if missing else ChatJS(frames_file)
        try:
            for live in (False, True):
                connect_chat_us_per_frame(frames[:2000], live)  # warm-up, as the Node side warms up
                for size in sizes:
                    repeats = _repeats_for(size, args.repeats)
                    label = f"{size:>7,} items, {'live transcript' if live else 'no transcript listener'}"
                    print(f"  {label}: {repeats} runs each ", end="", flush=True)
                    row = _measure(frames, size, live, repeats, chatjs)
                    rows.append(row)
                    print(f" connect_chat {row.ours:.1f} µs" + (f", chatjs {row.theirs:.1f} µs" if row.theirs else ""))
            largest = sizes[-1]
            print(f"  {largest:>7,} items, live transcript, Python's cyclic GC paused: ", end="", flush=True)
            paused = statistics.median(
                _without_cycle_collector_us_per_frame(frames[:largest], True)
                for _ in range(_repeats_for(largest, args.repeats))
            )
            print(f"connect_chat {paused:.1f} µs")
        finally:
            if chatjs is not None:
                chatjs.close()
    print()
    header = f"{'items':>9}  {'transcript listener':<20} {'connect_chat':>13} {'chatjs 5.0.0':>13} {'ratio':>7}"
    print(header)
    for row in sorted(rows, key=lambda row: (row.size, row.live)):
        ratio = f"{row.ratio:6.2f}x" if row.ratio is not None else f"{'-':>7}"
        print(f"{row.size:>9,}  {'yes' if row.live else 'no':<20} {_us(row.ours)} {_us(row.theirs)} {ratio}")
    note = "(connect_chat's own work, without the collections CPython runs as the heap grows)"
    print(f"{sizes[-1]:>9,}  {'yes, GC paused':<20} {_us(paused)}  {note}")


if __name__ == "__main__":
    main()
