"""A flood of chat starts from one address, beside customers chatting from others, through the local stack.

``python -m bench.flood`` starts ``python -m local`` (simulated agent off) with small chat budgets and measures
the customers' ``sendMessage`` → ``ack`` latency twice: alone, then while one address opens connections in a
loop and sends ``startChat`` on each. It prints both medians and their ratio (the target is ≤ 1.2), and what the
flood achieved: how many of its starts were refused, and how many contacts it made in the emulator (its budget,
never the instance's quota). Each client binds its own loopback address (127.0.0.x), which the local gateway
reports as the source IP, as API Gateway does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections import Counter
from typing import Any

import websockets
from websockets.typing import Origin

from bench.stats import describe_ms
from common import contract
from local.process import LocalStackProcess, run_local_stack

FLOOD_ADDRESS = "127.0.0.1"
#: The budgets the bench runs with: a flood spends them at once.
BUDGETS = {
    contract.ENV_CHAT_STARTS_PER_IP: "5",
    contract.ENV_ACTIVE_CHATS_PER_IP: "2",
    contract.ENV_ACTIVE_CHAT_CAP: "50",
}


async def _until(ws: Any, predicate: Any, within: float = 30) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), within))
        if predicate(frame):
            return frame


async def customer(stack: LocalStackProcess, address: str, messages: int, acks: list[float]) -> None:
    """One customer from ``address``: start a chat, send ``messages`` one after the other."""
    async with websockets.connect(stack.websocket_url, origin=Origin(stack.http_url), local_addr=(address, 0)) as ws:
        await ws.send(json.dumps({"action": "startChat", "displayName": f"Customer {address}", "requestId": "s"}))
        started = await _until(ws, lambda f: f.get("requestId") == "s")
        if started["type"] != "chatStarted":
            raise RuntimeError(f"{address} could not start: {started}")
        for number in range(messages):
            request_id = f"m{number}"
            sent_at = time.perf_counter()
            await ws.send(json.dumps({"action": "sendMessage", "content": f"hello {number}", "requestId": request_id}))
            await _until(ws, lambda f, r=request_id: f.get("requestId") == r)
            acks.append(time.perf_counter() - sent_at)
        await ws.send(json.dumps({"action": "endChat"}))


async def flood(stack: LocalStackProcess, stop: asyncio.Event, answers: Counter[str]) -> None:
    """One attacker loop: a new connection, a startChat, the answer, again."""
    number = 0
    while not stop.is_set():
        number += 1
        try:
            async with websockets.connect(
                stack.websocket_url, origin=Origin(stack.http_url), local_addr=(FLOOD_ADDRESS, 0)
            ) as ws:
                await ws.send(json.dumps({"action": "startChat", "displayName": "Bot", "requestId": f"f{number}"}))
                answer = await _until(ws, lambda f: f.get("requestId", "").startswith("f"), within=10)
                answers[answer.get("code") or answer["type"]] += 1
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
            answers["connection failed"] += 1


async def customers(stack: LocalStackProcess, count: int, messages: int, subnet: int) -> list[float]:
    """``count`` customers, each from its own address in ``127.<subnet>.0.0/16`` (each with its own budget)."""
    acks: list[float] = []
    await asyncio.gather(*(customer(stack, f"127.{subnet}.0.{10 + n}", messages, acks) for n in range(count)))
    return acks


async def run(stack: LocalStackProcess, count: int, messages: int, flooders: int, rounds: int) -> None:
    alone: list[float] = []
    flooded: list[float] = []
    answers: Counter[str] = Counter()
    contacts = 0
    for number in range(1, rounds + 1):
        print(f"  … round {number}: {count} customers alone, {messages} messages each", flush=True)
        alone += await customers(stack, count, messages, 2 * number)
        before = len(stack.control("GET", "/contacts")["Contacts"])
        print(f"  … round {number}: the same with {flooders} loop(s) starting chats from {FLOOD_ADDRESS}", flush=True)
        stop = asyncio.Event()
        loops = [asyncio.create_task(flood(stack, stop, answers)) for _ in range(flooders)]
        await asyncio.sleep(1)
        flooded += await customers(stack, count, messages, 2 * number + 1)
        stop.set()
        await asyncio.gather(*loops)
        contacts += len(stack.control("GET", "/contacts")["Contacts"]) - before - count
    print(describe_ms("sendMessage -> ack, alone", alone))
    print(describe_ms("sendMessage -> ack, during the flood", flooded))
    ratio = statistics.median(flooded) / statistics.median(alone)
    print(f"  ack p50 during the flood / alone: {ratio:.2f} (target ≤ 1.20)")
    started = answers.get("chatStarted", 0)
    print(
        f"  the flood: {sum(answers.values())} starts, {started} chats started, answers {dict(answers)}; "
        f"{contacts} contacts made in Connect (its budget: {BUDGETS['CHAT_STARTS_PER_IP']} per window, "
        f"{BUDGETS['ACTIVE_CHATS_PER_IP']} open at once)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.flood", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=5, help="customers chatting (default 5)")
    parser.add_argument("--messages", type=int, default=20, help="messages per customer (default 20)")
    parser.add_argument("--flooders", type=int, default=1, help="concurrent attacker loops (default 1)")
    parser.add_argument("--rounds", type=int, default=3, help="alone / flooded rounds, alternated (default 3)")
    args = parser.parse_args()
    print("a flood of chat starts from one address (local stack, agent off)", flush=True)
    with run_local_stack({"LOCAL_AGENT": "off", **BUDGETS}) as stack:
        asyncio.run(run(stack, args.customers, args.messages, args.flooders, args.rounds))


if __name__ == "__main__":
    main()
