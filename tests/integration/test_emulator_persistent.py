"""Persistent chat: a new contact continues an ended one and rehydrates its transcript."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.chat import (
    INSTANCE_ID,
    REHYDRATED,
    find,
    open_chat,
    send_text,
    start_chat,
    whole_transcript,
)

pytestmark = pytest.mark.usefixtures("wire", "agent_off")


@pytest.mark.parametrize("rehydration", ["ENTIRE_PAST_SESSION", "FROM_SEGMENT"])
def test_new_contact_continues_an_ended_chat(connect_client: Any, participant_client: Any, rehydration: str) -> None:
    old = open_chat(connect_client, participant_client)
    said = send_text(participant_client, old.connection_token, "remember me")
    connect_client.stop_contact(InstanceId=INSTANCE_ID, ContactId=old.contact_id)

    new = open_chat(
        connect_client,
        participant_client,
        PersistentChat={"RehydrationType": rehydration, "SourceContactId": old.contact_id},
    )

    assert new.start_response["ContinuedFromContactId"] == old.contact_id
    assert new.contact_id != old.contact_id
    items = whole_transcript(participant_client, new.connection_token)
    carried = find(items, Id=said["Id"])
    assert carried is not None
    assert carried["ContactId"] == old.contact_id
    rehydrated = find(items, ContentType=REHYDRATED)
    assert rehydrated is not None
    assert rehydrated["ContactId"] == new.contact_id
    assert items.index(carried) < items.index(rehydrated)
    described = connect_client.describe_contact(InstanceId=INSTANCE_ID, ContactId=new.contact_id)["Contact"]
    assert described["PreviousContactId"] == old.contact_id

    # ContactId narrows the transcript to one contact of the chain.
    only_old = whole_transcript(participant_client, new.connection_token, ContactId=old.contact_id)
    assert {i["ContactId"] for i in only_old} == {old.contact_id}
    only_new = whole_transcript(participant_client, new.connection_token, ContactId=new.contact_id)
    assert {i["ContactId"] for i in only_new} == {new.contact_id}
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.get_transcript(ConnectionToken=new.connection_token, ContactId=str(uuid.uuid4()))


def test_a_chain_of_three_contacts(connect_client: Any, participant_client: Any) -> None:
    first = open_chat(connect_client, participant_client)
    one = send_text(participant_client, first.connection_token, "one")
    participant_client.disconnect_participant(ConnectionToken=first.connection_token)
    second = open_chat(
        connect_client,
        participant_client,
        PersistentChat={"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": first.contact_id},
    )
    two = send_text(participant_client, second.connection_token, "two")
    participant_client.disconnect_participant(ConnectionToken=second.connection_token)

    third = open_chat(
        connect_client,
        participant_client,
        PersistentChat={"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": first.contact_id},
    )

    assert third.start_response["ContinuedFromContactId"] == second.contact_id
    messages = [i["Id"] for i in whole_transcript(participant_client, third.connection_token) if i["Type"] == "MESSAGE"]
    assert messages == [one["Id"], two["Id"]]


def test_active_source_is_refused(connect_client: Any) -> None:
    active = start_chat(connect_client)
    for rehydration in ("ENTIRE_PAST_SESSION", "FROM_SEGMENT"):
        with pytest.raises(connect_client.exceptions.InvalidRequestException):
            start_chat(
                connect_client,
                PersistentChat={"RehydrationType": rehydration, "SourceContactId": active.contact_id},
            )


def test_unknown_source_is_not_found(connect_client: Any) -> None:
    for rehydration in ("ENTIRE_PAST_SESSION", "FROM_SEGMENT"):
        with pytest.raises(connect_client.exceptions.ResourceNotFoundException):
            start_chat(
                connect_client,
                PersistentChat={"RehydrationType": rehydration, "SourceContactId": str(uuid.uuid4())},
            )


def test_incomplete_persistent_chat_is_refused(connect_client: Any) -> None:
    ended = start_chat(connect_client)
    connect_client.stop_contact(InstanceId=INSTANCE_ID, ContactId=ended.contact_id)
    with pytest.raises(connect_client.exceptions.InvalidRequestException):
        start_chat(connect_client, PersistentChat={"SourceContactId": ended.contact_id})
