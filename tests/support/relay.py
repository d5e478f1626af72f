"""Drive the relay handlers with real-shaped events against moto's server and the Connect emulator.

Frames the handlers post go over HTTP to moto's API Gateway management API; the harness reads them back
from moto's in-process backend. Connect's streaming reaches the stream handler the way AWS delivers it:
the emulator publishes to an SNS topic on moto, an SQS queue subscribed to the topic collects the
notifications, and the harness hands each one to the handler as a Lambda SNS event record.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3

from common import contract
from local.lambda_runtime import LocalLambdaContext
from local.web import sns_event_record

EVENTS = Path(__file__).resolve().parents[1] / "events"
ORIGIN = "https://www.example.com"
ACCOUNT = "123456789012"
REGION = "us-west-2"


def load_event(name: str) -> dict[str, Any]:
    """A sample event from ``tests/events`` (a fresh copy)."""
    return copy.deepcopy(json.loads((EVENTS / name).read_text()))


def lambda_context() -> LocalLambdaContext:
    """A Lambda context for the relay functions."""
    return LocalLambdaContext("connect-chat-relay")


def parse_frames(data: bytes) -> list[dict[str, Any]]:
    """Split the concatenated JSON frames moto keeps for one connection."""
    decoder = json.JSONDecoder()
    text = data.decode()
    frames, index = [], 0
    while index < len(text):
        frame, index = decoder.raw_decode(text, index)
        frames.append(frame)
    return frames


def create_table(name: str) -> None:
    """The session table as the stack defines it (the route table's definition)."""
    boto3.client("dynamodb").create_table(**contract.session_table_definition(name))


def new_deployment(name: str) -> RelayHarness:
    """A fresh session table ``name``, streaming topic and the queue that collects the topic's notifications.

    The queue subscribes with the stack's filter policy, so it receives what the stream function would.
    """
    create_table(name)
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic_arn = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"FilterPolicy": json.dumps(contract.STREAM_FILTER_POLICY)},
    )
    return RelayHarness(table_name=name, topic_arn=topic_arn, queue_url=queue_url, sqs=sqs)


def deploy_relay(
    name: str,
    *,
    moto_url: str,
    emulator_url: str,
    setenv: Callable[[str, str], object],
    variables: Mapping[str, str] | None = None,
) -> RelayHarness:
    """A fresh deployment ``name`` (:func:`new_deployment`) on moto's server and the emulator, and its handlers' setup.

    The AWS clients' endpoints and the handlers' settings become environment variables through ``setenv``
    (``monkeypatch.setenv`` in a test, ``os.environ.__setitem__`` in a benchmark): budgets generous enough for a
    test's or a benchmark's traffic, no message hooks; ``variables`` adds to them or overrides them.
    """
    for service in ("DYNAMODB", "SQS", "APIGATEWAYMANAGEMENTAPI"):
        setenv(f"AWS_ENDPOINT_URL_{service}", moto_url)
    for service in ("CONNECT", "CONNECTPARTICIPANT"):
        setenv(f"AWS_ENDPOINT_URL_{service}", emulator_url)
    harness = new_deployment(name)
    settings = {
        contract.ENV_INSTANCE_ID: "instance-1",
        contract.ENV_CONTACT_FLOW_ID: "flow-1",
        contract.ENV_TABLE_NAME: harness.table_name,
        contract.ENV_STREAMING_TOPIC_ARN: harness.topic_arn,
        contract.ENV_ALLOWED_ORIGINS: ORIGIN,
        contract.ENV_RATE_LIMIT_PER_MINUTE: "1000",
        contract.ENV_CHAT_STARTS_PER_IP: "1000",
        contract.ENV_ACTIVE_CHATS_PER_IP: "1000",
        contract.ENV_MESSAGE_HOOKS: "",
        **(variables or {}),
    }
    for key, value in settings.items():
        setenv(key, value)
    return harness


@dataclass
class RelayHarness:
    """One deployment of the relay (table, topic, queue) and helpers to play browsers and SNS."""

    table_name: str
    topic_arn: str
    queue_url: str
    sqs: Any
    stage: str = "prod"
    domain: str = "abcdef1234.execute-api.us-west-2.amazonaws.com"
    seen_frames: dict[str, int] = field(default_factory=dict)

    # ------------------------------------------------------------------------------- WebSocket side

    def connect(self, connection_id: str | None = None, origin: str | None = ORIGIN) -> tuple[str, dict[str, Any]]:
        from relay import connect

        connection_id = connection_id or f"conn-{uuid.uuid4().hex[:12]}="
        event = load_event("apiGatewayWebSocketConnect.json")
        self._context(event, connection_id)
        if origin is None:
            event["headers"].pop("Origin")
            event["multiValueHeaders"].pop("Origin")
        else:
            event["headers"]["Origin"] = origin
            event["multiValueHeaders"]["Origin"] = [origin]
        return connection_id, connect.handler(event, lambda_context())

    def send(self, connection_id: str, frame: dict[str, Any] | str, *, source_ip: str | None = None) -> dict[str, Any]:
        from relay import message

        event = load_event("apiGatewayWebSocketMessage.json")
        self._context(event, connection_id)
        if source_ip is not None:
            event["requestContext"]["identity"]["sourceIp"] = source_ip
        body = frame if isinstance(frame, str) else json.dumps(frame)
        action = frame.get("action") if isinstance(frame, dict) else None
        event["requestContext"]["routeKey"] = action if isinstance(action, str) else "$default"
        event["requestContext"]["messageId"] = uuid.uuid4().hex
        event["body"] = body
        answer: dict[str, Any] = message.handler(event, lambda_context())
        return answer

    def disconnect(self, connection_id: str) -> dict[str, Any]:
        from relay import disconnect

        event = load_event("apiGatewayWebSocketDisconnect.json")
        self._context(event, connection_id)
        answer: dict[str, Any] = disconnect.handler(event, lambda_context())
        return answer

    def _context(self, event: dict[str, Any], connection_id: str) -> None:
        context = event["requestContext"]
        context["connectionId"] = connection_id
        context["stage"] = self.stage
        context["domainName"] = self.domain
        context["requestId"] = uuid.uuid4().hex
        context["requestTimeEpoch"] = int(time.time() * 1000)

    def frames(self, connection_id: str) -> list[dict[str, Any]]:
        """Every frame posted to ``connection_id`` so far, in order."""
        from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

        backend = apigatewaymanagementapi_backends[ACCOUNT][REGION]
        key = quote(connection_id, safe="")  # moto keys connections by the id as it appears in the URL
        if key not in backend.connections:
            return []
        return parse_frames(backend.connections[key].data)

    def new_frames(self, connection_id: str) -> list[dict[str, Any]]:
        """Frames posted since the last call for this connection."""
        frames = self.frames(connection_id)
        start = self.seen_frames.get(connection_id, 0)
        self.seen_frames[connection_id] = len(frames)
        return frames[start:]

    # ------------------------------------------------------------------------------------- SNS side

    def pump(self, *, duplicate: bool = False) -> int:
        """Deliver every queued streaming notification to the stream handler (twice with ``duplicate``)."""
        from relay import stream

        delivered = 0
        while True:
            answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = answer.get("Messages", [])
            if not messages:
                return delivered
            for message in messages:
                event = {"Records": [sns_event_record(json.loads(message["Body"]))]}
                stream.handler(event, lambda_context())
                if duplicate:
                    stream.handler(event, lambda_context())
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
                delivered += 1

    def settle(self, connection_id: str, quiet_seconds: float = 0.3, timeout: float = 8.0) -> list[dict[str, Any]]:
        """Pump until nothing new reaches ``connection_id`` for ``quiet_seconds``; return all its frames."""
        deadline = time.monotonic() + timeout
        count, quiet_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            self.pump()
            frames = self.frames(connection_id)
            if len(frames) != count:
                count, quiet_since = len(frames), time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_seconds:
                return frames
            time.sleep(0.05)
        raise AssertionError(f"{connection_id} kept receiving frames for {timeout} s")

    def wait_for(
        self,
        connection_id: str,
        predicate: Callable[[dict[str, Any]], bool],
        *,
        timeout: float = 8.0,
        what: str = "a frame",
    ) -> dict[str, Any]:
        """Pump SNS until a frame for ``connection_id`` satisfies ``predicate``; return it."""
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            match = next((frame for frame in self.frames(connection_id) if predicate(frame)), None)
            if match is not None:
                return match
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; got {self.frames(connection_id)}")
            time.sleep(0.05)
