"""The library's sans-I/O core: decoding frames into items, and keeping a transcript ordered.

- parse: 12,000 ``aws/chat`` frames (10,000 messages, 20 % of them delivered twice) decoded into items;
- build: a 10,000-entry transcript from those 12,000 already-parsed items, shuffled (at-least-once delivery
  out of order), then the whole list read once;
- add: one more item into a transcript of 1,000 / 10,000 / 100,000 entries (an item arriving in order, and
  one arriving late that lands in the middle).

CPU time (``time.process_time``), several runs, medians. Printed, never asserted.

``python -m bench.protocol_core [--repeats 7]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from connect_chat.protocol.frames import ChatFrame, decode_frame
from connect_chat.protocol.items import Item
from connect_chat.transcript import Transcript

ITEMS = 10_000
DUPLICATES = ITEMS // 5
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _item(index: int) -> dict[str, Any]:
    moment = START + timedelta(milliseconds=700 * index)
    return {
        "AbsoluteTime": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
        "Content": f"message number {index}: the order has shipped and should arrive tomorrow",
        "ContentType": "text/plain",
        "Id": str(uuid.UUID(int=index + 1, version=4)),
        "Type": "MESSAGE",
        "ParticipantId": "agent-1" if index % 2 else "customer-1",
        "DisplayName": "Sam" if index % 2 else "Ana",
        "ParticipantRole": "AGENT" if index % 2 else "CUSTOMER",
        "ContactId": "contact-1",
        "InitialContactId": "contact-1",
    }


def _cpu_ms(work: Callable[[], object], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        started = time.process_time()
        work()
        runs.append((time.process_time() - started) * 1000)
    return statistics.median(runs)


def _transcript(count: int) -> tuple[Transcript, list[Item]]:
    items = [Item.from_dict(_item(2 * n)) for n in range(count)]  # even slots: room for late arrivals
    transcript = Transcript(self_participant_id="customer-1")
    transcript.add_many(items)
    return transcript, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="runs per figure (default: %(default)s)")
    args = parser.parse_args()
    raw = [_item(n) for n in range(ITEMS)]
    rng = random.Random(27)
    delivered_raw = raw + rng.sample(raw, DUPLICATES)
    rng.shuffle(delivered_raw)
    frames = [
        json.dumps({"topic": "aws/chat", "contentType": "application/json", "content": json.dumps(item)})
        for item in delivered_raw
    ]
    print(f"protocol core: CPU time, median of {args.repeats} runs")

    print(f"  parsing {len(frames):,} aws/chat frames ...", flush=True)
    parse_ms = _cpu_ms(lambda: [decode_frame(frame) for frame in frames], args.repeats)
    parsed = [decode_frame(frame) for frame in frames]
    delivered = [frame.item for frame in parsed if isinstance(frame, ChatFrame)]
    expected = [item.id for item in sorted({item.id: item for item in delivered}.values(), key=Item.sort_key)]

    def build() -> Transcript:
        transcript = Transcript(self_participant_id="customer-1")
        for item in delivered:
            transcript.add(item)
        if [entry.id for entry in transcript.entries()] != expected:
            raise RuntimeError("the transcript is out of order")
        return transcript

    print(f"  building a {ITEMS:,}-entry transcript from {len(delivered):,} shuffled items ...", flush=True)
    build_ms = _cpu_ms(build, args.repeats)

    add_rows = []
    for size in (1_000, 10_000, 100_000):
        print(f"  adding to a {size:,}-entry transcript ...", flush=True)
        transcript, _items = _transcript(size)
        in_order = [Item.from_dict(_item(2 * size + 2 * n)) for n in range(1000)]
        late = [Item.from_dict(_item(2 * rng.randrange(size) + 1)) for _ in range(1000)]
        late = list({item.id: item for item in late}.values())

        def append(transcript: Transcript = transcript, batch: list[Item] = in_order) -> None:
            for item in batch:
                transcript.add(item)
            for item in batch:
                transcript.remove(item.id)

        def insert(transcript: Transcript = transcript, batch: list[Item] = late) -> None:
            for item in batch:
                transcript.add(item)
            for item in batch:
                transcript.remove(item.id)

        add_rows.append(
            (
                size,
                _cpu_ms(append, args.repeats) * 1000 / (2 * len(in_order)),
                _cpu_ms(insert, args.repeats) * 1000 / (2 * len(late)),
            )
        )

    print()
    each = parse_ms * 1000 / len(frames)
    print(f"parse {len(frames):,} aws/chat frames into items: {parse_ms:.1f} ms ({each:.2f} µs each)")
    print(
        f"build a {ITEMS:,}-entry transcript from {len(delivered):,} parsed, shuffled items (20 % duplicates):"
        f" {build_ms:.1f} ms (target ≤ 50 ms)"
    )
    for size, appended, inserted in add_rows:
        print(
            f"one item into a {size:,}-entry transcript: {appended:.2f} µs in order,"
            f" {inserted:.2f} µs arriving late (mean of an add and a remove)"
        )


if __name__ == "__main__":
    main()
