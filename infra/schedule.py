"""Running a function on a schedule (an EventBridge rule), for the functions the contract schedules."""

from __future__ import annotations

from aws_cdk import Duration, aws_events, aws_events_targets, aws_lambda
from constructs import Construct


class Schedule(Construct):
    """Invoke ``function`` every ``minutes`` minutes."""

    def __init__(self, scope: Construct, construct_id: str, *, function: aws_lambda.IFunction, minutes: int) -> None:
        super().__init__(scope, construct_id)
        self.rule = aws_events.Rule(
            self,
            "Rule",
            description=f"Runs {function.function_name} every {minutes} minute(s)",
            schedule=aws_events.Schedule.rate(Duration.minutes(minutes)),
        )
        self.rule.add_target(aws_events_targets.LambdaFunction(function, retry_attempts=0))
