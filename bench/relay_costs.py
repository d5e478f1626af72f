"""What each relay action costs: AWS calls, DynamoDB capacity, handler CPU, and the handlers' cold starts.

The relay's handlers run in this process against moto's server and the Connect emulator on loopback (the
simulated agent off), driven with API Gateway- and SNS-shaped events as the tests drive them. Every AWS call
the handlers make is counted by a botocore hook; DynamoDB capacity is priced from the items each call touched.
Cold starts are measured in fresh processes with the code laid out as Lambda has it (``bench.cold_start``).

``python -m bench.relay_costs [--repeats N]``
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from typing import Any

import boto3

from bench.aws_calls import CallCounter, Tally
from bench.cold_start import InvocationCost, import_costs, invocation_cost, lambda_layout
from common import contract
from local.connect_emulator import EmulatorConfig
from local.web import sns_event_record
from tests.support.relay import RelayHarness, deploy_relay, lambda_context, load_event
from tests.support.servers import run_emulator, run_moto

HANDLER_MODULES = (
    "relay.connect",
    "relay.disconnect",
    "relay.message",
    "relay.stream",
    "relay.sweeper",
    "start_chat.app",
)
#: What the relay-floor design promises per action (DynamoDB requests), printed beside what was counted.
FLOOR = {
    "$connect": "1 PutItem",
    "startChat": "frame's UpdateItem + 1 transaction",
    "sendMessage": "1 DynamoDB request + SendMessage + the ack post",
    "sendEvent (typing)": "1 DynamoDB request + SendEvent + the ack post",
    "streamed item, 1 connection": "1 read + 1 post",
    "streamed item, 2 connections": "1 read + 2 posts",
    "duplicate SNS delivery": "0 writes (clients deduplicate on Id)",
    "resumeChat (after a drop)": "≤ 3 DynamoDB requests + GetTranscript + posts",
    "$disconnect": "1",
}


def progress(text: str) -> None:
    print(f"  … {text}", flush=True)


@contextmanager
def deployment() -> Iterator[RelayHarness]:
    """moto, the emulator (agent off), the session table, topic and queue, and the handlers' environment."""
    with ExitStack() as stack:
        os.environ.update(
            {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-west-2"}
        )
        moto_url = stack.enter_context(run_moto())
        os.environ["AWS_ENDPOINT_URL_SNS"] = moto_url
        emulator = stack.enter_context(run_emulator(EmulatorConfig(agent_enabled=False)))
        harness = deploy_relay(
            f"bench-{uuid.uuid4().hex[:8]}",
            moto_url=moto_url,
            emulator_url=emulator.url,
            setenv=os.environ.__setitem__,
            variables={
                contract.ENV_RATE_LIMIT_PER_MINUTE: "10000",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "ERROR",
            },
        )
        yield harness


def notifications(relay: RelayHarness, wanted: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The next ``wanted`` streaming notifications, as Lambda SNS events (read outside any measurement)."""
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(events) < wanted and time.monotonic() < deadline:
        answer = relay.sqs.receive_message(QueueUrl=relay.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        for message in answer.get("Messages", []):
            events.append({"Records": [sns_event_record(json.loads(message["Body"]))]})
            relay.sqs.delete_message(QueueUrl=relay.queue_url, ReceiptHandle=message["ReceiptHandle"])
        time.sleep(0.02)
    return events


def drain(relay: RelayHarness) -> None:
    """Drop whatever is queued (items of earlier steps)."""
    time.sleep(0.3)
    notifications(relay, 10_000, timeout=0.5)


class Meter:
    """Counts AWS calls and the handler's thread CPU of each measured action."""

    def __init__(self, counter: CallCounter) -> None:
        self.counter = counter
        self.rows: dict[str, Tally] = {}
        self.cpu_ms: dict[str, list[float]] = {}

    def __call__(self, name: str, action: Callable[[], Any]) -> Any:
        with self.counter.measure() as tally:
            started = time.thread_time()
            result = action()
            self.cpu_ms.setdefault(name, []).append((time.thread_time() - started) * 1000)
        self.rows.setdefault(name, tally)
        return result


def measure_actions(relay: RelayHarness, counter: CallCounter, repeats: int) -> Meter:
    from relay import stream

    meter = Meter(counter)

    def emit(event: dict[str, Any]) -> Any:
        return stream.handler(event, lambda_context())

    progress("connect, start a chat")
    first, _ = meter("$connect", lambda: relay.connect())
    meter("startChat", lambda: relay.send(first, {"action": "startChat", "displayName": "Bench", "requestId": "s"}))
    started = next(f for f in relay.new_frames(first) if f["type"] == "chatStarted")
    drain(relay)
    progress(f"{repeats} messages and typing events")
    typing = {"action": "sendEvent", "contentType": contract.OWN_ONLY_CONTENT_TYPES[0]}
    for number in range(repeats):
        message = {"action": "sendMessage", "content": f"m{number}", "requestId": f"m{number}"}
        meter("sendMessage", partial(relay.send, first, message))
        meter("sendEvent (typing)", partial(relay.send, first, typing))
    progress("streaming to one connection")
    for event in notifications(relay, repeats):
        meter("streamed item, 1 connection", partial(emit, event))
        meter("duplicate SNS delivery", partial(emit, event))
    progress("a second tab, streaming to two connections")
    second, _ = relay.connect()
    relay.send(second, {"action": "resumeChat", "resumeToken": started["resumeToken"]})
    token = next(f for f in relay.new_frames(second) if f["type"] == "chatResumed")["resumeToken"]
    relay.send(first, {"action": "sendMessage", "content": "to both tabs"})
    for event in notifications(relay, 1):
        meter("streamed item, 2 connections", partial(emit, event))
    progress("a dropped tab resumes")
    for _ in range(repeats):
        seen = [f["item"] for f in relay.frames(second) if f["type"] == "item"]
        meter("$disconnect", partial(relay.disconnect, second))
        second, _ = relay.connect()
        resume: dict[str, Any] = {"action": "resumeChat", "resumeToken": token}
        if seen:
            resume["afterId"] = max(seen, key=lambda item: (item["AbsoluteTime"], item["Id"]))["Id"]
        meter("resumeChat (after a drop)", partial(relay.send, second, resume))
        token = next(f for f in relay.new_frames(second) if f["type"] == "chatResumed")["resumeToken"]
        drain(relay)
    meter("getTranscript", lambda: relay.send(first, {"action": "getTranscript", "maxResults": 15}))
    meter("endChat", lambda: relay.send(first, {"action": "endChat"}))
    return meter


def cold_starts(relay: RelayHarness, repeats: int) -> None:
    """Import CPU of each handler against ``import boto3``, and the first invocations' client creation."""
    with lambda_layout() as layout:
        progress(f"importing each handler {repeats} times in fresh processes")
        for cost in import_costs(layout, list(HANDLER_MODULES), repeats=repeats):
            print(
                f"  cold import {cost.module:<18} {cost.module_ms:6.1f} ms CPU   import boto3 {cost.boto3_ms:6.1f} ms"
                f"   ratio {cost.ratio:4.2f}   (target ≤ 1.50)"
            )
        progress("first invocations in fresh processes")
        connection_id, _ = relay.connect()
        relay.send(connection_id, {"action": "startChat", "displayName": "Cold"})
        drain(relay)
        frames = [{"action": "sendMessage", "content": f"cold {n}"} for n in range(6)]
        env = {"AWS_LAMBDA_FUNCTION_NAME": "bench"}
        sent = invocation_cost(layout, "relay.message", [message_event(relay, connection_id, f) for f in frames], env)
        print(first_invocation("sendMessage", sent))
        relay.send(connection_id, {"action": "sendMessage", "content": "streamed"})
        relayed = invocation_cost(layout, "relay.stream", notifications(relay, 1) * 6, env)
        print(first_invocation("stream item", relayed))


def first_invocation(name: str, cost: InvocationCost) -> str:
    return (
        f"  {name:<12} first invocation {cost.first_ms:6.1f} ms CPU, warm {cost.warm_ms:5.1f} ms: "
        f"creating what it needs {cost.creation_ms:6.1f} ms (target ≤ 150)"
    )


def message_event(relay: RelayHarness, connection_id: str, frame: dict[str, Any]) -> dict[str, Any]:
    """The API Gateway event of one client frame."""
    event = load_event("apiGatewayWebSocketMessage.json")
    context = event["requestContext"]
    context.update(
        connectionId=connection_id,
        stage=relay.stage,
        domainName=relay.domain,
        requestId=uuid.uuid4().hex,
        messageId=uuid.uuid4().hex,
        routeKey=frame["action"],
    )
    event["body"] = json.dumps(frame)
    return event


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="repetitions of each measured action (default 7)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    print("relay costs per action (AWS calls counted by a botocore hook; CPU of the handler's thread)", flush=True)
    with deployment() as relay:
        pricing = boto3.client("dynamodb")
        counter = CallCounter(pricing)
        with counter.installed():
            from relay import runtime

            runtime.reset()
            meter = measure_actions(relay, counter, args.repeats)
        for name, tally in meter.rows.items():
            cpu = statistics.median(meter.cpu_ms[name])
            floor = FLOOR.get(name, "")
            print(f"  {name:<30} {tally.describe():<95} CPU {cpu:5.1f} ms" + (f"   [floor: {floor}]" if floor else ""))
        cold_starts(relay, args.repeats)


if __name__ == "__main__":
    main()
