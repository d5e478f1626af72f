from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from connect_chat.attachments import download, prepare_attachment, upload
from connect_chat.errors import AttachmentError, InvalidArgumentError


def test_bytes_need_a_name_and_type_comes_from_the_extension() -> None:
    with pytest.raises(InvalidArgumentError, match="name"):
        prepare_attachment(b"abc")
    prepared = prepare_attachment(b"abc", name="a.TXT")
    assert (prepared.name, prepared.content_type, prepared.size) == ("a.TXT", "text/plain", 3)


def test_path_and_file_object(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 data")
    assert prepare_attachment(path).content_type == "application/pdf"
    assert prepare_attachment(str(path)).name == "report.pdf"
    with path.open("rb") as handle:
        assert prepare_attachment(handle).data == b"%PDF-1.4 data"
    with pytest.raises(InvalidArgumentError, match="binary mode"), path.open("r", encoding="latin-1") as text:
        prepare_attachment(text)
    with pytest.raises(InvalidArgumentError, match="no such file"):
        prepare_attachment(tmp_path / "missing.pdf")


def test_type_problems_are_reported() -> None:
    with pytest.raises(InvalidArgumentError, match="cannot tell the type"):
        prepare_attachment(b"MZ", name="tool.exe")
    with pytest.raises(InvalidArgumentError) as info:
        prepare_attachment(b"MZ", name="tool.exe", content_type="application/x-msdownload")
    assert info.value.argument == "attachment.content_type"
    with pytest.raises(InvalidArgumentError, match="empty"):
        prepare_attachment(io.BytesIO(b""), name="x.txt")
    with pytest.raises(InvalidArgumentError, match="20 MB"):
        prepare_attachment(io.BytesIO(b"x" * (20 * 1024 * 1024 + 1)), name="x.txt")
    with pytest.raises(InvalidArgumentError, match="must be bytes"):
        prepare_attachment(12, name="x.txt")


class _Handler(BaseHTTPRequestHandler):
    store: dict[str, bytes] = {}
    status = 200

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        _Handler.store[self.path] = self.rfile.read(length)
        _Handler.store[self.path + "#type"] = self.headers["Content-Type"].encode()
        self.send_response(_Handler.status)
        self.end_headers()

    def do_GET(self) -> None:
        body = _Handler.store.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def http_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    _Handler.status = 200


def test_upload_sends_the_headers_and_checks_the_status(http_url: str) -> None:
    upload(f"{http_url}/obj", b"data", {"Content-Type": "text/plain"})
    assert _Handler.store["/obj"] == b"data"
    assert _Handler.store["/obj#type"] == b"text/plain"
    assert download(f"{http_url}/obj") == b"data"
    _Handler.status = 403
    with pytest.raises(AttachmentError, match="HTTP 403"):
        upload(f"{http_url}/obj2", b"data", {"Content-Type": "text/plain"})
    with pytest.raises(AttachmentError, match="HTTP 404"):
        download(f"{http_url}/missing")
