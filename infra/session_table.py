"""The session table: connection <-> contact mapping, connection tokens, resume-token hashes, rate-limit
counters and Powertools idempotency records, all with a TTL."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, aws_dynamodb, aws_iam
from constructs import Construct

from common import contract

#: Item-level actions only: no Scan, no DescribeTable, no streams (the handlers never need them).
READ_ACTIONS: tuple[str, ...] = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
)
WRITE_ACTIONS: tuple[str, ...] = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
)


class SessionTable(Construct):
    """On-demand DynamoDB table with TTL, point-in-time recovery and encryption at rest (KMS)."""

    def __init__(self, scope: Construct, construct_id: str, *, destroy: bool = False) -> None:
        super().__init__(scope, construct_id)
        self.table = aws_dynamodb.Table(
            self,
            "Table",
            partition_key=aws_dynamodb.Attribute(
                name=contract.TABLE_PARTITION_KEY, type=aws_dynamodb.AttributeType.STRING
            ),
            sort_key=aws_dynamodb.Attribute(name=contract.TABLE_SORT_KEY, type=aws_dynamodb.AttributeType.STRING),
            time_to_live_attribute=contract.TABLE_TTL_ATTRIBUTE,
            billing_mode=aws_dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=aws_dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=aws_dynamodb.TableEncryption.AWS_MANAGED,
            deletion_protection=not destroy,
            removal_policy=RemovalPolicy.DESTROY if destroy else RemovalPolicy.RETAIN,
        )

    def grant(self, role: aws_iam.IGrantable, access: contract.TableAccess) -> None:
        """Item-level read (and write) access to this table alone; ``none`` grants nothing."""
        if access == "none":
            return
        actions = READ_ACTIONS + (WRITE_ACTIONS if access == "read_write" else ())
        role.grant_principal.add_to_principal_policy(
            aws_iam.PolicyStatement(actions=list(actions), resources=[self.table.table_arn])
        )
