"""Attachments through the relay: the bytes go to Connect's presigned URLs, never through the WebSocket."""

from __future__ import annotations

import urllib.request

from tests.support.relay import RelayHarness

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def test_upload_and_download_an_attachment(relay: RelayHarness) -> None:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana"})
    relay.wait_for(connection_id, lambda f: f["type"] == "chatStarted")

    relay.send(
        connection_id,
        {
            "action": "sendAttachment",
            "fileName": "photo.png",
            "contentType": "image/png",
            "size": len(PNG),
            "requestId": "up",
        },
    )
    upload = relay.wait_for(connection_id, lambda f: f["type"] == "attachmentUpload")
    assert upload["requestId"] == "up"
    request = urllib.request.Request(upload["url"], data=PNG, method="PUT", headers=upload["headers"])
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200

    relay.send(connection_id, {"action": "sendAttachment", "attachmentId": upload["attachmentId"], "requestId": "done"})
    ack = relay.wait_for(connection_id, lambda f: f["type"] == "ack" and f.get("requestId") == "done")
    assert ack["attachmentId"] == upload["attachmentId"]
    approved = relay.wait_for(
        connection_id,
        lambda f: f["type"] == "item" and f["item"].get("Attachments", [{}])[0].get("Status") == "APPROVED",
        what="the approved attachment item",
    )
    assert approved["item"]["Attachments"][0]["AttachmentName"] == "photo.png"

    relay.send(connection_id, {"action": "getAttachment", "attachmentId": upload["attachmentId"], "requestId": "get"})
    link = relay.wait_for(connection_id, lambda f: f["type"] == "attachmentUrl")
    with urllib.request.urlopen(link["url"], timeout=10) as response:
        assert response.read() == PNG


def test_attachment_limits_are_checked_before_calling_connect(relay: RelayHarness) -> None:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana"})
    relay.new_frames(connection_id)
    relay.send(
        connection_id,
        {"action": "sendAttachment", "fileName": "x.exe", "contentType": "application/x-msdownload", "size": 10},
    )
    [error] = relay.new_frames(connection_id)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"].startswith("contentType: ")
    relay.send(
        connection_id,
        {"action": "sendAttachment", "fileName": "big.pdf", "contentType": "application/pdf", "size": 21 * 1024 * 1024},
    )
    [error] = relay.new_frames(connection_id)
    assert error["code"] == "VALIDATION_ERROR"
    assert "size" in error["message"]
