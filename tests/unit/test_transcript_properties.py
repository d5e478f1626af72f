"""Property tests: the incremental transcript behaves like the plain rules it implements.

The reference model below keeps entries in a dictionary and sorts them on every read, by the documented key
(``AbsoluteTime`` normalised to UTC milliseconds, then ``Id``); it states the de-duplication, streaming-chunk,
receipt and own-message rules as plainly as possible. Hypothesis drives both with random arrival orders,
redeliveries, changed items, partial messages, receipts and own messages, and checks after every step that
the order, every entry and whether something changed agree, that every reported change carries its position
(replaying the changes on a list rebuilds the transcript), and that :meth:`Transcript.index` agrees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from connect_chat.protocol import content_types as ct
from connect_chat.protocol.items import Item, format_timestamp, normalized_time
from connect_chat.transcript import ChangeKind, MessageStatus, ReceiptState, Transcript, TranscriptChange

ME = "p-me"
AGENT = "p-agent"
BOT = "p-bot"

# The same instant written three ways, other instants, no time, and text that is not a time.
TIMES = [
    "2024-01-01T00:00:01.000Z",
    "2024-01-01T01:00:01.000+01:00",
    "2024-01-01T00:00:01Z",
    "2024-01-01T00:00:00.500Z",
    "2024-01-01T00:00:02.250Z",
    None,
    "",
    "not a time",
]
IDS = ["a", "b", "c", "d"]
BOT_IDS = ["bot-1", "bot-2"]
TOKENS = ["t1", "t2"]


# ----------------------------------------------------------------------------------------------- the model
@dataclass
class ModelEntry:
    item: Item
    status: MessageStatus | None = None
    receipts: dict[str, ReceiptState] = field(default_factory=dict)
    chunks: dict[int, str] = field(default_factory=dict)
    client_token: str | None = None


class Model:
    """The transcript rules, with a dictionary sorted on every read."""

    def __init__(self, me: str) -> None:
        self.me = me
        self.entries: dict[str, ModelEntry] = {}
        self.tokens: dict[str, str] = {}
        self.orphans: dict[str, dict[str, ReceiptState]] = {}

    def ordered(self) -> list[ModelEntry]:
        return sorted(self.entries.values(), key=lambda e: (normalized_time(e.item.absolute_time), e.item.id))

    def add(self, item: Item) -> bool:
        if item.content_type == ct.TYPING or item.type == "CONNECTION_ACK":
            return False
        if item.content_type in (ct.MESSAGE_READ, ct.MESSAGE_DELIVERED):
            target = item.receipt_message_id
            if target is None or item.participant_id is None:
                return False
            read = item.content_type == ct.MESSAGE_READ
            return self.receipt(target, item.participant_id, item.absolute_time, read=read)
        if item.type == "MESSAGEMETADATA":
            metadata = item.message_metadata
            target = metadata.message_id if metadata is not None else None
            changed = False
            for r in metadata.receipts if metadata is not None and target else ():
                if r.recipient_participant_id and target:
                    changed |= self.receipt_both(
                        target, r.recipient_participant_id, r.read_timestamp, r.delivered_timestamp
                    )
            return changed
        if item.is_partial:
            return self.chunk(item)
        own = item.participant_id == self.me
        receipts = self.orphans.pop(item.id, {})
        for r in item.message_metadata.receipts if item.message_metadata else ():
            who = r.recipient_participant_id
            if who and who != self.me:
                before = receipts.get(who, ReceiptState())
                receipts[who] = ReceiptState(
                    r.delivered_timestamp or before.delivered_at, r.read_timestamp or before.read_at
                )
        existing = self.entries.get(item.id)
        if existing is None:
            status = MessageStatus.SENT if own and item.is_message else None
            self.entries[item.id] = ModelEntry(item, status, receipts)
            return True
        if existing.item == item and not existing.chunks and (not receipts or receipts == existing.receipts):
            return False
        existing.item = item
        existing.receipts = {**existing.receipts, **receipts}
        existing.chunks = {}
        if own and item.is_message:
            existing.status = MessageStatus.SENT
        return True

    def chunk(self, item: Item) -> bool:
        existing = self.entries.get(item.id)
        if existing is not None and not existing.chunks:
            return False
        assert item.message_metadata is not None
        number = item.message_metadata.chunk_number or 0
        chunks = dict(existing.chunks) if existing is not None else {}
        if number in chunks:
            return False
        chunks[number] = item.content or ""
        first_time = existing.item.absolute_time if existing is not None else item.absolute_time
        joined = "".join(chunks[n] for n in sorted(chunks))
        shown = replace(item, content=joined, absolute_time=first_time or item.absolute_time)
        self.entries[item.id] = ModelEntry(shown, chunks=chunks)
        return True

    def receipt(self, target: str, who: str, stamp: str | None, *, read: bool) -> bool:
        return self.receipt_both(target, who, stamp if read else None, None if read else stamp)

    def receipt_both(self, target: str, who: str, read_at: str | None, delivered_at: str | None) -> bool:
        if who == self.me or (read_at is None and delivered_at is None):
            return False
        entry = self.entries.get(target)
        if entry is None:
            held = self.orphans.setdefault(target, {})
            before = held.get(who, ReceiptState())
            held[who] = ReceiptState(delivered_at or before.delivered_at, read_at or before.read_at)
            return False
        before = entry.receipts.get(who, ReceiptState())
        after = ReceiptState(before.delivered_at or delivered_at, before.read_at or read_at)
        if after == before:
            return False
        entry.receipts[who] = after
        return True

    def pending(self, token: str, content: str, now: datetime) -> None:
        item = Item(
            id=f"pending:{token}",
            type="MESSAGE",
            content_type="text/plain",
            content=content,
            participant_id=self.me,
            absolute_time=format_timestamp(now),
        )
        self.tokens[token] = item.id
        self.entries[item.id] = ModelEntry(item, MessageStatus.SENDING, client_token=token)

    def sent(self, token: str, item_id: str, stamp: str | None) -> bool:
        local = self.tokens.pop(token, None)
        pending = self.entries.pop(local, None) if local else None
        echo = self.entries.get(item_id)
        if echo is not None:
            echo.status = MessageStatus.SENT
            echo.client_token = token
            return True
        if pending is None:
            return False
        pending.item = replace(pending.item, id=item_id, absolute_time=stamp or pending.item.absolute_time)
        pending.status = MessageStatus.SENT
        self.entries[item_id] = pending
        return True

    def failed(self, token: str) -> bool:
        local = self.tokens.get(token)
        entry = self.entries.get(local) if local else None
        if entry is None:
            return False
        entry.status = MessageStatus.FAILED
        return True

    def remove(self, item_id: str) -> bool:
        entry = self.entries.pop(item_id, None)
        if entry is not None and entry.client_token:
            self.tokens.pop(entry.client_token, None)
        return entry is not None


# ------------------------------------------------------------------------------------------ the operations
def _item(**fields: Any) -> Item:
    data = {k: v for k, v in fields.items() if v is not None}
    return Item.from_dict(data)


messages = st.builds(
    lambda i, t, who, text, kind: _item(
        Id=i, Type=kind, ContentType="text/plain", Content=text, ParticipantId=who, AbsoluteTime=t
    ),
    st.sampled_from(IDS),
    st.sampled_from(TIMES),
    st.sampled_from([ME, AGENT]),
    st.sampled_from(["hi", "hello", "ok"]),
    st.sampled_from(["MESSAGE", "MESSAGE", "EVENT", "ATTACHMENT"]),
)
typing = st.builds(
    lambda i, who: _item(Id=f"typing-{i}", Type="EVENT", ContentType=ct.TYPING, ParticipantId=who),
    st.sampled_from(IDS),
    st.sampled_from([ME, AGENT]),
)
chunks = st.builds(
    lambda i, n, text, t: _item(
        Id=i,
        Type="MESSAGE",
        ContentType="text/plain",
        Content=text,
        ParticipantId=BOT,
        ParticipantRole="CUSTOM_BOT",
        AbsoluteTime=t,
        MessageMetadata={"MessageId": i, "MessageCompleted": False, "ChunkNumber": n},
    ),
    st.sampled_from(BOT_IDS),
    st.integers(1, 4),
    st.sampled_from(["He", "llo", " wor", "ld"]),
    st.sampled_from(TIMES),
)
completed = st.builds(
    lambda i, text, t: _item(
        Id=i,
        Type="MESSAGE",
        ContentType="text/plain",
        Content=text,
        ParticipantId=BOT,
        AbsoluteTime=t,
        MessageMetadata={"MessageId": i, "MessageCompleted": True},
    ),
    st.sampled_from(BOT_IDS),
    st.sampled_from(["Hello world", "Hello"]),
    st.sampled_from(TIMES),
)
receipt_events = st.builds(
    lambda target, who, read, t: _item(
        Id=f"r-{target}-{who}-{read}-{t}",
        Type="EVENT",
        ContentType=ct.MESSAGE_READ if read else ct.MESSAGE_DELIVERED,
        Content=json.dumps({"messageId": target}),
        ParticipantId=who,
        AbsoluteTime=t,
    ),
    st.sampled_from(IDS + BOT_IDS),
    st.sampled_from([ME, AGENT]),
    st.booleans(),
    st.sampled_from(TIMES[:5]),
)
metadata_receipts = st.builds(
    lambda target, who, read, t: _item(
        Id=f"m-{target}-{who}-{read}",
        Type="MESSAGEMETADATA",
        MessageMetadata={
            "MessageId": target,
            "Receipts": [{("ReadTimestamp" if read else "DeliveredTimestamp"): t, "RecipientParticipantId": who}],
        },
    ),
    st.sampled_from(IDS),
    st.sampled_from([ME, AGENT]),
    st.booleans(),
    st.sampled_from(TIMES[:5]),
)
items = st.one_of(messages, messages, typing, chunks, chunks, completed, receipt_events, metadata_receipts)
own_actions = st.one_of(
    st.tuples(st.just("pending"), st.sampled_from(TOKENS), st.integers(0, 3)),
    st.tuples(st.just("sent"), st.sampled_from(TOKENS), st.sampled_from(IDS), st.sampled_from(TIMES[:5])),
    st.tuples(st.just("failed"), st.sampled_from(TOKENS)),
    st.tuples(st.just("remove"), st.sampled_from([*IDS, *BOT_IDS, "pending:t1", "pending:t2"])),
)
operations = st.lists(st.one_of(items.map(lambda i: ("add", i)), own_actions), max_size=40)


def _replay(mirror: list[Any], change: TranscriptChange) -> None:
    if change.kind is ChangeKind.ADDED:
        mirror.insert(change.index, change.entry)
    elif change.kind is ChangeKind.UPDATED:
        assert change.previous_index is not None
        del mirror[change.previous_index]
        mirror.insert(change.index, change.entry)
    else:
        assert mirror[change.index].id == change.entry.id
        del mirror[change.index]


def _run(ops: list[tuple[Any, ...]]) -> None:
    mirror: list[Any] = []
    transcript = Transcript(ME, on_change=lambda change: _replay(mirror, change))
    model = Model(ME)
    for op in ops:
        name = op[0]
        if name == "add":
            change = transcript.add(op[1])
            assert (change is not None) == model.add(op[1]), op
        elif name == "pending":
            now = datetime(2024, 1, 1, 0, 0, op[2], tzinfo=UTC)
            change = transcript.add_pending(op[1], content="mine", content_type="text/plain", now=now)
            model.pending(op[1], "mine", now)
            assert change.entry.status is MessageStatus.SENDING
        elif name == "sent":
            change = transcript.mark_sent(op[1], item_id=op[2], absolute_time=op[3])
            assert (change is not None) == model.sent(op[1], op[2], op[3]), op
        elif name == "failed":
            change = transcript.mark_failed(op[1])
            assert (change is not None) == model.failed(op[1]), op
        else:
            change = transcript.remove(op[1])
            assert (change is not None) == model.remove(op[1]), op
        expected = model.ordered()
        entries = transcript.entries()
        assert [e.item for e in entries] == [e.item for e in expected], op
        assert [e.status for e in entries] == [e.status for e in expected], op
        assert [dict(e.receipts) for e in entries] == [e.receipts for e in expected], op
        assert [dict(e.chunks) for e in entries] == [e.chunks for e in expected], op
        assert [e.id for e in mirror] == [e.id for e in entries], op
        assert mirror == entries, op
        assert all(transcript.index(e.id) == n for n, e in enumerate(entries))
        assert len(transcript) == len(expected)


@settings(max_examples=400, deadline=None)
@given(operations)
def test_transcript_matches_the_reference_model(ops: list[tuple[Any, ...]]) -> None:
    _run(ops)


@settings(max_examples=200, deadline=None)
@given(st.lists(messages, min_size=1, max_size=30), st.randoms(use_true_random=False), st.data())
def test_arrival_order_and_redeliveries_do_not_change_the_result(
    sent: list[Item], rng: Any, data: st.DataObject
) -> None:
    """Distinct items delivered in any order, some twice, give one order: the sorted one."""
    unique = list({item.id: item for item in sent}.values())
    delivered = unique + data.draw(st.lists(st.sampled_from(unique), max_size=10))
    rng.shuffle(delivered)
    transcript = Transcript(ME)
    changes = transcript.add_many(delivered)
    assert [e.item for e in transcript.entries()] == sorted(
        unique, key=lambda i: (normalized_time(i.absolute_time), i.id)
    )
    assert sum(c.kind is ChangeKind.ADDED for c in changes) == len(unique)
    assert transcript.add_many(delivered) == []  # everything again: nothing changes


@settings(max_examples=200, deadline=None)
@given(st.permutations([1, 2, 3, 4]), st.lists(st.integers(1, 4), max_size=4), st.booleans())
def test_partial_messages_stream_into_one_entry_in_place(order: list[int], again: list[int], done: bool) -> None:
    """Chunks in any order (some twice) show joined by ChunkNumber, in one entry that never moves."""
    parts = {1: "He", 2: "llo", 3: " wor", 4: "ld"}
    transcript = Transcript(ME)
    transcript.add(_item(Id="x", Type="MESSAGE", Content="before", AbsoluteTime="2024-01-01T00:00:00.000Z"))
    transcript.add(_item(Id="z", Type="MESSAGE", Content="after", AbsoluteTime="2024-01-01T00:00:09.000Z"))
    changes = []
    for number in [*order, *again]:
        chunk = _item(
            Id="bot",
            Type="MESSAGE",
            Content=parts[number],
            AbsoluteTime=f"2024-01-01T00:00:0{number}.000Z",
            MessageMetadata={"MessageId": "bot", "MessageCompleted": False, "ChunkNumber": number},
        )
        change = transcript.add(chunk)
        if change is not None:
            changes.append(change)
    assert [c.kind for c in changes] == [ChangeKind.ADDED] + [ChangeKind.UPDATED] * 3
    assert {c.index for c in changes} == {1}
    assert all(c.previous_index == 1 for c in changes[1:])
    entry = transcript.get("bot")
    assert entry is not None
    assert entry.item.content == "Hello world"
    assert entry.item.absolute_time == f"2024-01-01T00:00:0{order[0]}.000Z"  # the first arrival's time
    if done:
        final = _item(Id="bot", Type="MESSAGE", Content="Hello world!", AbsoluteTime=entry.item.absolute_time)
        change = transcript.add(final)
        assert change is not None
        assert (change.kind, change.index, change.previous_index) == (ChangeKind.UPDATED, 1, 1)
        late = replace(final, content="late", message_metadata=changes[0].entry.item.message_metadata)
        assert transcript.add(late) is None
    assert [e.id for e in transcript.entries()] == ["x", "bot", "z"]
