"""The ordered, de-duplicated transcript that ChatJS leaves its users to build.

Entries are ordered by ``AbsoluteTime`` then ``Id``; an item seen twice is kept once; bot streaming chunks
(``MessageMetadata.MessageCompleted`` false, ordered by ``ChunkNumber``) are shown joined and replaced by
the completed message; the participant's own messages carry SENDING/SENT/FAILED; read/delivered receipts
are applied to the messages they are about. Typing events are not transcript entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from connect_chat.protocol import content_types as ct
from connect_chat.protocol.items import Item, ItemType, format_timestamp

__all__ = ["ChangeKind", "MessageStatus", "ReceiptState", "Transcript", "TranscriptChange", "TranscriptEntry"]


class MessageStatus(StrEnum):
    """Delivery state of the participant's own messages."""

    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class ReceiptState:
    """What one recipient did with a message."""

    delivered_at: str | None = None
    read_at: str | None = None

    def to_dict(self) -> dict[str, str]:
        """``{"DeliveredTimestamp", "ReadTimestamp"}`` (absent ones omitted)."""
        out: dict[str, str] = {}
        if self.delivered_at:
            out["DeliveredTimestamp"] = self.delivered_at
        if self.read_at:
            out["ReadTimestamp"] = self.read_at
        return out


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One transcript line.

    Attributes
    ----------
    item : Item
        The item (for a pending own message, a local item with a ``pending:`` id).
    status : MessageStatus | None
        For own messages; None for everything else.
    receipts : Mapping[str, ReceiptState]
        Recipient participant id -> receipt state.
    client_token : str | None
        The ClientToken of an own message sent through this session.
    error : BaseException | None
        Why a FAILED message failed.
    """

    item: Item
    status: MessageStatus | None = None
    receipts: Mapping[str, ReceiptState] = field(default_factory=dict, compare=False, hash=False)
    client_token: str | None = None
    error: BaseException | None = field(default=None, compare=False)
    chunks: tuple[tuple[int, str], ...] = field(default=(), compare=False, hash=False)

    @property
    def id(self) -> str:
        """The item id."""
        return self.item.id

    @property
    def read(self) -> bool:
        """True when any recipient read it."""
        return any(r.read_at for r in self.receipts.values())

    @property
    def delivered(self) -> bool:
        """True when any recipient got it (reading implies delivery)."""
        return any(r.delivered_at or r.read_at for r in self.receipts.values())

    def to_dict(self) -> dict[str, Any]:
        """The item's Participant Service fields plus ``Status`` and ``Receipts``."""
        out = self.item.to_dict()
        if self.status is not None:
            out["Status"] = self.status.value
        if self.receipts:
            out["Receipts"] = {pid: r.to_dict() for pid, r in self.receipts.items()}
        return out


class ChangeKind(StrEnum):
    """What happened to an entry."""

    ADDED = "added"
    UPDATED = "updated"


@dataclass(frozen=True, slots=True)
class TranscriptChange:
    """A change to the transcript."""

    kind: ChangeKind
    entry: TranscriptEntry


_RECEIPT_EVENTS = (ct.MESSAGE_READ, ct.MESSAGE_DELIVERED)


class Transcript:
    """An ordered, de-duplicated transcript.

    Parameters
    ----------
    self_participant_id : str, optional
        The session's participant; its messages get a status and its own receipts are ignored.
    """

    def __init__(self, self_participant_id: str | None = None) -> None:
        self.self_participant_id = self_participant_id
        self._entries: dict[str, TranscriptEntry] = {}
        self._by_token: dict[str, str] = {}
        self._orphan_receipts: dict[str, dict[str, ReceiptState]] = {}
        self._order: list[TranscriptEntry] | None = None

    # ------------------------------------------------------------------ reading
    def entries(self) -> list[TranscriptEntry]:
        """All entries in order."""
        if self._order is None:
            self._order = sorted(self._entries.values(), key=lambda e: e.item.sort_key())
        return list(self._order)

    def items(self) -> list[Item]:
        """All items in order."""
        return [e.item for e in self.entries()]

    def __iter__(self) -> Iterator[TranscriptEntry]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._entries

    def get(self, item_id: str) -> TranscriptEntry | None:
        """The entry with ``item_id``, if any."""
        return self._entries.get(item_id)

    def last_received(self) -> Item | None:
        """The newest item that came from the service (not a pending local message): catch-up starts here."""
        for entry in reversed(self.entries()):
            if entry.status not in (MessageStatus.SENDING, MessageStatus.FAILED):
                return entry.item
        return None

    def to_list(self) -> list[dict[str, Any]]:
        """Every entry as :meth:`TranscriptEntry.to_dict`."""
        return [e.to_dict() for e in self.entries()]

    # ------------------------------------------------------------------ writing
    def _put(self, entry: TranscriptEntry) -> None:
        self._entries[entry.item.id] = entry
        self._order = None

    def add_many(self, items: Iterable[Item]) -> list[TranscriptChange]:
        """:meth:`add` each item; returns the changes."""
        changes: list[TranscriptChange] = []
        for item in items:
            change = self.add(item)
            if change is not None:
                changes.append(change)
        return changes

    def add(self, item: Item) -> TranscriptChange | None:
        """Add one item from the service. Returns None when nothing changed (duplicate, typing, ...)."""
        if item.content_type == ct.TYPING or item.type == ItemType.CONNECTION_ACK:
            return None
        if item.content_type in _RECEIPT_EVENTS:
            message_id = item.receipt_message_id
            if message_id is None or item.participant_id is None:
                return None
            stamp = item.absolute_time
            if item.content_type == ct.MESSAGE_READ:
                return self.apply_receipt(message_id, item.participant_id, read_at=stamp)
            return self.apply_receipt(message_id, item.participant_id, delivered_at=stamp)
        if item.type == ItemType.MESSAGEMETADATA:
            return self._apply_metadata(item)
        if item.is_partial:
            return self._add_chunk(item)
        existing = self._entries.get(item.id)
        own = self.self_participant_id is not None and item.participant_id == self.self_participant_id
        receipts = self._receipts_from(item)
        if existing is None:
            entry = TranscriptEntry(
                item=item,
                status=MessageStatus.SENT if own and item.is_message else None,
                receipts=receipts,
            )
            self._put(entry)
            return TranscriptChange(ChangeKind.ADDED, entry)
        if existing.item == item and not existing.chunks and (not receipts or receipts == existing.receipts):
            return None
        merged_receipts = {**existing.receipts, **receipts}
        status = existing.status
        if own and item.is_message and status is not MessageStatus.SENT:
            status = MessageStatus.SENT
        entry = replace(existing, item=item, status=status, receipts=merged_receipts, chunks=(), error=None)
        self._put(entry)
        return TranscriptChange(ChangeKind.UPDATED, entry)

    def _receipts_from(self, item: Item) -> dict[str, ReceiptState]:
        out = dict(self._orphan_receipts.pop(item.id, {}))
        if item.message_metadata is not None:
            for receipt in item.message_metadata.receipts:
                pid = receipt.recipient_participant_id
                if not pid or pid == self.self_participant_id:
                    continue
                before = out.get(pid, ReceiptState())
                out[pid] = ReceiptState(
                    delivered_at=receipt.delivered_timestamp or before.delivered_at,
                    read_at=receipt.read_timestamp or before.read_at,
                )
        return out

    def _apply_metadata(self, item: Item) -> TranscriptChange | None:
        metadata = item.message_metadata
        if metadata is None or not metadata.message_id:
            return None
        change: TranscriptChange | None = None
        for receipt in metadata.receipts:
            if not receipt.recipient_participant_id:
                continue
            result = self.apply_receipt(
                metadata.message_id,
                receipt.recipient_participant_id,
                read_at=receipt.read_timestamp,
                delivered_at=receipt.delivered_timestamp,
            )
            change = result or change
        return change

    def _add_chunk(self, item: Item) -> TranscriptChange | None:
        assert item.message_metadata is not None
        existing = self._entries.get(item.id)
        if existing is not None and not existing.chunks:
            return None  # the completed message is already here: late chunk
        number = item.message_metadata.chunk_number or 0
        chunks = dict(existing.chunks) if existing is not None else {}
        if number in chunks:
            return None
        chunks[number] = item.content or ""
        ordered = tuple(sorted(chunks.items()))
        joined = "".join(text for _, text in ordered)
        first = existing.item if existing is not None else item
        shown = replace(item, content=joined, absolute_time=first.absolute_time or item.absolute_time)
        entry = TranscriptEntry(item=shown, chunks=ordered)
        self._put(entry)
        return TranscriptChange(ChangeKind.ADDED if existing is None else ChangeKind.UPDATED, entry)

    def apply_receipt(
        self,
        message_id: str,
        recipient_participant_id: str,
        *,
        read_at: str | None = None,
        delivered_at: str | None = None,
    ) -> TranscriptChange | None:
        """Record that ``recipient_participant_id`` got/read ``message_id``; receipts by self are ignored."""
        if recipient_participant_id == self.self_participant_id:
            return None
        if read_at is None and delivered_at is None:
            return None
        entry = self._entries.get(message_id)
        if entry is None:
            held = self._orphan_receipts.setdefault(message_id, {})
            before = held.get(recipient_participant_id, ReceiptState())
            held[recipient_participant_id] = ReceiptState(
                delivered_at=delivered_at or before.delivered_at, read_at=read_at or before.read_at
            )
            return None
        before = entry.receipts.get(recipient_participant_id, ReceiptState())
        after = ReceiptState(
            delivered_at=before.delivered_at or delivered_at,
            read_at=before.read_at or read_at,
        )
        if after == before:
            return None
        entry = replace(entry, receipts={**entry.receipts, recipient_participant_id: after})
        self._put(entry)
        return TranscriptChange(ChangeKind.UPDATED, entry)

    # ------------------------------------------------------------------ own messages
    def add_pending(
        self,
        client_token: str,
        *,
        content: str,
        content_type: str,
        now: datetime,
        display_name: str | None = None,
        item_type: str = ItemType.MESSAGE,
        attachments: tuple[Any, ...] = (),
    ) -> TranscriptChange:
        """Show an own message before the service confirmed it (status SENDING)."""
        item = Item(
            id=f"pending:{client_token}",
            type=item_type,
            content_type=content_type,
            content=content,
            participant_id=self.self_participant_id,
            display_name=display_name,
            participant_role=None,
            absolute_time=format_timestamp(now),
            attachments=attachments,
        )
        entry = TranscriptEntry(item=item, status=MessageStatus.SENDING, client_token=client_token)
        self._by_token[client_token] = item.id
        self._put(entry)
        return TranscriptChange(ChangeKind.ADDED, entry)

    def mark_sent(self, client_token: str, *, item_id: str, absolute_time: str | None) -> TranscriptChange | None:
        """The service accepted the message: re-key it by its real id (merging with an echo already seen)."""
        local_id = self._by_token.pop(client_token, None)
        pending = self._entries.pop(local_id, None) if local_id else None
        self._order = None
        echo = self._entries.get(item_id)
        if echo is not None:
            entry = replace(echo, status=MessageStatus.SENT, client_token=client_token)
        elif pending is not None:
            stamp = absolute_time or pending.item.absolute_time
            item = replace(pending.item, id=item_id, absolute_time=stamp)
            entry = replace(pending, item=item, status=MessageStatus.SENT)
        else:
            return None
        self._put(entry)
        return TranscriptChange(ChangeKind.UPDATED, entry)

    def mark_failed(self, client_token: str, error: BaseException | None = None) -> TranscriptChange | None:
        """The send failed: the entry stays, with status FAILED."""
        local_id = self._by_token.get(client_token)
        entry = self._entries.get(local_id) if local_id else None
        if entry is None:
            return None
        entry = replace(entry, status=MessageStatus.FAILED, error=error)
        self._put(entry)
        return TranscriptChange(ChangeKind.UPDATED, entry)

    def remove(self, item_id: str) -> None:
        """Drop an entry (e.g. a FAILED message the user discarded)."""
        entry = self._entries.pop(item_id, None)
        if entry is not None and entry.client_token:
            self._by_token.pop(entry.client_token, None)
        self._order = None
