"""Persistent chat's continuation key: a generated secret the functions sign and check continuation tokens with."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, aws_iam, aws_secretsmanager
from constructs import Construct

from infra.nag import acknowledge


class ContinuationKey(Construct):
    """A Secrets Manager secret holding a random key (64 characters), readable by the functions granted it."""

    def __init__(self, scope: Construct, construct_id: str, *, destroy: bool = False) -> None:
        super().__init__(scope, construct_id)
        self.secret = aws_secretsmanager.Secret(
            self,
            "Secret",
            description="connect-chat: signs persistent chat's continuation tokens",
            generate_secret_string=aws_secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
            removal_policy=RemovalPolicy.DESTROY if destroy else RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.secret,
            "AwsSolutions-SMG4",
            "Rotating the key by a schedule would cut off every continuation token signed with it. The functions "
            "accept a JSON array of keys, newest first: add a new key in front, drop the old one when its tokens "
            "have expired (documented in lambdas/README.md).",
        )

    def grant_read(self, role: aws_iam.IGrantable) -> None:
        """Let ``role`` read the key (``secretsmanager:GetSecretValue`` on this secret)."""
        self.secret.grant_read(role)
