"""A long run through the whole local stack: nothing lost, nothing twice, in order, memory flat, and how fast.

``python -m bench.soak`` (what ``make soak`` runs) starts ``python -m local`` and, with the simulated agent on,
runs ``--chats`` chats (``--concurrency`` at a time), each sending ``--messages`` messages one after the other
through the relay. It checks that every message was acknowledged once, streamed back once and in order, and is
in the emulator's transcript once, and compares the summed RSS of the stack's processes at the end with the
RSS after the first 10 chats. Then, with the agent off, it measures how many customer messages per second the
stack acknowledges and streams back. Figures are printed, never asserted; a broken guarantee is printed as a
FAIL line and the exit status is 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

from bench.stats import describe_ms
from local.process import LocalStackProcess, run_local_stack


@dataclass
class ChatLog:
    """What one chat saw: acks and echoes per message, the order echoes came in, items streamed."""

    contact_id: str = ""
    sent: list[str] = field(default_factory=list)
    acks: Counter[str] = field(default_factory=Counter)
    echoes: Counter[str] = field(default_factory=Counter)
    echo_order: list[str] = field(default_factory=list)
    items: int = 0
    ack_latency: list[float] = field(default_factory=list)
    echo_latency: list[float] = field(default_factory=list)


def rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (from /proc)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        for task in Path(f"/proc/{current}/task").iterdir():
            try:
                children = (task / "children").read_text().split()
            except OSError:  # the thread ended while we looked
                continue
            pending.extend(int(child) for child in children)
    return total


async def run_chat(stack: LocalStackProcess, number: int, messages: int) -> ChatLog:
    log = ChatLog()
    async with websockets.connect(stack.websocket_url, origin=stack.http_url, max_size=None) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"action": "startChat", "displayName": f"Soak {number}", "requestId": "start"}))
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if frame["type"] == "chatStarted":
                log.contact_id = frame["contactId"]
                break
            if frame["type"] == "error":
                raise RuntimeError(f"chat {number} could not start: {frame}")
        for index in range(messages):
            text = f"soak {number}.{index}"
            log.sent.append(text)
            sent_at = time.perf_counter()
            await ws.send(json.dumps({"action": "sendMessage", "content": text, "requestId": f"m{index}"}))
            while not (log.acks[text] and log.echoes[text]):
                frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if frame["type"] == "ack" and frame.get("requestId") == f"m{index}":
                    log.acks[text] += 1
                    log.ack_latency.append(time.perf_counter() - sent_at)
                elif frame["type"] == "item":
                    log.items += 1
                    item = frame["item"]
                    if item.get("ParticipantRole") == "CUSTOMER" and item.get("Type") == "MESSAGE":
                        content = item.get("Content", "")
                        if not log.echoes[content]:
                            log.echo_order.append(content)
                        log.echoes[content] += 1
                        if content == text:
                            log.echo_latency.append(time.perf_counter() - sent_at)
                elif frame["type"] == "error":
                    raise RuntimeError(f"chat {number}: {frame}")
        await ws.send(json.dumps({"action": "endChat", "requestId": "end"}))
        await asyncio.sleep(0.2)
    return log


async def run_chats(
    stack: LocalStackProcess, chats: int, messages: int, concurrency: int, on_done: Any
) -> list[ChatLog]:
    gate = asyncio.Semaphore(concurrency)
    logs: list[ChatLog] = []

    async def one(number: int) -> None:
        async with gate:
            logs.append(await run_chat(stack, number, messages))
            on_done(len(logs))

    await asyncio.gather(*(one(n) for n in range(chats)))
    return logs


def check(stack: LocalStackProcess, logs: list[ChatLog]) -> list[str]:
    """Every broken guarantee, one line each."""
    failures = []
    for log in logs:
        lost = [t for t in log.sent if log.acks[t] != 1]
        if lost:
            failures.append(f"{log.contact_id}: {len(lost)} messages not acknowledged exactly once")
        unechoed = [t for t in log.sent if log.echoes[t] < 1]
        if unechoed:
            failures.append(f"{log.contact_id}: {len(unechoed)} messages never streamed back")
        if [t for t in log.echo_order if t in set(log.sent)] != log.sent:
            failures.append(f"{log.contact_id}: messages streamed back out of order")
        transcript = stack.control("GET", f"/contacts/{log.contact_id}")["Transcript"]
        stored = Counter(
            i.get("Content") for i in transcript if i["Type"] == "MESSAGE" and i["ParticipantRole"] == "CUSTOMER"
        )
        wrong = [t for t in log.sent if stored[t] != 1]
        if wrong:
            failures.append(f"{log.contact_id}: {len(wrong)} messages not in the transcript exactly once")
    return failures


async def soak(args: argparse.Namespace) -> int:
    print(f"soak: {args.chats} chats x {args.messages} messages, {args.concurrency} at a time, agent on", flush=True)
    with run_local_stack({"LOCAL_AGENT": "on"}) as stack:
        baseline: list[int] = []

        def progress(done: int) -> None:
            if done == 10:
                baseline.append(rss_kib(stack.process.pid))
            if done % 10 == 0:
                print(f"  … {done} chats done, stack RSS {rss_kib(stack.process.pid) / 1024:.0f} MiB", flush=True)

        started = time.perf_counter()
        logs = await run_chats(stack, args.chats, args.messages, args.concurrency, progress)
        elapsed = time.perf_counter() - started
        final = rss_kib(stack.process.pid)
        failures = check(stack, logs)
    total = sum(len(log.sent) for log in logs)
    items = sum(log.items for log in logs)
    duplicates = sum(n - 1 for log in logs for n in log.echoes.values() if n > 1)
    print(
        f"  {total} messages in {elapsed:.1f} s: {total / elapsed:.1f} customer messages/s acked and echoed, "
        f"{items / elapsed:.1f} items streamed/s (agent on)"
    )
    print(f"  items streamed to a client more than once (at least once; clients deduplicate on Id): {duplicates}")
    if baseline:
        print(
            f"  stack RSS after 10 chats {baseline[0] / 1024:.0f} MiB, at the end {final / 1024:.0f} MiB: "
            f"ratio {final / baseline[0]:.2f} (target ≤ 1.5)"
        )
    print(describe_ms("sendMessage -> ack", [s for log in logs for s in log.ack_latency]))
    print(describe_ms("sendMessage -> streamed item back", [s for log in logs for s in log.echo_latency]))

    print(f"throughput: {args.throughput_chats} chats x {args.messages} messages, agent off", flush=True)
    with run_local_stack({"LOCAL_AGENT": "off"}) as stack:
        started = time.perf_counter()
        quick = await run_chats(stack, args.throughput_chats, args.messages, args.throughput_chats, lambda _: None)
        elapsed = time.perf_counter() - started
        failures += check(stack, quick)
    total = sum(len(log.sent) for log in quick)
    print(
        f"  {total} messages in {elapsed:.1f} s: {total / elapsed:.1f} customer messages/s acked and echoed "
        "(target ≥ 30)"
    )
    print(describe_ms("sendMessage -> ack", [s for log in quick for s in log.ack_latency]))
    for line in failures:
        print(f"FAIL {line}")
    print("soak: every message acked once, streamed back in order, stored once" if not failures else "soak: FAILED")
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=200, help="chats in the long run (default 200)")
    parser.add_argument("--messages", type=int, default=50, help="messages per chat (default 50)")
    parser.add_argument("--concurrency", type=int, default=20, help="chats at a time (default 20)")
    parser.add_argument("--throughput-chats", type=int, default=20, help="chats at once, agent off (default 20)")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(soak(args)))


if __name__ == "__main__":
    main()
