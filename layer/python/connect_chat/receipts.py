"""Message receipts: which read/delivered events to send, and when. Pure logic over a :class:`Clock`.

Rules (ChatJS behaviour): a message already read (or delivered) is not acknowledged again; a *delivered*
waits 300 ms so that a *read* of the same message can supersede it; then at most one receipt of each kind is
sent per throttle window (default 5 s), the last one requested in that window; nothing is sent for the
participant's own messages, when receipts are turned off, or after the chat ended.
"""

from __future__ import annotations

from dataclasses import dataclass

from connect_chat.clock import Clock, SystemClock
from connect_chat.constants import ReceiptKind

__all__ = ["DELIVERED_DELAY_MS", "PendingReceipt", "ReceiptThrottle"]

DELIVERED_DELAY_MS = 300

_READ, _DELIVERED = ReceiptKind.READ, ReceiptKind.DELIVERED


@dataclass(frozen=True, slots=True)
class PendingReceipt:
    """A receipt that is due to be sent."""

    kind: ReceiptKind
    message_id: str


@dataclass(slots=True)
class _Slot:
    message_id: str
    eligible_at: float


class ReceiptThrottle:
    """Decides which receipts to send and when.

    Parameters
    ----------
    throttle_ms : int
        Window length; one receipt of each kind per window.
    enabled : bool
        ``should_send_message_receipts``.
    clock : Clock, optional
        Time source.
    delivered_delay_ms : int
        How long a *delivered* waits for a superseding *read*.

    Notes
    -----
    Call :meth:`request` when a receipt is wanted, then :meth:`pop_due` whenever :meth:`next_deadline` has
    passed; an asyncio driver sleeps until the deadline, tests move a fake clock.
    """

    def __init__(
        self,
        *,
        throttle_ms: int = 5000,
        enabled: bool = True,
        clock: Clock | None = None,
        delivered_delay_ms: int = DELIVERED_DELAY_MS,
    ) -> None:
        self.throttle = throttle_ms / 1000.0
        self.delivered_delay = delivered_delay_ms / 1000.0
        self.enabled = enabled
        self.clock: Clock = clock or SystemClock()
        self._pending: dict[ReceiptKind, _Slot] = {}
        self._last_sent: dict[ReceiptKind, float] = {}
        self._read: set[str] = set()
        self._delivered: set[str] = set()
        self._ended = False

    # ------------------------------------------------------------------ requests
    def request(self, kind: ReceiptKind, message_id: str, *, own_message: bool = False) -> bool:
        """Ask for a receipt. Returns False when it is skipped (own message, duplicate, disabled, ended)."""
        return self.request_at(kind, message_id, own_message=own_message) is not None

    def request_at(self, kind: ReceiptKind, message_id: str, *, own_message: bool = False) -> float | None:
        """:meth:`request`, answering the earliest monotonic time the receipt may go, or None when it is skipped.

        The receipt is due at that time or later (the throttle window may hold it back): a driver whose timer
        already fires no later than that need not look at :meth:`next_deadline` again.
        """
        if not self.enabled or self._ended or own_message:
            return None
        if message_id in self._read:
            return None
        now = self.clock.monotonic()
        if kind is _READ:
            self._read.add(message_id)
            delivered = self._pending.get(_DELIVERED)
            if delivered is not None and delivered.message_id == message_id:
                del self._pending[_DELIVERED]  # read supersedes delivered
            self._pending[_READ] = _Slot(message_id, now)
            return now
        if message_id in self._delivered:
            return None
        self._delivered.add(message_id)
        eligible_at = now + self.delivered_delay
        self._pending[_DELIVERED] = _Slot(message_id, eligible_at)
        return eligible_at

    def _due_at(self, kind: ReceiptKind, slot: _Slot) -> float:
        last = self._last_sent.get(kind)
        window_open = slot.eligible_at if last is None else max(slot.eligible_at, last + self.throttle)
        return window_open

    def next_deadline(self) -> float | None:
        """The monotonic time at which :meth:`pop_due` will next return something, or None."""
        if self._ended or not self._pending:
            return None
        return min(self._due_at(kind, slot) for kind, slot in self._pending.items())

    def pop_due(self) -> list[PendingReceipt]:
        """Remove and return the receipts due now (reads first); the window starts again for each."""
        if self._ended:
            self._pending.clear()
            return []
        now = self.clock.monotonic()
        out: list[PendingReceipt] = []
        for kind in (ReceiptKind.READ, ReceiptKind.DELIVERED):
            slot = self._pending.get(kind)
            if slot is None or self._due_at(kind, slot) > now:
                continue
            del self._pending[kind]
            if kind is ReceiptKind.DELIVERED and slot.message_id in self._read:
                continue
            self._last_sent[kind] = now
            out.append(PendingReceipt(kind, slot.message_id))
        return out

    def forget(self, receipt: PendingReceipt) -> None:
        """Forget a receipt whose send failed, so it can be requested again."""
        target = self._read if receipt.kind is ReceiptKind.READ else self._delivered
        target.discard(receipt.message_id)

    def chat_ended(self) -> None:
        """Stop: nothing is sent after the chat ended."""
        self._ended = True
        self._pending.clear()

    @property
    def pending(self) -> list[PendingReceipt]:
        """What is waiting (for inspection)."""
        return [PendingReceipt(kind, slot.message_id) for kind, slot in self._pending.items()]
