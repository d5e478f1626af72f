"""Attachments: upload URLs, the simulated scan (IN_PROGRESS → APPROVED/REJECTED) and download URLs."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import content_types as ct
from .chat import Attachment, ChatService, Participant
from .errors import conflict, participant_validation, quota_exceeded
from .timeutil import iso_ms

UPLOAD_PATH = "/_attachments/upload/{token}"
DOWNLOAD_PATH = "/_attachments/download/{token}"


@dataclass
class DownloadGrant:
    """A download URL's token."""

    attachment: Attachment
    expires_at: float


class AttachmentStore:
    """StartAttachmentUpload / CompleteAttachmentUpload / GetAttachment and the URLs they hand out."""

    def __init__(self, chats: ChatService) -> None:
        self.chats = chats
        self.uploads: dict[str, Attachment] = {}
        self.downloads: dict[str, DownloadGrant] = {}

    def start_upload(self, participant: Participant, params: dict[str, Any]) -> dict[str, Any]:
        """StartAttachmentUpload: validate type, size and quota; hand out the upload URL."""
        contact = participant.contact
        content_type = params["ContentType"]
        if content_type not in ct.ATTACHMENT_TYPES:
            raise participant_validation(
                f"ContentType '{content_type}' is not an allowed attachment type; "
                f"allowed: {sorted(ct.ATTACHMENT_TYPES)}"
            )
        size = params["AttachmentSizeInBytes"]
        if size > ct.ATTACHMENT_MAX_BYTES:
            raise participant_validation(
                f"AttachmentSizeInBytes {size} exceeds the limit of {ct.ATTACHMENT_MAX_BYTES} bytes (20 MB)"
            )
        if len(contact.attachments) >= self.chats.config.attachment_quota:
            raise quota_exceeded(
                f"The contact already has {len(contact.attachments)} attachments, "
                f"the quota is {self.chats.config.attachment_quota}"
            )
        token = secrets.token_urlsafe(24)
        attachment = Attachment(
            attachment_id=str(uuid.uuid4()),
            contact=contact,
            uploader=participant,
            name=params["AttachmentName"],
            content_type=content_type,
            size=size,
            upload_token=token,
            upload_expires_at=time.time() + self.chats.config.upload_url_ttl,
        )
        contact.attachments[attachment.attachment_id] = attachment
        self.chats.attachments[attachment.attachment_id] = attachment
        self.uploads[token] = attachment
        return {
            "AttachmentId": attachment.attachment_id,
            "UploadMetadata": {
                "Url": self.chats.config.http_base + UPLOAD_PATH.format(token=token),
                "UrlExpiry": iso_ms(attachment.upload_expires_at),
                "HeadersToInclude": {"Content-Type": content_type},
            },
        }

    def complete_upload(self, participant: Participant, params: dict[str, Any]) -> None:
        """CompleteAttachmentUpload: an ATTACHMENT item appears IN_PROGRESS, then the scan decides."""
        for attachment_id in params["AttachmentIds"]:
            attachment = participant.contact.attachments.get(attachment_id)
            if attachment is None or attachment.uploader is not participant:
                raise participant_validation(f"AttachmentId '{attachment_id}' was not started by this participant")
            if attachment.completed_with is not None:
                if attachment.completed_with == params["ClientToken"]:
                    continue
                raise conflict(f"Attachment {attachment_id} was already completed")
            if attachment.data is None:
                raise conflict(f"Attachment {attachment_id} has not been uploaded to its upload URL yet")
            attachment.completed_with = params["ClientToken"]
            attachment.status = "IN_PROGRESS"
            attachment.item = self.chats.new_item(
                participant.contact,
                participant,
                item_type="ATTACHMENT",
                content_type=attachment.content_type,
                extra={"Attachments": [self._attachment_entry(attachment)]},
            )
            self._schedule_scan(attachment)

    def _attachment_entry(self, attachment: Attachment) -> dict[str, Any]:
        return {
            "AttachmentId": attachment.attachment_id,
            "AttachmentName": attachment.name,
            "ContentType": attachment.content_type,
            "Status": attachment.status,
        }

    def _schedule_scan(self, attachment: Attachment) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._scan(attachment)
            return
        loop.call_later(self.chats.config.attachment_scan_delay, self._scan, attachment)

    def _scan(self, attachment: Attachment) -> None:
        attachment.status = "APPROVED" if _passes_scan(attachment) else "REJECTED"
        if attachment.item is not None:
            attachment.item.data["Attachments"] = [self._attachment_entry(attachment)]
            self.chats.announce(attachment.contact, attachment.item)

    def get_attachment(self, participant: Participant, params: dict[str, Any]) -> dict[str, Any]:
        """GetAttachment: a download URL for an approved attachment of the participant's chat."""
        attachment_id = params["AttachmentId"]
        attachment = next(
            (c.attachments[attachment_id] for c in participant.contact.chain() if attachment_id in c.attachments),
            None,
        )
        if attachment is None or attachment.item is None:
            raise participant_validation(f"AttachmentId '{attachment_id}' is not an attachment of this chat")
        if attachment.status != "APPROVED":
            raise participant_validation(
                f"Attachment {attachment_id} is {attachment.status}; only APPROVED attachments can be downloaded"
            )
        expires_at = time.time() + params.get("UrlExpiryInSeconds", 300)
        token = secrets.token_urlsafe(24)
        self.downloads[token] = DownloadGrant(attachment, expires_at)
        return {
            "Url": self.chats.config.http_base + DOWNLOAD_PATH.format(token=token),
            "UrlExpiry": iso_ms(expires_at),
            "AttachmentSizeInBytes": attachment.size,
        }

    # ----------------------------------------------------------------------------------- HTTP routes

    async def handle_upload(self, request: web.Request) -> web.Response:
        """PUT to an upload URL: checks expiry, Content-Type and size like a presigned S3 URL would."""
        attachment = self.uploads.get(request.match_info["token"])
        if attachment is None or attachment.upload_expires_at <= time.time():
            return _s3_error(403, "AccessDenied", "Request has expired or the URL is not valid")
        if request.headers.get("Content-Type", "").split(";")[0].strip() != attachment.content_type:
            return _s3_error(
                403,
                "SignatureDoesNotMatch",
                f"Content-Type must be {attachment.content_type!r}, as in HeadersToInclude",
            )
        body = await request.read()
        if len(body) != attachment.size:
            return _s3_error(
                400,
                "InvalidRequest",
                f"Body is {len(body)} bytes but AttachmentSizeInBytes was {attachment.size}",
            )
        attachment.data = body
        return web.Response(status=200, headers={"ETag": f'"{uuid.uuid4().hex}"'})

    async def handle_download(self, request: web.Request) -> web.Response:
        """GET of a download URL: the bytes that were uploaded."""
        grant = self.downloads.get(request.match_info["token"])
        if grant is None or grant.expires_at <= time.time() or grant.attachment.data is None:
            return _s3_error(403, "AccessDenied", "Request has expired or the URL is not valid")
        attachment = grant.attachment
        return web.Response(
            body=attachment.data,
            content_type=attachment.content_type,
            headers={"Content-Disposition": f'attachment; filename="{attachment.name}"'},
        )


def _passes_scan(attachment: Attachment) -> bool:
    data = attachment.data or b""
    if data.startswith(ct.EXECUTABLE_MAGIC):
        return False
    extension = os.path.splitext(attachment.name)[1].lower()
    if extension not in ct.ATTACHMENT_TYPES[attachment.content_type]:
        return False
    magic = ct.MAGIC_NUMBERS.get(attachment.content_type)
    return magic is None or data.startswith(magic)


def _s3_error(status: int, code: str, message: str) -> web.Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return web.Response(status=status, text=body, content_type="application/xml")
