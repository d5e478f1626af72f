"""Fault injection for tests and demos: fail, throttle or delay the next N calls of an operation."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ServiceError

#: Errors a fault may answer with, and their HTTP status in the models.
FAULT_ERRORS: dict[str, int] = {
    "ThrottlingException": 429,
    "InternalServerException": 500,
    "AccessDeniedException": 403,
    "ValidationException": 400,
    "ConflictException": 409,
    "ServiceQuotaExceededException": 402,
    "ResourceNotFoundException": 404,
    "InternalServiceException": 500,
    "LimitExceededException": 429,
}


@dataclass
class Fault:
    """``count`` upcoming calls of ``operation`` fail with ``error`` and/or wait ``delay`` seconds."""

    operation: str
    count: int
    error: str | None = None
    delay: float = 0.0
    message: str = "Injected fault"


class FaultInjector:
    """Pending faults by operation name ("*" matches every operation)."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.error is not None and fault.error not in FAULT_ERRORS:
            raise ValueError(f"error must be one of {sorted(FAULT_ERRORS)}")
        if fault.count < 1:
            raise ValueError("count must be at least 1")
        self.faults.append(fault)

    def clear(self) -> None:
        self.faults.clear()

    def take(self, operation: str) -> Fault | None:
        """The fault that applies to this call of ``operation`` (consuming one of its uses)."""
        for fault in self.faults:
            if fault.operation in (operation, "*"):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    @staticmethod
    def error_for(fault: Fault) -> ServiceError | None:
        if fault.error is None:
            return None
        return ServiceError(fault.error, FAULT_ERRORS[fault.error], fault.message)
