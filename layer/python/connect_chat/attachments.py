"""Attachment bytes: reading what the caller gives (bytes, a path, a file object) and moving them over HTTP.

The Participant Service hands out presigned URLs; the bytes travel with plain HTTP PUT/GET. Unlike ChatJS, the
upload's HTTP status is checked.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from connect_chat.errors import AttachmentError, InvalidArgumentError
from connect_chat.protocol import content_types as ct
from connect_chat.validation import validate_attachment

__all__ = ["AttachmentSource", "PreparedAttachment", "download", "prepare_attachment", "upload"]

AttachmentSource = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO
"""What ``send_attachment`` accepts: bytes (with ``name``), a path, or a binary file object."""


@dataclass(frozen=True, slots=True)
class PreparedAttachment:
    """Validated attachment bytes with name and MIME type."""

    name: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


def _guess_type(name: str) -> str | None:
    return ct.EXTENSION_CONTENT_TYPES.get(Path(name).suffix.lower())


def prepare_attachment(
    attachment: Any, *, name: str | None = None, content_type: str | None = None
) -> PreparedAttachment:
    """Read and validate an attachment.

    Parameters
    ----------
    attachment : bytes | str | os.PathLike | BinaryIO
        The bytes, a file path, or a file object opened in binary mode.
    name : str, optional
        File name (required with bytes; defaults to the path's or file object's name).
    content_type : str, optional
        MIME type (default: from the name's extension).

    Returns
    -------
    PreparedAttachment
        Name, type and bytes.

    Raises
    ------
    InvalidArgumentError
        Missing name, unknown type, empty or larger than 20 MB, unreadable file.
    """
    data: bytes
    if isinstance(attachment, bytes | bytearray | memoryview):
        data = bytes(attachment)
        if name is None:
            raise InvalidArgumentError("name", "is required when the attachment is given as bytes")
    elif isinstance(attachment, str | os.PathLike):
        path = Path(attachment)
        if not path.is_file():
            raise InvalidArgumentError("attachment", f"no such file: {path}")
        size = path.stat().st_size
        if size > ct.MAX_ATTACHMENT_SIZE_BYTES:
            validate_attachment(name or path.name, size, content_type or _guess_type(path.name))
        data = path.read_bytes()
        name = name or path.name
    elif hasattr(attachment, "read"):
        raw = attachment.read(ct.MAX_ATTACHMENT_SIZE_BYTES + 1)
        if not isinstance(raw, bytes):
            raise InvalidArgumentError("attachment", "file objects must be opened in binary mode ('rb')")
        data = raw
        name = name or os.path.basename(str(getattr(attachment, "name", "") or "")) or None
        if name is None:
            raise InvalidArgumentError("name", "is required when the file object has no name")
    else:
        raise InvalidArgumentError(
            "attachment", f"must be bytes, a path or a binary file object, got {type(attachment).__name__}"
        )
    resolved_type = content_type or _guess_type(name)
    if resolved_type is None:
        raise InvalidArgumentError(
            "content_type",
            f"cannot tell the type of {name!r}; pass content_type",
            tuple(ct.ATTACHMENT_CONTENT_TYPES),
        )
    checked_name, _, checked_type = validate_attachment(name, len(data), resolved_type)
    return PreparedAttachment(name=checked_name, content_type=checked_type, data=data)


def upload(url: str, data: bytes, headers: Mapping[str, str] | None, *, timeout: float = 60.0) -> None:
    """PUT ``data`` to a presigned upload URL with the headers the service asked for.

    Raises
    ------
    AttachmentError
        On any non-2xx answer or network failure.
    """
    request = urllib.request.Request(url, data=data, method="PUT", headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise AttachmentError(f"attachment upload failed with HTTP {exc.code}", status_code=exc.code) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise AttachmentError(f"attachment upload failed: {exc}") from exc
    if not 200 <= status < 300:
        raise AttachmentError(f"attachment upload failed with HTTP {status}", status_code=status)


def download(url: str, *, timeout: float = 60.0) -> bytes:
    """GET the bytes behind a presigned download URL.

    Raises
    ------
    AttachmentError
        On any non-2xx answer or network failure.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as exc:
        raise AttachmentError(f"attachment download failed with HTTP {exc.code}", status_code=exc.code) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise AttachmentError(f"attachment download failed: {exc}") from exc
