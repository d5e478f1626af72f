from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from connect_chat.config import reset_global_config, set_global_config
from connect_chat.errors import (
    AccessDeniedError,
    ConflictError,
    InternalServerError,
    NetworkError,
    ParticipantServiceError,
    ResourceNotFoundError,
    ServiceQuotaExceededError,
    ServiceValidationError,
    ThrottlingError,
)
from connect_chat.metrics import MetricsRecorder
from connect_chat.participant import ParticipantClient

TOKEN = "ct-secret-token-0123456789"


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_ENDPOINT_URL_CONNECTPARTICIPANT", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "chat")  # as in Lambda, where metrics are on by default
    reset_global_config()
    yield
    reset_global_config()


def stubbed(lines: list[str] | None = None) -> tuple[ParticipantClient, Stubber]:
    client = boto3.client(
        "connectparticipant", region_name="us-east-1", config=Config(signature_version=botocore.UNSIGNED)
    )
    stub = Stubber(client)
    metrics = MetricsRecorder(sink=(lines.append if lines is not None else lambda _line: None))
    return ParticipantClient(client=client, metrics=metrics), stub


def cfg_of(meta: object, name: str) -> Any:
    return getattr(getattr(meta, "config"), name)  # noqa: B009


def cfg(pc: ParticipantClient, name: str) -> Any:
    return cfg_of(pc.client.meta, name)


def test_defaults_unsigned_standard_retries_and_regional_endpoint() -> None:
    pc = ParticipantClient(region="eu-west-2")
    meta = pc.client.meta
    assert meta.endpoint_url == "https://participant.connect.eu-west-2.amazonaws.com"
    assert cfg_of(meta, "signature_version") is botocore.UNSIGNED
    assert cfg_of(meta, "retries")["mode"] == "standard"
    assert "connect-chat-py" in cfg_of(meta, "user_agent_extra")


def test_global_endpoint_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_CONNECTPARTICIPANT", "http://127.0.0.1:9999")
    assert ParticipantClient().client.meta.endpoint_url == "http://127.0.0.1:9999"
    set_global_config(endpoint="http://127.0.0.1:3002")
    assert ParticipantClient().client.meta.endpoint_url == "http://127.0.0.1:3002"


def test_region_override_and_user_agent_suffix() -> None:
    set_global_config(region="ap-south-1", custom_user_agent_suffix="my-bot/2")
    pc = ParticipantClient()
    assert pc.client.meta.region_name == "ap-south-1"
    assert "my-bot/2" in cfg(pc, "user_agent_extra")


def test_caller_config_is_merged_over_defaults() -> None:
    pc = ParticipantClient(config=Config(retries={"mode": "adaptive", "max_attempts": 7}))
    assert cfg(pc, "retries")["mode"] == "adaptive"
    assert cfg(pc, "signature_version") is botocore.UNSIGNED


def test_boto3_session_is_used() -> None:
    session = boto3.session.Session(region_name="ca-central-1")
    assert ParticipantClient(boto3_session=session).client.meta.region_name == "ca-central-1"
    assert ParticipantClient(boto3_session=session, region="eu-west-1").client.meta.region_name == "eu-west-1"


def test_send_message_adds_a_client_token_and_strips_response_metadata() -> None:
    pc, stub = stubbed()
    stub.add_response(
        "send_message",
        {"Id": "m-1", "AbsoluteTime": "2024-01-01T00:00:00.000Z"},
        {"ConnectionToken": TOKEN, "Content": "hi", "ContentType": "text/plain", "ClientToken": stub_any()},
    )
    with stub:
        body = pc.send_message(TOKEN, content="hi", content_type="text/plain")
    assert body["Id"] == "m-1"
    assert "ResponseMetadata" not in body


def test_every_service_operation_reaches_the_client_method_botocore_names_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pc, _ = stubbed()
    reached: list[str] = []

    def recorder(method: str) -> Callable[..., dict[str, Any]]:
        def record(**params: Any) -> dict[str, Any]:
            reached.append(method)
            return {}

        return record

    operations = pc.client.meta.service_model.operation_names
    for operation in operations:
        monkeypatch.setattr(pc.client, botocore.xform_name(operation), recorder(botocore.xform_name(operation)))
    for operation in operations:
        assert pc.call(operation) == {"_request_id": None}
    assert reached == [botocore.xform_name(operation) for operation in operations]


def stub_any() -> object:
    from botocore.stub import ANY

    return ANY


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("AccessDeniedException", 403, AccessDeniedError),
        ("ValidationException", 400, ServiceValidationError),
        ("ThrottlingException", 429, ThrottlingError),
        ("InternalServerException", 500, InternalServerError),
        ("ConflictException", 409, ConflictError),
        ("ResourceNotFoundException", 404, ResourceNotFoundError),
        ("ServiceQuotaExceededException", 402, ServiceQuotaExceededError),
        ("SomethingNew", 418, ParticipantServiceError),
    ],
)
def test_client_errors_are_mapped(code: str, status: int, cls: type[Exception]) -> None:
    lines: list[str] = []
    pc, stub = stubbed(lines)
    stub.add_client_error("disconnect_participant", code, "nope", http_status_code=status)
    with stub, pytest.raises(cls) as info:
        pc.disconnect_participant(TOKEN)
    err = info.value
    assert isinstance(err, ParticipantServiceError)
    assert err.code == code
    assert err.status_code == status
    assert err.operation == "DisconnectParticipant"
    emf = json.loads(lines[-1])
    assert emf["Operation"] == "DisconnectParticipant"
    assert emf["Error"] == [1.0]


def test_network_errors_are_mapped() -> None:
    client = boto3.client(
        "connectparticipant",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        config=Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}, connect_timeout=1),
    )
    pc = ParticipantClient(client=client, metrics=MetricsRecorder(enabled=False))
    with pytest.raises(NetworkError):
        pc.send_event(TOKEN, content_type="application/vnd.amazonaws.connect.event.typing")


def test_metrics_emf_per_call_and_opt_out() -> None:
    lines: list[str] = []
    pc, stub = stubbed(lines)
    stub.add_response("describe_view", {"View": {"Id": "v"}}, {"ConnectionToken": TOKEN, "ViewToken": "vt"})
    with stub:
        pc.describe_view(TOKEN, view_token="vt")
    emf = json.loads(lines[0])
    directive = emf["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "ConnectChat"
    assert {m["Name"] for m in directive["Metrics"]} == {"Latency", "Count", "Error"}
    assert emf["Count"] == [1.0]
    assert emf["Error"] == [0.0]
    set_global_config(metrics=False)
    stub.add_response("describe_view", {"View": {"Id": "v"}}, {"ConnectionToken": TOKEN, "ViewToken": "vt"})
    with stub:
        pc.describe_view(TOKEN, view_token="vt")
    assert len(lines) == 1


def test_metrics_disabled_by_powertools_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    lines: list[str] = []
    MetricsRecorder(sink=lines.append).record_call("X", 1.0, error=False)
    assert lines == []


def test_tokens_never_reach_any_log(caplog: pytest.LogCaptureFixture) -> None:
    set_global_config(logger_config={"level": "DEBUG"})
    pc, stub = stubbed()
    stub.add_response(
        "create_participant_connection",
        {
            "Websocket": {
                "Url": "wss://x.example/connect?X-Amz-Security-Token=wssecret123456",
                "ConnectionExpiry": "z",
            },
            "ConnectionCredentials": {"ConnectionToken": TOKEN, "Expiry": "z"},
        },
    )
    stub.add_client_error("send_message", "AccessDeniedException", f"token {TOKEN} expired", http_status_code=403)
    with caplog.at_level(logging.DEBUG), stub:
        pc.create_participant_connection("participant-secret-9876543210", types=("WEBSOCKET",))
        with pytest.raises(AccessDeniedError):
            pc.send_message(TOKEN, content="hi", content_type="text/plain")
        logging.getLogger("botocore.endpoint").debug("echo %s %s", TOKEN, "participant-secret-9876543210")
    assert caplog.records
    for secret in (TOKEN, "participant-secret-9876543210", "wssecret123456"):
        assert secret not in caplog.text
