"""The SNS topic Amazon Connect streams chat messages and events to (StartContactStreaming)."""

from __future__ import annotations

from aws_cdk import (
    Duration,
    RemovalPolicy,
    Stack,
    aws_iam,
    aws_kms,
    aws_lambda,
    aws_sns,
    aws_sns_subscriptions,
    aws_sqs,
)
from constructs import Construct

from common import contract

CONNECT_PRINCIPAL = "connect.amazonaws.com"


class StreamingTopic(Construct):
    """KMS-encrypted SNS topic that only Amazon Connect, for this account's instance, may publish to.

    The customer managed key (rotated yearly) lets Connect encrypt what it publishes; both the key policy and the
    topic policy require ``aws:SourceAccount`` = this account and ``aws:SourceArn`` = the instance, so no other
    account's or instance's Connect can use them (confused deputy).
    """

    def __init__(self, scope: Construct, construct_id: str, *, instance_arn: str, destroy: bool = False) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        conditions = {
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnEquals": {"aws:SourceArn": instance_arn},
        }
        self.key = aws_kms.Key(
            self,
            "Key",
            description="Encrypts the Amazon Connect chat streaming topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY if destroy else RemovalPolicy.RETAIN,
            pending_window=Duration.days(7) if destroy else None,
        )
        self.key.add_to_resource_policy(
            aws_iam.PolicyStatement(
                sid="AllowConnectToPublishEncrypted",
                principals=[aws_iam.ServicePrincipal(CONNECT_PRINCIPAL)],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],
                conditions=conditions,
            )
        )
        self.topic = aws_sns.Topic(
            self,
            "Topic",
            display_name="Amazon Connect chat streaming",
            master_key=self.key,
            enforce_ssl=True,
        )
        self.topic.add_to_resource_policy(
            aws_iam.PolicyStatement(
                sid="AllowConnectToPublish",
                principals=[aws_iam.ServicePrincipal(CONNECT_PRINCIPAL)],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions=conditions,
            )
        )

    def subscribe(self, function: aws_lambda.IFunction, dead_letter_queue: aws_sqs.IQueue) -> None:
        """Deliver customer-visible items to ``function``; undeliverable notifications go to the queue.

        The filter policy is the contract's, as is: it uses ``$or`` and ``anything-but``, which the CDK's
        ``SubscriptionFilter`` helpers cannot express, so it is set on the CloudFormation subscription.
        """
        subscription = self.topic.add_subscription(
            aws_sns_subscriptions.LambdaSubscription(function, dead_letter_queue=dead_letter_queue)
        )
        cfn_subscription = subscription.node.default_child
        assert isinstance(cfn_subscription, aws_sns.CfnSubscription)
        cfn_subscription.filter_policy = dict(contract.STREAM_FILTER_POLICY)
        cfn_subscription.filter_policy_scope = "MessageAttributes"
