"""Bad input of any kind gets the service's error shape (never a traceback or a hang), and CORS everywhere."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.chat import open_chat


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def error_type(self) -> str:
        return self.headers.get("x-amzn-errortype", "").split(":")[0]

    def json(self) -> Any:
        return json.loads(self.body)


def _call(
    url: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    chunked: bool = False,
) -> Answer:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        if chunked and body is not None:
            chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))
            connection.request(method, path, body=chunks, headers=headers or {}, encode_chunked=True)
        else:
            connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def _assert_service_error(answer: Answer, status: int, code: str | None = None) -> None:
    assert answer.status == status, answer.body[:300]
    assert answer.error_type, answer.headers
    if code is not None:
        assert answer.error_type == code
    body = answer.json()
    assert isinstance(body["message"], str)
    assert "Traceback" not in answer.body.decode(errors="replace")
    assert answer.headers["x-amzn-requestid"]
    assert answer.headers["access-control-allow-origin"] == "*"


@pytest.fixture
def token(connect_client: Any, participant_client: Any) -> str:
    return open_chat(connect_client, participant_client).connection_token


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2, 3]", b'"a string"', b"null", b"\xff\xfe\x00garbage", b"[" * 100_000, b'{"a":' * 50_000],
    ids=["broken", "array", "string", "null", "binary", "deep-array", "deep-object"],
)
def test_bodies_that_are_not_a_json_object(emulator: Any, token: str, body: bytes) -> None:
    answer = _call(
        emulator.url,
        "POST",
        "/participant/message",
        body,
        {"X-Amz-Bearer": token, "Content-Type": "application/json"},
    )
    _assert_service_error(answer, 400, "SerializationException")


def test_wrong_types_are_validation_errors(emulator: Any, token: str) -> None:
    body = json.dumps({"ContentType": 5, "Content": ["a"], "ClientToken": {"x": 1}}).encode()
    answer = _call(emulator.url, "POST", "/participant/message", body, {"X-Amz-Bearer": token})
    _assert_service_error(answer, 400, "ValidationException")
    message = answer.json()["message"]
    assert message.startswith("3 validation errors detected")
    assert "'contentType'" in message
    assert "'content'" in message


def test_wrong_type_in_a_nested_member(emulator: Any, token: str) -> None:
    body = json.dumps({"StartPosition": {"MostRecent": "many"}, "MaxResults": True}).encode()
    answer = _call(emulator.url, "POST", "/participant/transcript", body, {"X-Amz-Bearer": token})
    _assert_service_error(answer, 400, "ValidationException")
    assert "startPosition.mostRecent" in answer.json()["message"]


@pytest.mark.parametrize("chunked", [False, True])
def test_a_2_mb_body_is_refused(emulator: Any, token: str, chunked: bool) -> None:
    body = json.dumps({"ContentType": "text/plain", "Content": "x" * (2 * 1024 * 1024)}).encode()
    answer = _call(emulator.url, "POST", "/participant/message", body, {"X-Amz-Bearer": token}, chunked=chunked)
    _assert_service_error(answer, 400)


def test_a_huge_chunked_body_is_refused(emulator: Any, token: str) -> None:
    body = b"x" * (40 * 1024 * 1024)
    answer = _call(emulator.url, "POST", "/participant/message", body, {"X-Amz-Bearer": token}, chunked=True)
    assert 400 <= answer.status < 500
    _assert_service_error(answer, answer.status)


def test_unknown_path(emulator: Any) -> None:
    for path in ("/no/such/thing", "/participant/unknown", "/", "/contact/chat/extra"):
        answer = _call(emulator.url, "POST", path, b"{}")
        _assert_service_error(answer, 404, "UnknownOperationException")


def test_wrong_method(emulator: Any, token: str) -> None:
    answer = _call(emulator.url, "GET", "/participant/message", None, {"X-Amz-Bearer": token})
    _assert_service_error(answer, 405)
    answer = _call(emulator.url, "DELETE", "/contact/chat", None)
    _assert_service_error(answer, 405)


def test_connect_validation_uses_its_own_exception(emulator: Any) -> None:
    answer = _call(emulator.url, "PUT", "/contact/chat", b'{"InstanceId": 1}')
    _assert_service_error(answer, 400, "InvalidParameterException")


def test_empty_body_is_missing_members(emulator: Any, token: str) -> None:
    answer = _call(emulator.url, "POST", "/participant/message", b"", {"X-Amz-Bearer": token})
    _assert_service_error(answer, 400, "ValidationException")


def test_missing_bearer(emulator: Any) -> None:
    answer = _call(emulator.url, "POST", "/participant/transcript", b"{}")
    _assert_service_error(answer, 403, "AccessDeniedException")


def test_control_api_refuses_broken_json(emulator: Any) -> None:
    for body in (b"{oops", b"[1]", b"[" * 100_000):
        answer = _call(emulator.url, "POST", "/_emulator/faults", body)
        assert answer.status == 400
        assert answer.json()["error"]


def test_cors_preflight(emulator: Any) -> None:
    answer = _call(
        emulator.url,
        "OPTIONS",
        "/participant/message",
        None,
        {
            "Origin": "https://shop.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-amz-bearer,content-type,x-amz-user-agent",
        },
    )
    assert answer.status in (200, 204)
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "POST" in answer.headers["access-control-allow-methods"]
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert "x-amz-bearer" in allowed
    assert "content-type" in allowed


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/contact/chat"),
        ("GET", "/participant/views/x"),
        ("PUT", "/_attachments/upload/x"),
        ("GET", "/_emulator/health"),
    ],
)
def test_cors_preflight_on_every_route(emulator: Any, method: str, path: str) -> None:
    answer = _call(
        emulator.url,
        "OPTIONS",
        path,
        None,
        {"Origin": "http://localhost:8080", "Access-Control-Request-Method": method},
    )
    assert answer.status in (200, 204)
    assert method in answer.headers["access-control-allow-methods"]


def test_cors_headers_on_success_and_errors(emulator: Any, token: str) -> None:
    ok = _call(
        emulator.url,
        "POST",
        "/participant/transcript",
        b"{}",
        {"X-Amz-Bearer": token, "Origin": "https://shop.example.com"},
    )
    assert ok.status == 200
    assert ok.headers["access-control-allow-origin"] == "*"
    exposed = ok.headers["access-control-expose-headers"].lower()
    assert "x-amzn-requestid" in exposed
    assert "x-amzn-errortype" in exposed
    denied = _call(emulator.url, "POST", "/participant/transcript", b"{}", {"X-Amz-Bearer": "nope", "Origin": "x"})
    assert denied.status == 403
    assert denied.headers["access-control-allow-origin"] == "*"
    health = _call(emulator.url, "GET", "/_emulator/health", None, {"Origin": "x"})
    assert health.headers["access-control-allow-origin"] == "*"


def test_server_survives_all_of_the_above(emulator: Any, connect_client: Any, participant_client: Any) -> None:
    for _ in range(3):
        _call(emulator.url, "POST", "/participant/message", b"[" * 100_000, {"X-Amz-Bearer": "x"})
    chat = open_chat(connect_client, participant_client)
    assert participant_client.get_transcript(ConnectionToken=chat.connection_token)["Transcript"]
