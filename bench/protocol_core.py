"""The library's sans-I/O core: decoding websocket frames into items, and keeping a transcript ordered.

``python -m bench.protocol_core``
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from connect_chat.protocol.frames import decode_frame
from connect_chat.protocol.items import Item
from connect_chat.transcript import Transcript

FRAMES = 20_000
ITEMS = 5_000


def _item(index: int, start: datetime) -> dict[str, object]:
    moment = start + timedelta(milliseconds=index)
    return {
        "Id": str(uuid.UUID(int=index)),
        "Type": "MESSAGE",
        "ContentType": "text/plain",
        "Content": f"message number {index}",
        "ParticipantId": "agent-1" if index % 2 else "customer-1",
        "DisplayName": "Agent" if index % 2 else "Ana",
        "ParticipantRole": "AGENT" if index % 2 else "CUSTOMER",
        "AbsoluteTime": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
        "ContactId": "contact-1",
        "InitialContactId": "contact-1",
    }


def _timed(name: str, count: int, work: Callable[[], object]) -> None:
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    print(
        f"{name:<46} {count:>6} in {elapsed * 1000:8.1f} ms   {count / elapsed:>10,.0f}/s   "
        f"{elapsed / count * 1e6:7.2f} µs each"
    )


def main() -> None:
    start = datetime(2026, 11, 26, tzinfo=UTC)
    raw_items = [_item(i, start) for i in range(FRAMES)]
    frames = [json.dumps({"topic": "aws/chat", "content": json.dumps(item)}) for item in raw_items]

    def decode_all() -> list[object]:
        return [decode_frame(frame) for frame in frames]

    _timed("decode aws/chat frames into items", FRAMES, decode_all)

    items = [Item.from_dict(raw) for raw in raw_items[:ITEMS]]
    delivered = items + random.Random(7).sample(items, ITEMS // 5)  # at-least-once: 20 % duplicates
    random.Random(11).shuffle(delivered)

    def order_all() -> Transcript:
        transcript = Transcript(self_participant_id="customer-1")
        for item in delivered:
            transcript.add_many([item])
        assert [entry.id for entry in transcript.entries()] == [item.id for item in items]
        return transcript

    _timed("transcript: add shuffled items with duplicates", len(delivered), order_all)


if __name__ == "__main__":
    main()
