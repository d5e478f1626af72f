"""The errors the emulated services answer with, as (code, HTTP status, message)."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """An error answered in the service's shape; ``code`` becomes ``x-amzn-ErrorType``."""

    def __init__(self, code: str, status: int, message: str, **extra: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.status = status
        self.message = message
        self.extra = extra


def access_denied(message: str = "You do not have sufficient access to perform this action.") -> ServiceError:
    """403 AccessDeniedException (missing, unknown, expired or revoked token)."""
    return ServiceError("AccessDeniedException", 403, message)


def participant_validation(message: str) -> ServiceError:
    """400 ValidationException of the Participant Service."""
    return ServiceError("ValidationException", 400, message)


def conflict(message: str) -> ServiceError:
    """409 ConflictException."""
    return ServiceError("ConflictException", 409, message)


def quota_exceeded(message: str) -> ServiceError:
    """402 ServiceQuotaExceededException (the status the model gives it)."""
    return ServiceError("ServiceQuotaExceededException", 402, message)


def resource_not_found(message: str) -> ServiceError:
    """404 ResourceNotFoundException (both services model it with this status)."""
    return ServiceError("ResourceNotFoundException", 404, message)


def invalid_request(message: str) -> ServiceError:
    """400 InvalidRequestException of the ``connect`` service."""
    return ServiceError("InvalidRequestException", 400, message)


def invalid_parameter(message: str) -> ServiceError:
    """400 InvalidParameterException of the ``connect`` service."""
    return ServiceError("InvalidParameterException", 400, message)
