"""The region's API Gateway account setting that lets API Gateway write WebSocket access logs."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, aws_apigateway, aws_iam
from constructs import Construct

from infra.nag import acknowledge

PUSH_TO_CLOUDWATCH_POLICY = "service-role/AmazonAPIGatewayPushToCloudWatchLogs"


class ApiGatewayAccount(Construct):
    """Sets the API Gateway CloudWatch Logs role of this account and region (WebSocket and REST APIs need it for
    access logs; HTTP APIs do not). The setting is per account and region, so the role and setting are retained
    when the stack is deleted: other APIs may rely on them."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.role = aws_iam.Role(
            self,
            "CloudWatchRole",
            assumed_by=aws_iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway pushes access and execution logs to CloudWatch Logs",
            managed_policies=[aws_iam.ManagedPolicy.from_aws_managed_policy_name(PUSH_TO_CLOUDWATCH_POLICY)],
        )
        self.role.apply_removal_policy(RemovalPolicy.RETAIN)
        self.account = aws_apigateway.CfnAccount(self, "Account", cloud_watch_role_arn=self.role.role_arn)
        self.account.apply_removal_policy(RemovalPolicy.RETAIN)
        acknowledge(
            self.role,
            f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{PUSH_TO_CLOUDWATCH_POLICY}]",
            "The account-wide API Gateway logging role must write to any API's log group in this region; "
            "AWS's managed policy is the documented one for it.",
        )
