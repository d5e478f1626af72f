"""IAM statements for the calls the handlers make, each scoped as narrowly as the service allows."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack, aws_iam

from common.challenge import SecretReference
from infra.nag import acknowledge


def connect_instance_arn(stack: Stack, instance_id: str) -> str:
    """``arn:aws:connect:REGION:ACCOUNT:instance/ID``."""
    return f"arn:{stack.partition}:connect:{stack.region}:{stack.account}:instance/{instance_id}"


def connect_statement(
    stack: Stack, instance_id: str, contact_flow_id: str, actions: Sequence[str]
) -> aws_iam.PolicyStatement:
    """Amazon Connect contact actions on this instance's contacts (and, for StartChatContact, the contact flow,
    which AWS authorizes as a second resource). ``contact_flow_id`` ``*`` allows every flow of the instance."""
    instance = connect_instance_arn(stack, instance_id)
    resources = [f"{instance}/contact/*"]
    if "connect:StartChatContact" in actions:
        resources.append(f"{instance}/contact-flow/{contact_flow_id}")
    return aws_iam.PolicyStatement(actions=sorted(actions), resources=resources)


def grant_connect(
    role: aws_iam.Role, instance_id: str, contact_flow_id: str, actions: Sequence[str]
) -> aws_iam.PolicyStatement:
    """Add :func:`connect_statement` to ``role`` and acknowledge its wildcards: contact ids (always) and, when
    ``contact_flow_id`` is ``*``, the instance's flows."""
    statement = connect_statement(Stack.of(role), instance_id, contact_flow_id, actions)
    role.add_to_principal_policy(statement)
    prefix = "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:connect:<AWS::Region>:<AWS::AccountId>:"
    acknowledge(
        role,
        f"{prefix}instance/{instance_id}/contact/*]",
        "Contact ids are created at run time (StartChatContact); the grant is limited to this instance's contacts.",
    )
    if contact_flow_id == "*" and "connect:StartChatContact" in actions:
        acknowledge(
            role,
            f"{prefix}instance/{instance_id}/contact-flow/*]",
            "The deployment lets start-chat callers choose the contact flow (allowContactFlowOverride=true); "
            "the grant is limited to this instance's flows.",
        )
    return statement


def manage_connections_statement(stack: Stack, api_id: str, stage_name: str) -> aws_iam.PolicyStatement:
    """``execute-api:ManageConnections`` (POST, GET, DELETE ``@connections``) on this API's stage only."""
    return aws_iam.PolicyStatement(
        actions=["execute-api:ManageConnections"],
        resources=[
            f"arn:{stack.partition}:execute-api:{stack.region}:{stack.account}:{api_id}/{stage_name}/*/@connections/*"
        ],
    )


def secret_arn(stack: Stack, reference: SecretReference) -> str:
    """The ARN IAM authorizes reading ``reference`` by: an ARN as given; a Secrets Manager name with the six
    random characters Secrets Manager appends (``-??????``); an SSM parameter name under ``parameter/``."""
    if reference.name.startswith("arn:"):
        return reference.name
    prefix = f"arn:{stack.partition}:{reference.store}:{stack.region}:{stack.account}"
    if reference.store == "secretsmanager":
        return f"{prefix}:secret:{reference.name}-??????"
    return f"{prefix}:parameter/{reference.name.lstrip('/')}"


def grant_secret_read(role: aws_iam.Role, reference: SecretReference) -> aws_iam.PolicyStatement:
    """Let ``role`` read one secret: ``secretsmanager:GetSecretValue`` or ``ssm:GetParameter`` on it alone.

    A secret encrypted with the service's AWS managed key (``aws/secretsmanager``, ``aws/ssm``) needs nothing
    more; a customer managed key must also let the role decrypt (its key policy, or a grant).
    """
    action = "secretsmanager:GetSecretValue" if reference.store == "secretsmanager" else "ssm:GetParameter"
    statement = aws_iam.PolicyStatement(actions=[action], resources=[secret_arn(Stack.of(role), reference)])
    role.add_to_principal_policy(statement)
    return statement
