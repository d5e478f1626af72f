from __future__ import annotations

import gc
import weakref
from typing import Any

from connect_chat.protocol import content_types as ct
from connect_chat.protocol.items import Item
from connect_chat.transcript import (
    ChangeKind,
    MessageStatus,
    ReceiptState,
    Transcript,
    TranscriptChange,
    TranscriptEntry,
)
from tests.unit.library_fakes import FakeClock

ME = "p-me"
AGENT = "p-agent"


def msg(item_id: str, t: str, who: str = AGENT, content: str = "x", **extra: Any) -> Item:
    return Item.from_dict(
        {
            "Id": item_id,
            "Type": "MESSAGE",
            "ContentType": "text/plain",
            "Content": content,
            "ParticipantId": who,
            "AbsoluteTime": f"2024-01-01T00:00:{t}Z",
            **extra,
        }
    )


def receipt(kind: str, message_id: str, who: str, t: str = "09.000") -> Item:
    return Item.from_dict(
        {
            "Id": f"r-{kind}-{message_id}-{who}",
            "Type": "EVENT",
            "ContentType": ct.MESSAGE_READ if kind == "read" else ct.MESSAGE_DELIVERED,
            "Content": f'{{"messageId":"{message_id}"}}',
            "ParticipantId": who,
            "AbsoluteTime": f"2024-01-01T00:00:{t}Z",
        }
    )


def test_order_by_time_then_id_and_dedupe() -> None:
    tr = Transcript(ME)
    changes = tr.add_many([msg("b", "02.000"), msg("c", "01.000"), msg("a", "02.000"), msg("b", "02.000")])
    assert [c.kind for c in changes] == [ChangeKind.ADDED] * 3
    assert [i.id for i in tr.items()] == ["c", "a", "b"]
    assert len(tr) == 3
    assert "a" in tr


def test_typing_is_not_an_entry() -> None:
    tr = Transcript(ME)
    typing = Item.from_dict({"Id": "t", "Type": "EVENT", "ContentType": ct.TYPING, "ParticipantId": AGENT})
    assert tr.add(typing) is None
    assert len(tr) == 0


def test_events_are_entries() -> None:
    tr = Transcript(ME)
    joined = Item.from_dict(
        {
            "Id": "j",
            "Type": "EVENT",
            "ContentType": ct.PARTICIPANT_JOINED,
            "AbsoluteTime": "2024-01-01T00:00:00Z",
        }
    )
    assert tr.add(joined) is not None
    assert tr.get("j") is not None


def test_partial_chunks_are_joined_then_replaced_by_the_completed_message() -> None:
    tr = Transcript(ME)

    def chunk(n: int, text: str) -> Item:
        return msg(
            "bot-1",
            "05.000",
            who="bot",
            content=text,
            MessageMetadata={"MessageId": "bot-1", "MessageCompleted": False, "ChunkNumber": n},
        )

    assert tr.add(chunk(1, "Hel")).kind is ChangeKind.ADDED  # type: ignore[union-attr]
    assert tr.add(chunk(3, "ld")).kind is ChangeKind.UPDATED  # type: ignore[union-attr]
    tr.add(chunk(2, "lo wor"))
    assert tr.get("bot-1").item.content == "Hello world"  # type: ignore[union-attr]
    assert tr.add(chunk(2, "lo wor")) is None  # duplicate chunk
    assert len(tr) == 1
    done = msg(
        "bot-1",
        "05.000",
        who="bot",
        content="Hello world!",
        MessageMetadata={"MessageId": "bot-1", "MessageCompleted": True},
    )
    change = tr.add(done)
    assert change is not None
    assert change.kind is ChangeKind.UPDATED
    assert tr.get("bot-1").item.content == "Hello world!"  # type: ignore[union-attr]
    assert tr.add(chunk(4, "late")) is None
    assert tr.get("bot-1").item.content == "Hello world!"  # type: ignore[union-attr]


def test_own_message_lifecycle_sending_sent_with_echo_merging() -> None:
    clock = FakeClock()
    tr = Transcript(ME)
    tr.add(msg("a", "00.500"))
    added = tr.add_pending("tok-1", content="hi", content_type="text/plain", now=clock.now())
    assert added.entry.status is MessageStatus.SENDING
    assert tr.entries()[-1].item.id == "pending:tok-1"
    echo = msg("m-1", "59.000", who=ME, content="hi")
    tr.add(echo)  # websocket echo arrives before the SendMessage response
    change = tr.mark_sent("tok-1", item_id="m-1", absolute_time="2024-01-01T00:00:59.000Z")
    assert change is not None
    assert change.entry.status is MessageStatus.SENT
    assert [e.id for e in tr.entries()] == ["a", "m-1"]
    assert tr.get("pending:tok-1") is None


def test_own_message_sent_then_echo_is_not_duplicated() -> None:
    clock = FakeClock()
    tr = Transcript(ME)
    tr.add_pending("tok", content="hi", content_type="text/plain", now=clock.now())
    tr.mark_sent("tok", item_id="m-1", absolute_time="2024-01-01T00:00:10.000Z")
    echo = msg("m-1", "10.000", who=ME, content="hi", DisplayName="Me", ContactId="c")
    change = tr.add(echo)  # fills in the full item
    assert change is not None
    assert change.kind is ChangeKind.UPDATED
    assert len(tr) == 1
    assert tr.get("m-1").status is MessageStatus.SENT  # type: ignore[union-attr]
    assert tr.get("m-1").item.contact_id == "c"  # type: ignore[union-attr]
    assert tr.add(echo) is None


def test_failed_message_stays_and_is_skipped_by_last_received() -> None:
    clock = FakeClock()
    tr = Transcript(ME)
    tr.add(msg("a", "00.000"))
    tr.add_pending("tok", content="hi", content_type="text/plain", now=clock.now())
    err = RuntimeError("x")
    change = tr.mark_failed("tok", err)
    assert change is not None
    assert change.entry.status is MessageStatus.FAILED
    assert change.entry.error is err
    assert tr.last_received() == tr.get("a").item  # type: ignore[union-attr]
    tr.remove("pending:tok")
    assert len(tr) == 1


def test_receipts_from_events_metadata_and_before_the_message() -> None:
    tr = Transcript(ME)
    tr.add(receipt("delivered", "m-1", AGENT, "02.000"))  # receipt arrives before the message
    tr.add(msg("m-1", "01.000", who=ME))
    entry = tr.get("m-1")
    assert entry is not None
    assert entry.delivered
    assert not entry.read
    change = tr.add(receipt("read", "m-1", AGENT, "03.000"))
    assert change is not None
    assert change.entry.read
    assert tr.add(receipt("read", "m-1", AGENT, "03.000")) is None
    assert tr.get("m-1").to_dict()["Receipts"] == {  # type: ignore[union-attr]
        AGENT: {"DeliveredTimestamp": "2024-01-01T00:00:02.000Z", "ReadTimestamp": "2024-01-01T00:00:03.000Z"}
    }


def test_own_receipts_are_ignored() -> None:
    tr = Transcript(ME)
    tr.add(msg("m-1", "01.000"))
    assert tr.add(receipt("read", "m-1", ME)) is None
    assert not tr.get("m-1").read  # type: ignore[union-attr]


def test_messagemetadata_item_updates_receipts() -> None:
    tr = Transcript(ME)
    tr.add(msg("m-1", "01.000", who=ME))
    meta = Item.from_dict(
        {
            "Id": "meta-1",
            "Type": "MESSAGEMETADATA",
            "MessageMetadata": {
                "MessageId": "m-1",
                "Receipts": [{"ReadTimestamp": "2024-01-01T00:00:05.000Z", "RecipientParticipantId": AGENT}],
            },
        }
    )
    assert tr.add(meta) is not None
    assert tr.get("m-1").read  # type: ignore[union-attr]
    assert len(tr) == 1


def test_transcript_item_with_embedded_receipts() -> None:
    tr = Transcript(ME)
    tr.add(
        msg(
            "m-1",
            "01.000",
            who=ME,
            MessageMetadata={
                "MessageId": "m-1",
                "Receipts": [{"DeliveredTimestamp": "x", "RecipientParticipantId": AGENT}],
            },
        )
    )
    assert tr.get("m-1").delivered  # type: ignore[union-attr]


def test_other_participants_messages_have_no_status() -> None:
    tr = Transcript(ME)
    tr.add(msg("a", "01.000"))
    tr.add(msg("b", "02.000", who=ME))
    assert tr.get("a").status is None  # type: ignore[union-attr]
    assert tr.get("b").status is MessageStatus.SENT  # type: ignore[union-attr]
    assert [d["Id"] for d in tr.to_list()] == ["a", "b"]


def test_changes_say_where_the_entry_is() -> None:
    tr = Transcript(ME)
    assert tr.add(msg("b", "02.000")) == TranscriptChange(ChangeKind.ADDED, tr.entries()[0], 0)
    late = tr.add(msg("a", "01.000"))  # arrives late: placed before b, nothing re-sorted
    assert late is not None
    assert (late.kind, late.index, late.previous_index) == (ChangeKind.ADDED, 0, None)
    edited = tr.add(msg("a", "01.000", content="edited"))
    assert edited is not None
    assert (edited.kind, edited.index, edited.previous_index) == (ChangeKind.UPDATED, 0, 0)
    moved = tr.add(msg("a", "03.000", content="edited"))  # a changed time moves the entry
    assert moved is not None
    assert (moved.kind, moved.index, moved.previous_index) == (ChangeKind.UPDATED, 1, 0)
    assert [e.id for e in tr.entries()] == ["b", "a"]
    assert (tr.index("a"), tr.index("b"), tr.index("zz")) == (1, 0, None)
    removed = tr.remove("b")
    assert removed is not None
    assert (removed.kind, removed.index, removed.entry.id) == (ChangeKind.REMOVED, 0, "b")
    assert tr.remove("b") is None
    entry = removed.entry.to_dict()
    assert removed.to_dict() == {"kind": "removed", "index": 0, "previous_index": None, "entry": entry}


def test_on_change_sees_every_change_including_a_merged_pending_message() -> None:
    seen: list[TranscriptChange] = []
    tr = Transcript(ME, on_change=seen.append)
    tr.add(msg("a", "00.500"))
    tr.add_pending("tok", content="hi", content_type="text/plain", now=FakeClock().now())  # at the end
    tr.add(msg("m-1", "00.700", who=ME, content="hi"))  # its echo, before the response
    sent = tr.mark_sent("tok", item_id="m-1", absolute_time="2024-01-01T00:00:00.700Z")
    assert sent is not None
    assert [(c.kind.value, c.entry.id, c.index, c.previous_index) for c in seen] == [
        ("added", "a", 0, None),
        ("added", "pending:tok", 1, None),
        ("added", "m-1", 1, None),
        ("removed", "pending:tok", 2, None),
        ("updated", "m-1", 1, 1),
    ]
    assert sent is seen[-1]
    assert [e.id for e in tr.entries()] == ["a", "m-1"]


def test_a_sent_message_moves_to_its_service_time() -> None:
    tr = Transcript(ME)
    tr.add(msg("a", "30.000"))
    tr.add_pending("tok", content="hi", content_type="text/plain", now=FakeClock().now())  # 00:16:40 local
    change = tr.mark_sent("tok", item_id="m-1", absolute_time="2024-01-01T00:00:10.000Z")
    assert change is not None
    assert (change.kind, change.previous_index, change.index) == (ChangeKind.UPDATED, 1, 0)
    assert [e.id for e in tr.entries()] == ["m-1", "a"]


def test_receipts_update_in_place() -> None:
    seen: list[TranscriptChange] = []
    tr = Transcript(ME, on_change=seen.append)
    tr.add_many([msg("m-1", "01.000", who=ME), msg("m-2", "02.000")])
    tr.add(receipt("read", "m-1", AGENT))
    assert (seen[-1].kind, seen[-1].index, seen[-1].previous_index) == (ChangeKind.UPDATED, 0, 0)
    assert seen[-1].entry.read


def test_a_transcript_of_many_items_arriving_in_order_is_never_sorted_again() -> None:
    tr = Transcript(ME)
    items = [msg(f"{n:05d}", "00.000", content=str(n)) for n in range(2000)]
    changes = tr.add_many(items)
    assert [c.index for c in changes] == list(range(2000))  # each one appended
    assert tr.items() == items


def test_entries_stay_out_of_the_cycle_collector_unless_they_hold_an_error() -> None:
    tr = Transcript(ME)
    tr.add(msg("a", "00.000"))
    tr.add(receipt("read", "a", AGENT))
    entry = tr.get("a")
    assert entry is not None
    assert entry.receipts
    assert not gc.is_tracked(entry)
    tr.add_pending("tok", content="hi", content_type="text/plain", now=FakeClock().now())
    failed = tr.mark_failed("tok", RuntimeError("x"))
    assert failed is not None
    assert gc.is_tracked(failed.entry)
    assert isinstance(failed.entry, TranscriptEntry)


def test_a_failed_message_whose_error_leads_back_to_its_transcript_is_still_collected() -> None:
    """The error's traceback holds the frame that holds the transcript: a cycle through the entry."""

    def fail(transcript: Transcript) -> None:
        try:
            raise RuntimeError("send failed")
        except RuntimeError as exc:
            transcript.mark_failed("tok", exc)

    tr = Transcript(ME)
    tr.add_pending("tok", content="hi", content_type="text/plain", now=FakeClock().now())
    fail(tr)
    gone = weakref.ref(tr)
    del tr
    gc.collect()
    assert gone() is None


def test_entries_are_equal_by_item_status_and_client_token() -> None:
    item = msg("a", "00.000")
    plain = TranscriptEntry(item=item)
    assert plain == TranscriptEntry(item=item, receipts={AGENT: ReceiptState(read_at="t")}, chunks=((1, "x"),))
    assert hash(plain) == hash(TranscriptEntry(item=item, error=RuntimeError("x")))
    assert plain != TranscriptEntry(item=item, status=MessageStatus.SENT)
    assert plain != TranscriptEntry(item=item, client_token="tok")
