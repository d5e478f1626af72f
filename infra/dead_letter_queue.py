"""The dead-letter queue of the stream function: failed asynchronous invocations and SNS deliveries land here."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, aws_sqs
from constructs import Construct

from infra.nag import acknowledge


class DeadLetterQueue(Construct):
    """SQS queue, encrypted (SQS-managed SSE, which SNS can deliver to), TLS-only, kept 14 days."""

    def __init__(self, scope: Construct, construct_id: str, *, destroy: bool = False) -> None:
        super().__init__(scope, construct_id)
        self.queue = aws_sqs.Queue(
            self,
            "Queue",
            encryption=aws_sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=RemovalPolicy.DESTROY if destroy else RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.queue,
            "AwsSolutions-SQS3",
            "This queue is itself the dead-letter queue (of a Lambda function and an SNS subscription, which "
            "cdk-nag does not recognise as sources).",
        )
