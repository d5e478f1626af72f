"""The session table: connections (with their chat's copy and frame counters) and chats (tokens, resume-token
hashes, attached connections), all with a TTL; see ``lambdas/common/sessions.py``."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, aws_dynamodb, aws_iam
from constructs import Construct

from common import contract

#: What the handlers call, on single items: no Query (but on the idle index), Scan, batches, DescribeTable or
#: streams. A transaction (TransactWriteItems) is authorized item by item with these same actions.
READ_ACTIONS: tuple[str, ...] = ("dynamodb:GetItem", "dynamodb:ConditionCheckItem")
WRITE_ACTIONS: tuple[str, ...] = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")


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
        # Sparse and keys only: active relay chats by when the sweeper should look at them next.
        self.table.add_global_secondary_index(
            index_name=contract.IDLE_INDEX,
            partition_key=aws_dynamodb.Attribute(
                name=contract.IDLE_INDEX_PARTITION_KEY, type=aws_dynamodb.AttributeType.STRING
            ),
            sort_key=aws_dynamodb.Attribute(name=contract.IDLE_INDEX_SORT_KEY, type=aws_dynamodb.AttributeType.NUMBER),
            projection_type=aws_dynamodb.ProjectionType.KEYS_ONLY,
        )

    def grant(self, role: aws_iam.IGrantable, access: contract.TableAccess, *, queries_index: bool = False) -> None:
        """Item-level read (and write) access to this table alone; ``none`` grants nothing. ``queries_index``
        adds Query on the idle index (an index is a resource of its own: ``table/.../index/idle``)."""
        if access == "none":
            return
        actions = READ_ACTIONS + (WRITE_ACTIONS if access == "read_write" else ())
        role.grant_principal.add_to_principal_policy(
            aws_iam.PolicyStatement(actions=list(actions), resources=[self.table.table_arn])
        )
        if queries_index:
            role.grant_principal.add_to_principal_policy(
                aws_iam.PolicyStatement(
                    actions=["dynamodb:Query"], resources=[f"{self.table.table_arn}/index/{contract.IDLE_INDEX}"]
                )
            )
