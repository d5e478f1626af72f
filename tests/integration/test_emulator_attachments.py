"""Attachments: StartAttachmentUpload → PUT → CompleteAttachmentUpload → scan → GetAttachment."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
import uuid
from typing import Any

import boto3
import pytest

from tests.support.chat import (
    NO_CLIENT_VALIDATION,
    Chat,
    ChatSocket,
    async_wait_for,
    find,
    join_agent,
    open_chat,
    wait_for,
    whole_transcript,
)

pytestmark = pytest.mark.usefixtures("wire", "agent_off")

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _start(participant_client: Any, chat: Chat, name: str, content_type: str, size: int) -> dict[str, Any]:
    return dict(
        participant_client.start_attachment_upload(
            ConnectionToken=chat.connection_token,
            ContentType=content_type,
            AttachmentSizeInBytes=size,
            AttachmentName=name,
            ClientToken=str(uuid.uuid4()),
        )
    )


def _put(url: str, data: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=data, method="PUT", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return int(error.code), error.read(), ""


def _upload(participant_client: Any, chat: Chat, name: str, content_type: str, data: bytes) -> str:
    started = _start(participant_client, chat, name, content_type, len(data))
    metadata = started["UploadMetadata"]
    assert _put(metadata["Url"], data, metadata["HeadersToInclude"]) == 200
    participant_client.complete_attachment_upload(
        ConnectionToken=chat.connection_token, AttachmentIds=[started["AttachmentId"]], ClientToken=str(uuid.uuid4())
    )
    return str(started["AttachmentId"])


def _status(participant_client: Any, chat: Chat, attachment_id: str) -> str | None:
    for item in whole_transcript(participant_client, chat.connection_token):
        for attachment in item.get("Attachments", []):
            if attachment["AttachmentId"] == attachment_id:
                return str(attachment["Status"])
    return None


async def test_upload_scan_and_download(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)

    started = _start(participant_client, chat, "photo.png", "image/png", len(PNG))
    metadata = started["UploadMetadata"]
    assert metadata["HeadersToInclude"] == {"Content-Type": "image/png"}
    assert dt.datetime.fromisoformat(metadata["UrlExpiry"].replace("Z", "+00:00")) > dt.datetime.now(dt.UTC)
    assert _put(metadata["Url"], PNG, metadata["HeadersToInclude"]) == 200
    participant_client.complete_attachment_upload(
        ConnectionToken=chat.connection_token, AttachmentIds=[started["AttachmentId"]], ClientToken=str(uuid.uuid4())
    )

    def pushed(status: str) -> Any:
        async def probe() -> dict[str, Any] | None:
            return next(
                (
                    item
                    for item in socket.items
                    if item["Type"] == "ATTACHMENT" and item["Attachments"][0]["Status"] == status
                ),
                None,
            )

        return probe

    in_progress = await async_wait_for(pushed("IN_PROGRESS"))
    approved = await async_wait_for(pushed("APPROVED"))
    assert in_progress["Id"] == approved["Id"]
    assert approved["ContentType"] == "image/png"
    assert approved["Attachments"][0] == {
        "AttachmentId": started["AttachmentId"],
        "AttachmentName": "photo.png",
        "ContentType": "image/png",
        "Status": "APPROVED",
    }
    assert approved["ParticipantRole"] == "CUSTOMER"
    stored = find(whole_transcript(participant_client, chat.connection_token), Id=approved["Id"])
    assert stored is not None
    assert stored["Attachments"][0]["Status"] == "APPROVED"

    got = participant_client.get_attachment(
        ConnectionToken=chat.connection_token, AttachmentId=started["AttachmentId"], UrlExpiryInSeconds=60
    )
    assert got["AttachmentSizeInBytes"] == len(PNG)
    expiry = dt.datetime.fromisoformat(got["UrlExpiry"].replace("Z", "+00:00"))
    assert dt.timedelta(seconds=50) < expiry - dt.datetime.now(dt.UTC) <= dt.timedelta(seconds=61)
    status, body, content_type = _get(got["Url"])
    assert (status, body, content_type) == (200, PNG, "image/png")
    await socket.close()


def test_the_agent_can_download_the_customers_attachment(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    chat = open_chat(connect_client, participant_client)
    agent = join_agent(emulator, participant_client, chat.contact_id)
    attachment_id = _upload(participant_client, chat, "notes.txt", "text/plain", b"some notes")
    wait_for(lambda: _status(participant_client, chat, attachment_id) == "APPROVED")
    got = participant_client.get_attachment(ConnectionToken=agent.connection_token, AttachmentId=attachment_id)
    assert _get(got["Url"])[1] == b"some notes"


def test_put_with_wrong_size_or_type_is_rejected(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    started = _start(participant_client, chat, "a.txt", "text/plain", 5)
    url = started["UploadMetadata"]["Url"]

    assert _put(url, b"12345", {"Content-Type": "application/pdf"}) == 403
    assert _put(url, b"123456", {"Content-Type": "text/plain"}) == 400
    assert _put(url, b"1234", {"Content-Type": "text/plain"}) == 400
    assert _put(url + "x", b"12345", {"Content-Type": "text/plain"}) == 403
    with pytest.raises(participant_client.exceptions.ConflictException):
        participant_client.complete_attachment_upload(
            ConnectionToken=chat.connection_token, AttachmentIds=[started["AttachmentId"]], ClientToken="t"
        )
    assert _put(url, b"12345", {"Content-Type": "text/plain"}) == 200


@pytest.mark.parametrize(
    ("name", "content_type", "data"),
    [
        ("setup.exe", "text/plain", b"harmless text"),
        ("notes.txt", "text/plain", b"MZ\x90\x00 executable"),
        ("script.txt", "text/plain", b"#!/bin/sh\nrm -rf /"),
        ("fake.png", "image/png", b"not really a png"),
    ],
)
def test_disallowed_content_is_rejected_by_the_scan(
    connect_client: Any, participant_client: Any, name: str, content_type: str, data: bytes
) -> None:
    chat = open_chat(connect_client, participant_client)
    attachment_id = _upload(participant_client, chat, name, content_type, data)

    wait_for(lambda: _status(participant_client, chat, attachment_id) == "REJECTED")
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.get_attachment(ConnectionToken=chat.connection_token, AttachmentId=attachment_id)


def test_attachment_over_20_mb_is_refused(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    _start(participant_client, chat, "big.pdf", "application/pdf", 20 * 1024 * 1024)
    with pytest.raises(participant_client.exceptions.ValidationException) as caught:
        _start(participant_client, chat, "big.pdf", "application/pdf", 20 * 1024 * 1024 + 1)
    assert "AttachmentSizeInBytes" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize("content_type", ["application/x-msdownload", "image/gif", "text/html"])
def test_disallowed_type_is_refused(connect_client: Any, participant_client: Any, content_type: str) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(participant_client.exceptions.ValidationException):
        _start(participant_client, chat, "file.bin", content_type, 10)


def test_zero_size_is_refused_by_the_model(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    loose = boto3.client(
        "connectparticipant", region_name="us-west-2", endpoint_url=emulator.url, config=NO_CLIENT_VALIDATION
    )
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(loose.exceptions.ValidationException):
        _start(loose, chat, "a.txt", "text/plain", 0)


def test_complete_is_idempotent_on_client_token(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    started = _start(participant_client, chat, "a.txt", "text/plain", 3)
    assert _put(started["UploadMetadata"]["Url"], b"abc", {"Content-Type": "text/plain"}) == 200
    request = {
        "ConnectionToken": chat.connection_token,
        "AttachmentIds": [started["AttachmentId"]],
        "ClientToken": "same-token",
    }
    participant_client.complete_attachment_upload(**request)
    participant_client.complete_attachment_upload(**request)
    with pytest.raises(participant_client.exceptions.ConflictException):
        participant_client.complete_attachment_upload(**{**request, "ClientToken": "another-token"})
    attachments = [i for i in whole_transcript(participant_client, chat.connection_token) if i["Type"] == "ATTACHMENT"]
    assert len(attachments) == 1


def test_unknown_attachment_is_refused(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.get_attachment(ConnectionToken=chat.connection_token, AttachmentId="nope")
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.complete_attachment_upload(
            ConnectionToken=chat.connection_token, AttachmentIds=["nope"], ClientToken="t"
        )


def test_download_url_of_unknown_token_is_refused(emulator: Any) -> None:
    status, body, _ = _get(f"{emulator.url}/_attachments/download/nope")
    assert status == 403
    assert b"AccessDenied" in body
