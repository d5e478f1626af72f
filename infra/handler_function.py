"""One Lambda function for one handler of the route table, with everything every handler shares."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, RemovalPolicy, aws_iam, aws_lambda, aws_logs, aws_sqs
from constructs import Construct

from common import contract
from infra import constants
from infra.nag import acknowledge


class HandlerFunction(Construct):
    """A function running ``spec.handler`` from the ``lambdas/`` asset.

    Python 3.13 on arm64, the library, its dependencies and Powertools layers, X-Ray active tracing, its own log
    group with bounded retention, and its own role that starts with nothing but writing to that log group (no
    managed policies): the stack grants the rest per function.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: contract.FunctionSpec,
        code: aws_lambda.Code,
        layers: list[aws_lambda.ILayerVersion],
        environment: Mapping[str, str],
        log_retention_days: int,
        destroy: bool = False,
        dead_letter_queue: aws_sqs.IQueue | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.log_group = aws_logs.LogGroup(
            self,
            "Logs",
            retention=constants.retention(log_retention_days),
            removal_policy=RemovalPolicy.DESTROY if destroy else RemovalPolicy.RETAIN,
        )
        self.role = aws_iam.Role(
            self,
            "Role",
            assumed_by=aws_iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{spec.id}: {spec.handler}",
        )
        self.function = aws_lambda.Function(
            self,
            "Function",
            runtime=constants.RUNTIME,
            architecture=constants.ARCHITECTURE,
            handler=spec.handler,
            code=code,
            description=spec.description,
            layers=layers,
            role=self.role,
            timeout=Duration.seconds(spec.timeout_seconds),
            memory_size=spec.memory_mb,
            tracing=aws_lambda.Tracing.ACTIVE,
            log_group=self.log_group,
            logging_format=aws_lambda.LoggingFormat.JSON,
            dead_letter_queue=dead_letter_queue,
            retry_attempts=2 if dead_letter_queue is not None else None,
            environment={
                **environment,
                contract.ENV_SERVICE_NAME: spec.service,
                # Responses carry participant tokens: keep them out of X-Ray and the logs.
                "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
                "POWERTOOLS_LOGGER_LOG_EVENT": "false",
            },
        )
        self.log_group.grant_write(self.role)
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            f"Pinned to {constants.RUNTIME.name}: the runtime the connect_chat layers (the library and its compiled "
            "dependencies) and the pinned public Powertools layer are built and tested for; moving to a newer "
            "runtime is a deliberate upgrade.",
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments and PutTelemetryRecords (active tracing) support no resource-level permissions.",
        )
