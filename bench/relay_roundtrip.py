"""The whole relay path on ``python -m local``: browser frame → gateway → Lambda → Connect → SNS → browser.

For ``--chats`` concurrent chats, each sending ``--messages`` messages one after the other, it measures
- the ack latency (sendMessage frame → ``ack``: gateway, message Lambda, SendMessage), and
- the streamed-echo latency (sendMessage frame → the customer's own message back as an ``item``: streaming
  to SNS, SNS delivery, the stream Lambda, PostToConnection).
The simulated agent is off so that only the relay is measured.

``python -m bench.relay_roundtrip [--chats 10] [--messages 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import websockets

from bench.stats import describe_ms
from local.process import LocalStackProcess, run_local_stack


async def _chat(stack: LocalStackProcess, messages: int, acks: list[float], echoes: list[float]) -> None:
    async with websockets.connect(stack.websocket_url, origin=stack.http_url) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"action": "startChat", "displayName": "Bench"}))
        while json.loads(await ws.recv())["type"] != "chatStarted":
            pass
        for number in range(messages):
            request_id = f"m{number}"
            sent_at = time.perf_counter()
            await ws.send(json.dumps({"action": "sendMessage", "content": f"bench {number}", "requestId": request_id}))
            acked = echoed = False
            while not (acked and echoed):
                frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if frame["type"] == "ack" and frame.get("requestId") == request_id:
                    acks.append(time.perf_counter() - sent_at)
                    acked = True
                elif frame["type"] == "item" and frame["item"].get("Content") == f"bench {number}" and not echoed:
                    echoes.append(time.perf_counter() - sent_at)
                    echoed = True


async def _report_progress(total: int, acks: list[float]) -> None:
    while True:
        await asyncio.sleep(2)
        print(f"  … {len(acks)} of {total} messages acknowledged", flush=True)


async def _run(stack: LocalStackProcess, chats: int, messages: int) -> None:
    acks: list[float] = []
    echoes: list[float] = []
    print(f"relay round trip on the local stack: {chats} chats x {messages} messages (agent off)", flush=True)
    progress = asyncio.create_task(_report_progress(chats * messages, acks))
    started = time.perf_counter()
    try:
        await asyncio.gather(*(_chat(stack, messages, acks, echoes) for _ in range(chats)))
    finally:
        progress.cancel()
    elapsed = time.perf_counter() - started
    print(
        f"relay round trip: {chats} chats x {messages} messages in {elapsed:.2f} s "
        f"({chats * messages / elapsed:.1f} messages/s end to end)"
    )
    print(describe_ms("sendMessage -> ack", acks))
    print(describe_ms("sendMessage -> streamed item back", echoes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=10)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()
    print("  … starting the local stack", flush=True)
    with run_local_stack({"LOCAL_AGENT": "off"}) as stack:
        asyncio.run(_run(stack, args.chats, args.messages))


if __name__ == "__main__":
    main()
