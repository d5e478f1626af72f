"""Enumerations of the public API."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ReceiptKind", "ScanDirection", "SessionType", "SortOrder"]


class SessionType(StrEnum):
    """Who the session acts as (ChatJS ``SessionTypes``)."""

    CUSTOMER = "CUSTOMER"
    AGENT = "AGENT"


class ReceiptKind(StrEnum):
    """A message receipt."""

    READ = "read"
    DELIVERED = "delivered"


class SortOrder(StrEnum):
    """``GetTranscript`` ``SortOrder``."""

    ASCENDING = "ASCENDING"
    DESCENDING = "DESCENDING"


class ScanDirection(StrEnum):
    """``GetTranscript`` ``ScanDirection``."""

    FORWARD = "FORWARD"
    BACKWARD = "BACKWARD"
