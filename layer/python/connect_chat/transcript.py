"""The ordered, de-duplicated transcript that ChatJS leaves its users to build.

Entries are ordered by ``AbsoluteTime`` then ``Id``; an item seen twice is kept once; bot streaming chunks
(``MessageMetadata.MessageCompleted`` false, ordered by ``ChunkNumber``) are shown joined and replaced by
the completed message; the participant's own messages carry SENDING/SENT/FAILED; read/delivered receipts
are applied to the messages they are about. Typing events are not transcript entries.

The order is kept incrementally: each entry's sort key is computed once, when it arrives, and the entry is
placed by binary search (an append when items arrive in order, as they do on a live socket); a duplicate, a
receipt, a streaming chunk or a changed item updates its entry where it stands. Every change is reported with
its position (:class:`TranscriptChange`), so a listener can keep its own copy in step without reading the
whole list.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from operator import attrgetter
from typing import Any

import msgspec
from msgspec.structs import replace as replace_item

from connect_chat.protocol import content_types as ct
from connect_chat.protocol._slots import slot_setters
from connect_chat.protocol.items import _MESSAGE_TYPES, Item, ItemType, format_timestamp

__all__ = ["ChangeKind", "MessageStatus", "ReceiptState", "Transcript", "TranscriptChange", "TranscriptEntry"]


class MessageStatus(StrEnum):
    """Delivery state of the participant's own messages."""

    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class ReceiptState(msgspec.Struct, frozen=True, gc=False):
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


class TranscriptEntry(msgspec.Struct, frozen=True, gc=False):
    """One transcript line.

    Equal entries have equal items, statuses and client tokens (receipts, errors and chunks aside). A long
    chat's entries are not tracked by Python's cyclic garbage collector, so its full collections do not walk
    them; an entry the library builds with an :attr:`error` is (the error's traceback may lead back to it).

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
    chunks : tuple[tuple[int, str], ...]
        For a bot message still streaming, its chunks so far (number, text).
    """

    item: Item
    status: MessageStatus | None = None
    receipts: Mapping[str, ReceiptState] = msgspec.field(default_factory=dict)
    client_token: str | None = None
    error: BaseException | None = None
    chunks: tuple[tuple[int, str], ...] = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TranscriptEntry):
            return NotImplemented
        return _entry_identity(self) == _entry_identity(other)

    def __hash__(self) -> int:
        return hash(_entry_identity(self))

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


class _EntryWithError(TranscriptEntry, frozen=True, gc=True):
    """A :class:`TranscriptEntry` holding an error: tracked by the cyclic garbage collector."""


_entry_identity = attrgetter("item", "status", "client_token")


class ChangeKind(StrEnum):
    """What happened to an entry."""

    ADDED = "added"
    UPDATED = "updated"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class TranscriptChange:
    """A change to the transcript, with where it happened.

    Replaying the changes in order on a list keeps it equal to :meth:`Transcript.entries`: *added* inserts
    :attr:`entry` at :attr:`index`; *updated* removes the entry at :attr:`previous_index` and inserts
    :attr:`entry` at :attr:`index` (the same position unless its time or id changed); *removed* deletes the
    entry at :attr:`index`.

    Attributes
    ----------
    kind : ChangeKind
        Added, updated or removed.
    entry : TranscriptEntry
        The entry after the change (for *removed*, the entry that went).
    index : int
        Its position after the change (for *removed*, the position it had).
    previous_index : int | None
        For *updated*, its position before the change; None otherwise.
    """

    kind: ChangeKind
    entry: TranscriptEntry
    index: int
    previous_index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"kind", "index", "previous_index", "entry"}`` with the entry as :meth:`TranscriptEntry.to_dict`."""
        return {
            "kind": self.kind.value,
            "index": self.index,
            "previous_index": self.previous_index,
            "entry": self.entry.to_dict(),
        }


ChangeListener = Callable[[TranscriptChange], None]
"""Called with every change as it happens (see :attr:`Transcript.on_change`)."""

_RECEIPT_EVENTS = (ct.MESSAGE_READ, ct.MESSAGE_DELIVERED)
# Enum members as module names: looked up per item, they cost a class attribute lookup each otherwise.
_ADDED, _UPDATED, _REMOVED = ChangeKind.ADDED, ChangeKind.UPDATED, ChangeKind.REMOVED
_SENDING, _SENT, _FAILED = MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.FAILED
_CONNECTION_ACK, _MESSAGEMETADATA = ItemType.CONNECTION_ACK, ItemType.MESSAGEMETADATA
_TYPING, _MESSAGE_READ = ct.TYPING, ct.MESSAGE_READ


class Transcript:
    """An ordered, de-duplicated transcript.

    Parameters
    ----------
    self_participant_id : str, optional
        The session's participant; its messages get a status and its own receipts are ignored.
    on_change : Callable[[TranscriptChange], None], optional
        Called with every change (including entries removed when a pending message merges with its echo).

    Notes
    -----
    The order is a sorted list of ``(time, id)`` keys, one per entry, beside a dictionary of the entries by id.
    Adding an item costs O(log n) comparisons plus, when it does not belong at the end, one insertion into
    that list; nothing is ever sorted again. :meth:`entries` builds the ordered list (O(n)): read it when
    needed, not per change.
    """

    def __init__(self, self_participant_id: str | None = None, *, on_change: ChangeListener | None = None) -> None:
        self.self_participant_id = self_participant_id
        self.on_change: ChangeListener | None = on_change
        """Receives every :class:`TranscriptChange`; the methods also return the change they made."""
        self._entries: dict[str, TranscriptEntry] = {}
        self._key_of: dict[str, tuple[str, str]] = {}
        self._keys: list[tuple[str, str]] = []  # the order: sorted (time, id) keys, one per entry
        self._by_token: dict[str, str] = {}
        self._orphan_receipts: dict[str, dict[str, ReceiptState]] = {}

    # ------------------------------------------------------------------ reading
    def entries(self) -> list[TranscriptEntry]:
        """All entries in order (a new list, O(n): read it when needed, not per change)."""
        entries = self._entries
        return [entries[key[1]] for key in self._keys]

    def items(self) -> list[Item]:
        """All items in order."""
        entries = self._entries
        return [entries[key[1]].item for key in self._keys]

    def __iter__(self) -> Iterator[TranscriptEntry]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._entries

    def get(self, item_id: str) -> TranscriptEntry | None:
        """The entry with ``item_id``, if any."""
        return self._entries.get(item_id)

    def index(self, item_id: str) -> int | None:
        """The position of the entry with ``item_id`` (O(log n)), or None."""
        key = self._key_of.get(item_id)
        return None if key is None else bisect_left(self._keys, key)

    def last_received(self) -> Item | None:
        """The newest item that came from the service (not a pending local message): catch-up starts here."""
        for key in reversed(self._keys):
            entry = self._entries[key[1]]
            if entry.status is not _SENDING and entry.status is not _FAILED:
                return entry.item
        return None

    def to_list(self) -> list[dict[str, Any]]:
        """Every entry as :meth:`TranscriptEntry.to_dict`."""
        return [e.to_dict() for e in self.entries()]

    # ------------------------------------------------------------------ placing entries
    def _report(
        self, kind: ChangeKind, entry: TranscriptEntry, index: int, previous_index: int | None = None
    ) -> TranscriptChange:
        change = _new(TranscriptChange)  # TranscriptChange(kind, entry, index, previous_index), built cheaply
        _set_kind(change, kind)
        _set_entry(change, entry)
        _set_index(change, index)
        _set_previous_index(change, previous_index)
        on_change = self.on_change
        if on_change is not None:
            on_change(change)
        return change

    def _place(self, entry: TranscriptEntry) -> int:
        """Put a new entry where its key belongs; its key is computed here, once. Returns its position."""
        item_id = entry.item.id
        key = entry.item.sort_key()
        keys = self._keys
        if not keys or key > keys[-1]:
            index = len(keys)
            keys.append(key)
        else:
            index = bisect_left(keys, key)  # keys are unique: an id has one entry
            keys.insert(index, key)
        self._entries[item_id] = entry
        self._key_of[item_id] = key
        return index

    def _take(self, item_id: str) -> tuple[TranscriptEntry, int]:
        """Remove the entry of ``item_id`` from the order; returns it and the position it had."""
        index = bisect_left(self._keys, self._key_of.pop(item_id))
        del self._keys[index]
        return self._entries.pop(item_id), index

    def _added(self, entry: TranscriptEntry) -> TranscriptChange:
        if entry.item.id in self._entries:
            return self._updated(entry.item.id, entry)
        return self._report(_ADDED, entry, self._place(entry))

    def _updated(self, item_id: str, entry: TranscriptEntry) -> TranscriptChange:
        """Replace the entry of ``item_id`` by ``entry``: in place, or moved when its id or time changed."""
        before = self._entries[item_id].item
        if entry.item.id == item_id and entry.item.absolute_time == before.absolute_time:
            self._entries[item_id] = entry
            index = bisect_left(self._keys, self._key_of[item_id])
            return self._report(_UPDATED, entry, index, index)
        _, previous = self._take(item_id)
        return self._report(_UPDATED, entry, self._place(entry), previous)

    def _removed(self, item_id: str) -> TranscriptChange | None:
        if item_id not in self._entries:
            return None
        entry, index = self._take(item_id)
        return self._report(_REMOVED, entry, index)

    # ------------------------------------------------------------------ writing
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
        content_type = item.content_type
        item_type = item.type
        if content_type == _TYPING or item_type == _CONNECTION_ACK:
            return None
        if content_type in _RECEIPT_EVENTS:
            message_id = item.receipt_message_id
            if message_id is None or item.participant_id is None:
                return None
            stamp = item.absolute_time
            if content_type == _MESSAGE_READ:
                return self.apply_receipt(message_id, item.participant_id, read_at=stamp)
            return self.apply_receipt(message_id, item.participant_id, delivered_at=stamp)
        if item_type == _MESSAGEMETADATA:
            return self._apply_metadata(item)
        metadata = item.message_metadata
        if metadata is not None and metadata.is_partial:  # item.is_partial
            return self._add_chunk(item)
        existing = self._entries.get(item.id)
        self_id = self.self_participant_id
        own = self_id is not None and item.participant_id == self_id
        # Receipts come with the item's metadata or were held for it; most items have neither.
        receipts = self._receipts_from(item) if metadata is not None or self._orphan_receipts else {}
        if existing is None:
            entry = _entry(item, _SENT if own and item_type in _MESSAGE_TYPES else None, receipts)
            return self._report(_ADDED, entry, self._place(entry))
        if existing.item == item and not existing.chunks and (not receipts or receipts == existing.receipts):
            return None
        merged_receipts = {**existing.receipts, **receipts}
        status = existing.status
        if own and item_type in _MESSAGE_TYPES and status is not _SENT:
            status = _SENT
        entry = _changed(existing, item=item, status=status, receipts=merged_receipts, chunks=(), error=None)
        return self._updated(item.id, entry)

    def _receipts_from(self, item: Item) -> dict[str, ReceiptState]:
        held = self._orphan_receipts.pop(item.id, None) if self._orphan_receipts else None
        metadata = item.message_metadata
        if held is None and (metadata is None or not metadata.receipts):
            return {}
        out = dict(held) if held else {}
        if metadata is not None:
            for receipt in metadata.receipts:
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
        chunks = list(existing.chunks) if existing is not None else []
        at = bisect_left(chunks, (number,))
        if at < len(chunks) and chunks[at][0] == number:
            return None  # this chunk again
        chunks.insert(at, (number, item.content or ""))
        joined = "".join(text for _, text in chunks)
        first = existing.item if existing is not None else item
        shown = replace_item(item, content=joined, absolute_time=first.absolute_time or item.absolute_time)
        entry = _entry(shown, None, {}, chunks=tuple(chunks))
        if existing is None:
            return self._report(_ADDED, entry, self._place(entry))
        return self._updated(item.id, entry)  # the first chunk's time is kept: it stays where it is

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
        receipts = {**entry.receipts, recipient_participant_id: after}
        entry = _entry(entry.item, entry.status, receipts, entry.client_token, entry.error, entry.chunks)
        return self._updated(message_id, entry)

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
        entry = _entry(item, MessageStatus.SENDING, {}, client_token)
        self._by_token[client_token] = item.id
        return self._added(entry)

    def mark_sent(self, client_token: str, *, item_id: str, absolute_time: str | None) -> TranscriptChange | None:
        """The service accepted the message: re-key it by its real id (merging with an echo already seen).

        When the echo is already here, the pending entry is removed (reported to :attr:`on_change`) and the
        echo's entry is the one returned.
        """
        local_id = self._by_token.pop(client_token, None)
        pending = self._entries.get(local_id) if local_id else None
        echo = self._entries.get(item_id)
        if echo is not None:
            if pending is not None and local_id is not None:
                self._removed(local_id)
            return self._updated(item_id, _changed(echo, status=MessageStatus.SENT, client_token=client_token))
        if pending is None or local_id is None:
            return None
        stamp = absolute_time or pending.item.absolute_time
        item = replace_item(pending.item, id=item_id, absolute_time=stamp)
        return self._updated(local_id, _changed(pending, item=item, status=MessageStatus.SENT))

    def mark_failed(self, client_token: str, error: BaseException | None = None) -> TranscriptChange | None:
        """The send failed: the entry stays, with status FAILED."""
        local_id = self._by_token.get(client_token)
        entry = self._entries.get(local_id) if local_id else None
        if entry is None or local_id is None:
            return None
        return self._updated(local_id, _changed(entry, status=MessageStatus.FAILED, error=error))

    def remove(self, item_id: str) -> TranscriptChange | None:
        """Drop an entry (e.g. a FAILED message the user discarded); returns the change, or None."""
        change = self._removed(item_id)
        if change is not None and change.entry.client_token:
            self._by_token.pop(change.entry.client_token, None)
        return change


_new = object.__new__
_set_kind, _set_entry, _set_index, _set_previous_index = slot_setters(TranscriptChange, 4)


def _entry(
    item: Item,
    status: MessageStatus | None,
    receipts: Mapping[str, ReceiptState],
    client_token: str | None = None,
    error: BaseException | None = None,
    chunks: tuple[tuple[int, str], ...] = (),
) -> TranscriptEntry:
    """A new entry; one holding an error is tracked by the cyclic garbage collector (see :class:`TranscriptEntry`)."""
    if error is None:
        return TranscriptEntry(item, status, receipts, client_token, None, chunks)
    return _EntryWithError(item, status, receipts, client_token, error, chunks)


def _changed(entry: TranscriptEntry, **changes: Any) -> TranscriptEntry:
    """A copy of ``entry`` with ``changes``, built by :func:`_entry` (so it is tracked when it holds an error)."""
    fields = {name: getattr(entry, name) for name in TranscriptEntry.__struct_fields__}
    return _entry(**(fields | changes))
