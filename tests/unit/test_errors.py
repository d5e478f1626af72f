from __future__ import annotations

import pytest

from connect_chat.errors import (
    SERVICE_ERRORS,
    AccessDeniedError,
    ConnectChatError,
    InvalidArgumentError,
    ParticipantServiceError,
)


def test_every_service_error_is_an_error_suffixed_subclass_of_the_root() -> None:
    for code, cls in SERVICE_ERRORS.items():
        assert issubclass(cls, ParticipantServiceError)
        assert issubclass(cls, ConnectChatError)
        assert cls.__name__.endswith("Error")
        assert cls.default_code == code


def test_error_carries_aws_details() -> None:
    err = AccessDeniedError("nope", status_code=403, request_id="req-1", metadata={"a": 1}, operation="SendMessage")
    assert err.code == "AccessDeniedException"
    assert err.to_dict() == {
        "code": "AccessDeniedException",
        "message": "nope",
        "status_code": 403,
        "request_id": "req-1",
        "operation": "SendMessage",
        "metadata": {"a": 1},
    }
    assert "403" in repr(err)


def test_invalid_argument_message() -> None:
    err = InvalidArgumentError("type", "got 'BOT'", ("CUSTOMER", "AGENT"))
    assert str(err) == "type: got 'BOT' (allowed: CUSTOMER, AGENT)"
    assert err.allowed == ("CUSTOMER", "AGENT")
    assert isinstance(err, ValueError)
    with pytest.raises(ConnectChatError):
        raise err
