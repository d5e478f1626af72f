"""Acknowledging a cdk-nag finding: always one rule (and, for multi-finding rules, one finding) with a reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge ``rule`` (e.g. ``AwsSolutions-IAM5[Resource::*]``) on ``construct`` and what it contains."""
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))
