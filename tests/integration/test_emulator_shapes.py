"""Every response validates against its output shape in botocore's model (and the checker itself works)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from local.connect_emulator.connect_api import SERVED_OPERATIONS
from tests.support.chat import (
    INSTANCE_ID,
    Exchange,
    WireLog,
    botocore_problems,
    check_exchange,
    open_chat,
    send_text,
    wire_log,
)


@pytest.fixture
def wire(connect_client: Any, participant_client: Any) -> Iterator[WireLog]:
    with wire_log(connect_client, participant_client) as log:
        yield log


def test_every_connect_operation_answers_in_its_output_shape(
    connect_client: Any, participant_client: Any, wire: WireLog
) -> None:
    chat = open_chat(connect_client, participant_client, Attributes={"a": "b"})
    streaming = connect_client.start_contact_streaming(
        InstanceId=INSTANCE_ID,
        ContactId=chat.contact_id,
        ChatStreamingConfiguration={"StreamingEndpointArn": "arn:aws:sns:us-west-2:123456789012:shapes"},
        ClientToken=str(uuid.uuid4()),
    )
    connect_client.stop_contact_streaming(
        InstanceId=INSTANCE_ID, ContactId=chat.contact_id, StreamingId=streaming["StreamingId"]
    )
    connect_client.update_contact_attributes(
        InstanceId=INSTANCE_ID, InitialContactId=chat.contact_id, Attributes={"c": "d"}
    )
    connect_client.create_participant(
        InstanceId=INSTANCE_ID, ContactId=chat.contact_id, ParticipantDetails={"ParticipantRole": "CUSTOM_BOT"}
    )
    connect_client.describe_contact(InstanceId=INSTANCE_ID, ContactId=chat.contact_id)
    connect_client.stop_contact(InstanceId=INSTANCE_ID, ContactId=chat.contact_id)
    connect_client.describe_contact(InstanceId=INSTANCE_ID, ContactId=chat.contact_id)

    assert set(SERVED_OPERATIONS) <= wire.operations()
    assert wire.problems() == []


def test_error_responses_are_modeled_errors_of_their_operation(
    connect_client: Any, participant_client: Any, wire: WireLog
) -> None:
    chat = open_chat(connect_client, participant_client)
    send_text(participant_client, chat.connection_token, "x")
    calls: list[Callable[[], Any]] = [
        lambda: participant_client.get_transcript(ConnectionToken="bad"),
        lambda: participant_client.describe_view(ConnectionToken=chat.connection_token, ViewToken="missing"),
        lambda: connect_client.describe_contact(InstanceId=INSTANCE_ID, ContactId=str(uuid.uuid4())),
    ]
    for call in calls:
        with pytest.raises(Exception, match="An error occurred"):
            call()
    assert [e.status for e in wire.exchanges[-3:]] == [403, 404, 404]
    assert wire.problems() == []


def _exchange(operation: str, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Exchange:
    return Exchange(operation, status, headers or {}, json.dumps(body).encode())


def test_the_checker_notices_broken_responses(participant_client: Any, connect_client: Any) -> None:
    """The shape check is only worth something if it fails on responses that break the model."""
    participant = participant_client.meta.service_model
    send_message = participant.operation_model("SendMessage")
    transcript = participant.operation_model("GetTranscript")

    assert check_exchange(send_message, _exchange("SendMessage", {"Id": "a", "AbsoluteTime": "t"})) == []
    assert check_exchange(send_message, _exchange("SendMessage", {"Id": 5}))
    assert check_exchange(send_message, _exchange("SendMessage", {"Id": "a", "Extra": 1}))
    bad_item = {"Transcript": [{"Id": "a", "Type": "NOT_A_TYPE"}]}
    assert check_exchange(transcript, _exchange("GetTranscript", bad_item))
    unknown_nested = {"Transcript": [{"Id": "a", "InitialContactId": "x"}]}
    assert check_exchange(transcript, _exchange("GetTranscript", unknown_nested))
    unmodeled = _exchange("SendMessage", {"message": "m"}, 409, {"x-amzn-errortype": "ConflictException:x"})
    assert check_exchange(send_message, unmodeled)
    wrong_status = _exchange("SendMessage", {"message": "m"}, 400, {"x-amzn-errortype": "ThrottlingException:x"})
    assert check_exchange(send_message, wrong_status)
    assert botocore_problems(send_message, {"Id": 5})
    describe = connect_client.meta.service_model.operation_model("DescribeContact")
    assert botocore_problems(describe, {"Contact": {"Id": ["not", "a", "string"]}})
