"""GetTranscript paging: StartPosition, ScanDirection, SortOrder, MaxResults and NextToken."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from .chat import ChatItem
from .errors import participant_validation
from .timeutil import parse_iso

#: The API reference's defaults: 10 results; BACKWARD without StartPosition, FORWARD with it; DESCENDING.
DEFAULT_MAX_RESULTS = 10


@dataclass(frozen=True)
class TranscriptPage:
    """One page of items, in the requested sort order, and the token of the next page."""

    items: list[ChatItem]
    next_token: str | None


def _encode_token(index_id: str, direction: str, sort_order: str, max_results: int, scope: str) -> str:
    raw = json.dumps({"id": index_id, "d": direction, "s": sort_order, "m": max_results, "c": scope})
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_token(token: str, scope: str) -> dict[str, Any]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError) as exc:
        raise participant_validation("NextToken is not valid") from exc
    if not isinstance(decoded, dict) or decoded.get("c") != scope:
        raise participant_validation("NextToken is not valid for this contact")
    return decoded


def page_transcript(items: list[ChatItem], params: dict[str, Any], scope: str) -> TranscriptPage:
    """Select one page of ``items`` (oldest first) as GetTranscript does.

    The start position is included in the page. ``scope`` ties NextTokens to one participant's view.
    """
    start_position = params.get("StartPosition") or {}
    if len([k for k in ("Id", "AbsoluteTime", "MostRecent") if k in start_position]) > 1:
        raise participant_validation("StartPosition takes only one of Id, AbsoluteTime or MostRecent")
    max_results = params.get("MaxResults")
    if max_results is None or max_results == 0:
        max_results = DEFAULT_MAX_RESULTS
    sort_order = params.get("SortOrder") or "DESCENDING"
    direction = params.get("ScanDirection") or ("FORWARD" if start_position else "BACKWARD")
    next_token = params.get("NextToken")
    ids = [item.id for item in items]

    if next_token:
        state = _decode_token(next_token, scope)
        direction, sort_order, max_results = state["d"], state["s"], state["m"]
        if state["id"] not in ids:
            raise participant_validation("NextToken refers to an item that no longer exists")
        start = ids.index(state["id"])
    elif "Id" in start_position:
        if start_position["Id"] not in ids:
            raise participant_validation(f"StartPosition.Id '{start_position['Id']}' is not an item of this chat")
        start = ids.index(start_position["Id"])
    elif "AbsoluteTime" in start_position:
        try:
            moment_ms = int(parse_iso(start_position["AbsoluteTime"]) * 1000)
        except ValueError as exc:
            raise participant_validation(
                "StartPosition.AbsoluteTime must be ISO 8601, e.g. 2019-11-08T02:41:28.172Z"
            ) from exc
        if direction == "FORWARD":
            start = next((i for i, item in enumerate(items) if item.epoch_ms >= moment_ms), len(items))
        else:
            start = max((i for i, item in enumerate(items) if item.epoch_ms <= moment_ms), default=-1)
    elif "MostRecent" in start_position:
        start = max(len(items) - 1 - int(start_position["MostRecent"]), 0)
    else:
        start = 0 if direction == "FORWARD" else len(items) - 1

    if direction == "FORWARD":
        window = items[start : start + max_results] if start < len(items) else []
        following = start + max_results
        has_more = following < len(items)
    else:
        window = items[max(start - max_results + 1, 0) : start + 1] if start >= 0 else []
        following = start - max_results
        has_more = following >= 0
    ordered = sorted(window, key=lambda item: item.epoch_ms, reverse=sort_order == "DESCENDING")
    token = _encode_token(ids[following], direction, sort_order, max_results, scope) if has_more else None
    return TranscriptPage(ordered, token)
