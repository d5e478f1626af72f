"""Counting the AWS calls a piece of code makes, and what its DynamoDB calls cost in capacity units.

Every botocore client created while a :class:`CallCounter` is installed gets a ``before-parameter-build`` and an
``after-call`` hook. Only calls made from the counting thread are counted (servers on loopback in the same
process make calls of their own). DynamoDB capacity is priced by DynamoDB's rules from the sizes of the items
each call touched, read back through a client of the counter's own (moto reports a fixed figure):

* reads: 4 KB units of the items read (the whole item, whatever the projection), half price when eventually
  consistent; a Query sums the items it matched before rounding;
* writes: 1 KB units of the larger of the item before and after (a failed condition still costs its write);
* transactions: twice the units of each item written.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.session

_WRITES = ("PutItem", "UpdateItem", "DeleteItem")


def attribute_size(value: Mapping[str, Any]) -> int:
    """Bytes DynamoDB counts for one typed attribute value."""
    if "S" in value:
        return len(value["S"].encode())
    if "N" in value:
        digits = value["N"].lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if "B" in value:
        return len(value["B"])
    if "M" in value:
        return 3 + sum(len(k.encode()) + attribute_size(v) + 1 for k, v in value["M"].items())
    if "L" in value:
        return 3 + sum(attribute_size(v) + 1 for v in value["L"])
    return 1  # BOOL, NULL


def item_size(item: Mapping[str, Any] | None) -> int:
    """Bytes DynamoDB counts for an item (names plus values)."""
    if not item:
        return 0
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


@dataclass
class Tally:
    """Calls by ``service:Operation`` and DynamoDB capacity units, for one measured piece of code."""

    calls: Counter[str] = field(default_factory=Counter)
    rcu: float = 0.0
    wcu: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    @property
    def dynamodb_requests(self) -> int:
        return sum(n for name, n in self.calls.items() if name.startswith("dynamodb:"))

    def describe(self) -> str:
        names = ", ".join(
            f"{name.split(':')[1]} x{n}" if n > 1 else name.split(":")[1] for name, n in self.calls.items()
        )
        dynamodb = f"DynamoDB {self.dynamodb_requests} requests, {self.rcu:g} RCU, {self.wcu:g} WCU"
        return f"{self.total} calls ({names}); {dynamodb}"


class CallCounter:
    """Hooks every botocore client created while installed; :meth:`measure` collects one :class:`Tally`.

    Parameters
    ----------
    pricing_client : botocore client
        A ``dynamodb`` client, created before installing, used to read items for pricing (never counted).
    """

    def __init__(self, pricing_client: Any) -> None:
        self._pricing = pricing_client
        self._tally: Tally | None = None
        self._thread: int | None = None
        self._original = botocore.session.Session.create_client

    @contextmanager
    def installed(self) -> Iterator[CallCounter]:
        counter = self
        original = self._original

        def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(session, *args, **kwargs)
            client.meta.events.register("before-parameter-build", counter._before_call)
            client.meta.events.register("after-call", counter._after_call)
            return client

        botocore.session.Session.create_client = create_client  # type: ignore[method-assign,assignment]
        try:
            yield self
        finally:
            botocore.session.Session.create_client = original  # type: ignore[method-assign]

    @contextmanager
    def measure(self) -> Iterator[Tally]:
        """Count what the calling thread calls inside the ``with`` block."""
        tally = Tally()
        self._tally, self._thread = tally, threading.get_ident()
        try:
            yield tally
        finally:
            self._tally, self._thread = None, None

    def _counting(self) -> bool:
        return self._tally is not None and threading.get_ident() == self._thread

    def _before_call(self, model: Any, params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
        if not self._counting() or model.service_model.service_name != "dynamodb":
            return
        context["bench_params"] = dict(params)
        if model.name in _WRITES:
            context["bench_before"] = item_size(self._read(params["TableName"], params.get("Key"), params))

    def _after_call(self, model: Any, parsed: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
        if not self._counting():
            return
        assert self._tally is not None
        service = model.service_model.service_name
        self._tally.calls[f"{service}:{model.name}"] += 1
        if service == "dynamodb":
            self._price(model.name, context.get("bench_params", {}), parsed, context.get("bench_before", 0))

    def _read(self, table: str, key: Mapping[str, Any] | None, body: Mapping[str, Any]) -> dict[str, Any] | None:
        if key is None:  # PutItem: the key is in the item
            item = body["Item"]
            key = {name: item[name] for name in ("pk", "sk") if name in item}
        answer: dict[str, Any] = self._pricing.get_item(TableName=table, Key=key, ConsistentRead=True)
        return answer.get("Item")

    def _price(self, operation: str, body: Mapping[str, Any], parsed: Mapping[str, Any], before: int) -> None:
        assert self._tally is not None
        read_factor = 1.0 if body.get("ConsistentRead") else 0.5
        if operation == "GetItem":
            size = item_size(self._read(body["TableName"], body["Key"], body))
            self._tally.rcu += max(1, math.ceil(size / 4096)) * read_factor
        elif operation == "Query":
            size = sum(item_size(self._read(body["TableName"], _key_of(i), body)) for i in parsed.get("Items", []))
            self._tally.rcu += max(1, math.ceil(size / 4096)) * read_factor
        elif operation in _WRITES:
            key = body.get("Key")
            after = 0 if operation == "DeleteItem" else item_size(self._read(body["TableName"], key, body))
            self._tally.wcu += max(1, math.ceil(max(before, after) / 1024))
        elif operation == "TransactWriteItems":
            for step in body["TransactItems"]:
                ((kind, detail),) = step.items()
                key = detail.get("Key")
                size = item_size(self._read(detail["TableName"], key, detail)) if kind != "Delete" else 0
                self._tally.wcu += 2 * max(1, math.ceil(size / 1024))


def _key_of(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in ("pk", "sk") if name in item}
