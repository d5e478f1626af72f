"""Chat budgets: how many chats one source IP may start, and keep active, and how many the relay keeps active in all.

Every chat is a billed Amazon Connect contact that counts against the instance's concurrent chat quota, and the
endpoints are public: these counters, in the session table, keep one client from exhausting either.

==============================  ==========  ============================================================
pk                              sk          holds
==============================  ==========  ============================================================
``IP#<sourceIp>``               ``W#<n>``   ``started``: chats started in window ``n`` (expires with it)
``IP#<sourceIp>``               ``ACTIVE``  ``active``: the IP's relay chats not yet ended (expires a day
                                            after its last start, so a count that missed an end heals)
``GLOBAL``                      ``ACTIVE``  ``active``: every relay chat not yet ended (the sweeper sets it
                                            to the true count every minute)
==============================  ==========  ============================================================

A ``startChat`` reserves all three in the transaction that also counts its frame (no extra request); a chat's
end releases the two active counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, NamedTuple

from common import contract
from common.settings import Settings

_PK: Final = contract.TABLE_PARTITION_KEY
_SK: Final = contract.TABLE_SORT_KEY
_TTL: Final = contract.TABLE_TTL_ATTRIBUTE
#: An address's active count outlives its chats' longest life by this much, then starts over.
ACTIVE_GRACE_SECONDS: Final = 24 * 3600
#: How long after a refused start a client should wait when the limit is on chats still running.
ACTIVE_RETRY_SECONDS: Final = 60

BUDGET_EXCEEDED: Final = "BUDGET_EXCEEDED"
BUSY: Final = "BUSY"


class BudgetLimits(NamedTuple):
    """The deployment's chat budgets (see ``common.settings.Settings``)."""

    starts_per_ip: int
    window_seconds: int
    active_per_ip: int
    active_cap: int
    #: An IP's active count outlives its last start by this much (its chats' longest life), then starts over.
    active_lifetime_seconds: int


class BudgetRefusal(NamedTuple):
    """Why a chat may not start now, in the protocol's words, and when to try again."""

    code: str
    message: str
    retry_after: int


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {_PK: {"S": pk}, _SK: {"S": sk}}


class ChatBudgets:
    """The budget counters of one deployment.

    Parameters
    ----------
    table_name : str
        The session table.
    client : botocore client
        A ``dynamodb`` client.
    limits : BudgetLimits
        The budgets.
    """

    def __init__(self, table_name: str, client: Any, limits: BudgetLimits) -> None:
        self.table_name = table_name
        self.client = client
        self.limits = limits

    @classmethod
    def from_settings(cls, settings: Settings, client: Any) -> ChatBudgets:
        """The deployment's budgets, counted in its session table through ``client``."""
        limits = BudgetLimits(
            starts_per_ip=settings.chat_starts_per_ip,
            window_seconds=settings.chat_start_window_seconds,
            active_per_ip=settings.active_chats_per_ip,
            active_cap=settings.active_chat_cap,
            active_lifetime_seconds=settings.chat_duration_minutes * 60 + ACTIVE_GRACE_SECONDS,
        )
        return cls(settings.table_name, client, limits)

    def _window(self, now: float) -> tuple[int, int]:
        """The current window's number and the second it ends."""
        number = int(now // self.limits.window_seconds)
        return number, (number + 1) * self.limits.window_seconds

    def _update(self, key: dict[str, Any], expression: str, condition: str, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": key,
                "UpdateExpression": expression,
                "ConditionExpression": condition,
                "ExpressionAttributeValues": values,
            }
        }

    def reservation(self, source_ip: str, now: float) -> list[dict[str, Any]]:
        """Transaction steps that count one more chat for ``source_ip`` (its window and its active chats) and in
        all, each refused at its limit; :meth:`refusal` explains which one refused."""
        number, ends = self._window(now)
        ip = f"IP#{source_ip}"
        return [
            self._update(
                _key(ip, f"W#{number}"),
                f"ADD started :one SET {_TTL} = :window_ends",
                "attribute_not_exists(started) OR started < :most",
                {
                    ":one": {"N": "1"},
                    ":most": {"N": str(self.limits.starts_per_ip)},
                    ":window_ends": {"N": str(ends + 60)},
                },
            ),
            self._update(
                _key(ip, "ACTIVE"),
                f"ADD active :one SET {_TTL} = :lifetime",
                "attribute_not_exists(active) OR active < :most",
                {
                    ":one": {"N": "1"},
                    ":most": {"N": str(self.limits.active_per_ip)},
                    ":lifetime": {"N": str(int(now) + self.limits.active_lifetime_seconds)},
                },
            ),
            self._update(
                _key("GLOBAL", "ACTIVE"),
                "ADD active :one",
                "attribute_not_exists(active) OR active < :most",
                {":one": {"N": "1"}, ":most": {"N": str(self.limits.active_cap)}},
            ),
        ]

    def refusal(self, failed: Sequence[bool], now: float) -> BudgetRefusal:
        """The refusal for the reservation steps that failed (in :meth:`reservation`'s order)."""
        window_full, ip_active_full, cap_full = failed
        if window_full:
            _, ends = self._window(now)
            limit = self.limits.starts_per_ip
            return BudgetRefusal(
                BUDGET_EXCEEDED,
                f"this address started {limit} chats recently; try again later",
                max(1, int(ends - now)),
            )
        if ip_active_full:
            limit = self.limits.active_per_ip
            return BudgetRefusal(
                BUDGET_EXCEEDED, f"this address has {limit} chats open; end one first", ACTIVE_RETRY_SECONDS
            )
        if cap_full:
            return BudgetRefusal(BUSY, "every agent line is busy; try again shortly", ACTIVE_RETRY_SECONDS // 2)
        raise ValueError("no reservation step failed")

    def count_start(self, source_ip: str, now: float) -> BudgetRefusal | None:
        """Count one chat started by ``source_ip`` outside the relay (``POST /start-chat``, whose chats the relay
        never sees end, so only the window applies): one conditional UpdateItem."""
        step = self.reservation(source_ip, now)[0]["Update"]
        try:
            self.client.update_item(**step)
        except self.client.exceptions.ConditionalCheckFailedException:
            return self.refusal((True, False, False), now)
        return None

    def release(self, source_ip: str) -> None:
        """A relay chat of ``source_ip`` ended (or never started): one transaction taking it off both counts."""
        steps = [
            self._update(_key(f"IP#{source_ip}", "ACTIVE"), "ADD active :minus", "active > :zero", {}),
            self._update(_key("GLOBAL", "ACTIVE"), "ADD active :minus", "active > :zero", {}),
        ]
        for step in steps:
            step["Update"]["ExpressionAttributeValues"] = {":minus": {"N": "-1"}, ":zero": {"N": "0"}}
        try:
            self.client.transact_write_items(TransactItems=steps)
        except self.client.exceptions.TransactionCanceledException:
            # A count already at zero (it expired or was set by the sweeper): release the other one alone.
            for step in steps:
                try:
                    self.client.update_item(**step["Update"])
                except self.client.exceptions.ConditionalCheckFailedException:
                    continue

    def set_active_total(self, count: int) -> None:
        """Set the relay's active-chat count to ``count`` (the sweeper's reconciliation)."""
        self.client.update_item(
            TableName=self.table_name,
            Key=_key("GLOBAL", "ACTIVE"),
            UpdateExpression="SET active = :count",
            ExpressionAttributeValues={":count": {"N": str(count)}},
        )
