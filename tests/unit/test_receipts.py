from __future__ import annotations

import pytest

from connect_chat.constants import ReceiptKind
from connect_chat.receipts import PendingReceipt, ReceiptThrottle
from connect_chat.typing_throttle import TypingThrottle
from tests.unit.library_fakes import FakeClock

READ = ReceiptKind.READ
DELIVERED = ReceiptKind.DELIVERED


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_first_read_is_sent_at_once(clock: FakeClock) -> None:
    r = ReceiptThrottle(clock=clock)
    assert r.request(READ, "m1")
    assert r.next_deadline() == clock.t
    assert r.pop_due() == [PendingReceipt(READ, "m1")]
    assert r.pop_due() == []
    assert r.next_deadline() is None


def test_delivered_waits_300ms(clock: FakeClock) -> None:
    r = ReceiptThrottle(clock=clock)
    r.request(DELIVERED, "m1")
    clock.advance(299)
    assert r.pop_due() == []
    clock.advance(1)
    assert r.pop_due() == [PendingReceipt(DELIVERED, "m1")]


def test_read_within_300ms_supersedes_delivered(clock: FakeClock) -> None:
    r = ReceiptThrottle(clock=clock)
    r.request(DELIVERED, "m1")
    clock.advance(100)
    r.request(READ, "m1")
    assert r.pop_due() == [PendingReceipt(READ, "m1")]
    clock.advance(1000)
    assert r.pop_due() == []
    assert not r.request(DELIVERED, "m1")  # already read


def test_one_send_per_window_and_the_last_request_wins(clock: FakeClock) -> None:
    r = ReceiptThrottle(clock=clock, throttle_ms=5000)
    r.request(READ, "m1")
    assert r.pop_due() == [PendingReceipt(READ, "m1")]
    clock.advance(1000)
    r.request(READ, "m2")
    clock.advance(1000)
    r.request(READ, "m3")
    assert r.pop_due() == []
    assert r.next_deadline() == pytest.approx(clock.t + 3.0)
    clock.advance(2999)
    assert r.pop_due() == []
    clock.advance(1)
    assert r.pop_due() == [PendingReceipt(READ, "m3")]
    clock.advance(10_000)
    assert r.pop_due() == []


def test_request_at_answers_the_earliest_time_or_none(clock: FakeClock) -> None:
    r = ReceiptThrottle(clock=clock)
    assert r.request_at(READ, "m1") == clock.t
    assert r.request_at(DELIVERED, "m2") == pytest.approx(clock.t + 0.3)
    assert r.request_at(DELIVERED, "m2") is None  # asked already
    assert r.request_at(DELIVERED, "m1") is None  # read already
    assert r.request_at(READ, "m3", own_message=True) is None
    assert r.next_deadline() == clock.t  # the read: no throttle window has started yet


def test_duplicates_are_skipped(clock: FakeClock) -> None:
    r = ReceiptThrottle(clock=clock)
    assert r.request(READ, "m1")
    r.pop_due()
    assert not r.request(READ, "m1")
    assert r.request(DELIVERED, "m2")
    assert not r.request(DELIVERED, "m2")


def test_own_messages_disabled_and_ended_send_nothing(clock: FakeClock) -> None:
    r = ReceiptThrottle(clock=clock)
    assert not r.request(READ, "mine", own_message=True)
    off = ReceiptThrottle(clock=clock, enabled=False)
    assert not off.request(READ, "m1")
    r.request(READ, "m1")
    r.request(DELIVERED, "m2")
    r.chat_ended()
    assert r.pop_due() == []
    assert r.next_deadline() is None
    assert not r.request(READ, "m3")


def test_forget_lets_a_failed_receipt_be_requested_again(clock: FakeClock) -> None:
    r = ReceiptThrottle(clock=clock, throttle_ms=0)
    r.request(READ, "m1")
    [sent] = r.pop_due()
    r.forget(sent)
    assert r.request(READ, "m1")


def test_kinds_have_separate_windows(clock: FakeClock) -> None:
    r = ReceiptThrottle(clock=clock)
    r.request(READ, "m1")
    r.request(DELIVERED, "m2")
    assert r.pop_due() == [PendingReceipt(READ, "m1")]
    clock.advance(300)
    assert r.pop_due() == [PendingReceipt(DELIVERED, "m2")]


def test_typing_leading_edge(clock: FakeClock) -> None:
    t = TypingThrottle(clock=clock)
    assert t.should_send()
    clock.advance(9_999)
    assert not t.should_send()
    clock.advance(1)
    assert t.should_send()
    assert not t.should_send()
    t.cancel_last()
    assert t.should_send()
