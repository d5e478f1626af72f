"""GetTranscript paging: MaxResults, NextToken, ScanDirection, SortOrder and StartPosition."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.chat import (
    TYPING,
    Chat,
    open_chat,
    send_text,
    whole_transcript,
)

pytestmark = pytest.mark.usefixtures("wire")

MESSAGES = 25


@dataclass
class Filled:
    chat: Chat
    items: list[dict[str, Any]]

    @property
    def ids(self) -> list[str]:
        return [i["Id"] for i in self.items]


@pytest.fixture
def filled(connect_client: Any, participant_client: Any, emulator: Any) -> Filled:
    """A chat holding the customer's join and 25 messages (no agent), and its whole transcript."""
    emulator.control("POST", "/config", {"agentEnabled": False})
    chat = open_chat(connect_client, participant_client)
    for n in range(MESSAGES):
        send_text(participant_client, chat.connection_token, f"message {n}")
        participant_client.send_event(ConnectionToken=chat.connection_token, ContentType=TYPING)
    items = whole_transcript(participant_client, chat.connection_token)
    assert len(items) == MESSAGES + 1
    return Filled(chat, items)


def _ids(page: dict[str, Any]) -> list[str]:
    return [item["Id"] for item in page["Transcript"]]


def _time(item: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(item["AbsoluteTime"].replace("Z", "+00:00"))


def test_items_have_unique_ids_and_strictly_increasing_times(filled: Filled) -> None:
    assert len(set(filled.ids)) == len(filled.ids)
    times = [_time(i) for i in filled.items]
    assert all(a < b for a, b in itertools.pairwise(times))
    for item in filled.items:
        assert len(item["AbsoluteTime"]) == len("2019-11-08T02:41:28.172Z")
        assert item["AbsoluteTime"].endswith("Z")
    assert not [i for i in filled.items if i["ContentType"] == TYPING]


def test_defaults_are_ten_most_recent_descending(participant_client: Any, filled: Filled) -> None:
    page = participant_client.get_transcript(ConnectionToken=filled.chat.connection_token)

    assert _ids(page) == list(reversed(filled.ids[-10:]))
    assert page["NextToken"]
    older = participant_client.get_transcript(ConnectionToken=filled.chat.connection_token, NextToken=page["NextToken"])
    assert _ids(older) == list(reversed(filled.ids[-20:-10]))


def test_max_results_zero_means_the_default(participant_client: Any, filled: Filled) -> None:
    page = participant_client.get_transcript(ConnectionToken=filled.chat.connection_token, MaxResults=0)
    assert len(page["Transcript"]) == 10


@pytest.mark.parametrize("sort_order", ["ASCENDING", "DESCENDING"])
@pytest.mark.parametrize("max_results", [1, 7, 100])
def test_paging_backward_visits_every_item_once(
    participant_client: Any, filled: Filled, sort_order: str, max_results: int
) -> None:
    seen: list[str] = []
    request: dict[str, Any] = {
        "ConnectionToken": filled.chat.connection_token,
        "MaxResults": max_results,
        "SortOrder": sort_order,
    }
    pages = 0
    while True:
        page = participant_client.get_transcript(**request)
        pages += 1
        ids = _ids(page)
        assert len(ids) <= max_results
        times = [_time(i) for i in page["Transcript"]]
        assert times == sorted(times, reverse=sort_order == "DESCENDING")
        seen = sorted(ids, key=filled.ids.index) + seen
        if not page.get("NextToken"):
            break
        request = {"ConnectionToken": filled.chat.connection_token, "NextToken": page["NextToken"]}
    assert seen == filled.ids
    assert pages == -(-len(filled.ids) // max_results)


def test_paging_forward_from_the_oldest(participant_client: Any, filled: Filled) -> None:
    seen: list[str] = []
    request: dict[str, Any] = {
        "ConnectionToken": filled.chat.connection_token,
        "MaxResults": 4,
        "ScanDirection": "FORWARD",
        "SortOrder": "ASCENDING",
    }
    while True:
        page = participant_client.get_transcript(**request)
        seen += _ids(page)
        if not page.get("NextToken"):
            break
        request = {"ConnectionToken": filled.chat.connection_token, "NextToken": page["NextToken"]}
    assert seen == filled.ids


def test_start_position_id_defaults_to_forward(participant_client: Any, filled: Filled) -> None:
    start = filled.ids[5]
    page = participant_client.get_transcript(
        ConnectionToken=filled.chat.connection_token, StartPosition={"Id": start}, MaxResults=3, SortOrder="ASCENDING"
    )
    assert _ids(page) == filled.ids[5:8]


def test_start_position_id_backward(participant_client: Any, filled: Filled) -> None:
    page = participant_client.get_transcript(
        ConnectionToken=filled.chat.connection_token,
        StartPosition={"Id": filled.ids[5]},
        ScanDirection="BACKWARD",
        MaxResults=3,
    )
    assert _ids(page) == [filled.ids[5], filled.ids[4], filled.ids[3]]
    assert page["NextToken"]


def test_start_position_absolute_time(participant_client: Any, filled: Filled) -> None:
    moment = filled.items[10]["AbsoluteTime"]
    forward = participant_client.get_transcript(
        ConnectionToken=filled.chat.connection_token,
        StartPosition={"AbsoluteTime": moment},
        MaxResults=2,
        SortOrder="ASCENDING",
    )
    backward = participant_client.get_transcript(
        ConnectionToken=filled.chat.connection_token,
        StartPosition={"AbsoluteTime": moment},
        ScanDirection="BACKWARD",
        MaxResults=2,
        SortOrder="ASCENDING",
    )
    assert _ids(forward) == filled.ids[10:12]
    assert _ids(backward) == filled.ids[9:11]


def test_start_position_most_recent(participant_client: Any, filled: Filled) -> None:
    page = participant_client.get_transcript(
        ConnectionToken=filled.chat.connection_token,
        StartPosition={"MostRecent": 3},
        SortOrder="ASCENDING",
    )
    assert _ids(page) == filled.ids[-4:]
    assert "NextToken" not in page


def test_start_position_takes_one_member(participant_client: Any, filled: Filled) -> None:
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.get_transcript(
            ConnectionToken=filled.chat.connection_token, StartPosition={"Id": filled.ids[0], "MostRecent": 1}
        )
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.get_transcript(
            ConnectionToken=filled.chat.connection_token, StartPosition={"AbsoluteTime": "yesterday"}
        )


def test_next_token_of_another_participant_is_refused(
    connect_client: Any, participant_client: Any, filled: Filled
) -> None:
    page = participant_client.get_transcript(ConnectionToken=filled.chat.connection_token, MaxResults=2)
    other = open_chat(connect_client, participant_client)
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.get_transcript(ConnectionToken=other.connection_token, NextToken=page["NextToken"])


def test_new_items_after_paging_started_do_not_disturb_a_backward_scan(participant_client: Any, filled: Filled) -> None:
    first = participant_client.get_transcript(ConnectionToken=filled.chat.connection_token, MaxResults=5)
    send_text(participant_client, filled.chat.connection_token, "late")
    second = participant_client.get_transcript(
        ConnectionToken=filled.chat.connection_token, NextToken=first["NextToken"]
    )
    assert _ids(second) == list(reversed(filled.ids[-10:-5]))
