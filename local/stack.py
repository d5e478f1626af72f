"""The whole system on one machine: Connect emulator, moto, the WebSocket gateway and the web server.

The handlers CDK deploys run in-process, unchanged: boto3 reaches the emulators only through the
``AWS_ENDPOINT_URL_*`` variables set here, and the table, topic and subscription are created from the same
route table the stack uses.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import boto3
from aiohttp import web

from common import contract
from local import ROOT, cli
from local.auth_fakes import JWKS_PATH, SITEVERIFY_PATH, TOKEN_PATH, AuthFakes
from local.connect_emulator import Emulator, EmulatorConfig
from local.gateway import GatewayConfig, WebSocketGateway
from local.lambda_runtime import Handler, invoke, load_handler
from local.moto_server import READY
from local.web import LocalWebServer, new_sns_path

REGION = "us-west-2"
TABLE_NAME = "connect-chat-local-sessions"
TOPIC_NAME = "connect-chat-local-streaming"
CONTINUATION_SECRET_NAME = "connect-chat-local-continuation-key"
#: Handler invocations that may run at once (threads), like Lambda's concurrent executions: as many as botocore
#: keeps pooled connections per client (10 by default); beyond that every call would open a new connection, and
#: on two cores more threads only wait for the interpreter lock.
LAMBDA_CONCURRENCY = 10


#: The variable of the interface every server listens on (``--host``).
HOST_VARIABLE = "LOCAL_HOST"


class PortInUseError(RuntimeError):
    """A port the local stack needs cannot be listened on; the message says which and the variables to change."""


@dataclass
class LocalPorts:
    """The documented ports, each overridable by an environment variable."""

    http: int = 3000
    gateway: int = 3001
    connect: int = 3002
    moto: int = 3003

    ENV = {
        "http": "LOCAL_HTTP_PORT",
        "gateway": "LOCAL_GATEWAY_PORT",
        "connect": "LOCAL_CONNECT_PORT",
        "moto": "LOCAL_MOTO_PORT",
    }

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> LocalPorts:
        env = dict(os.environ) if env is None else env
        values = {name: int(env.get(variable, getattr(cls, name))) for name, variable in cls.ENV.items()}
        return cls(**values)


def check_ports_free(host: str, ports: LocalPorts) -> None:
    """Raise :class:`PortInUseError` naming the first port that cannot be bound."""
    for name, variable in LocalPorts.ENV.items():
        port = getattr(ports, name)
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                if exc.errno in cli.LISTEN_ERRNOS:
                    raise PortInUseError(cli.cannot_listen(host, port, exc, (variable, HOST_VARIABLE))) from exc
                raise


#: The local stack's chat budgets per address (a developer restarts chats all day; a variable overrides each).
LOCAL_BUDGETS = {contract.ENV_CHAT_STARTS_PER_IP: "10000", contract.ENV_ACTIVE_CHATS_PER_IP: "1000"}


def handler_environment(ports: LocalPorts, host: str, topic_arn: str) -> dict[str, str]:
    """What the handlers (and boto3 inside them) read, pointing every AWS endpoint at a local server."""
    moto = f"http://{host}:{ports.moto}"
    connect = f"http://{host}:{ports.connect}"
    origins = ",".join(f"http://{name}:{ports.http}" for name in ("127.0.0.1", "localhost"))
    return {
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL_DYNAMODB": moto,
        "AWS_ENDPOINT_URL_SNS": moto,
        "AWS_ENDPOINT_URL_S3": moto,
        "AWS_ENDPOINT_URL_SSM": moto,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto,
        "AWS_ENDPOINT_URL_CONNECT": connect,
        "AWS_ENDPOINT_URL_CONNECTPARTICIPANT": connect,
        "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI": f"http://{host}:{ports.gateway}/{contract.LOCAL_STAGE_NAME}",
        contract.ENV_INSTANCE_ID: "local-instance",
        contract.ENV_CONTACT_FLOW_ID: "local-contact-flow",
        contract.ENV_TABLE_NAME: TABLE_NAME,
        contract.ENV_STREAMING_TOPIC_ARN: topic_arn,
        contract.ENV_ALLOWED_ORIGINS: os.environ.get(contract.ENV_ALLOWED_ORIGINS, origins),
        contract.ENV_METRICS_NAMESPACE: contract.METRICS_NAMESPACE,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
        # Every local client is 127.0.0.1: the per-address chat budgets are generous unless set.
        **{name: os.environ.get(name, value) for name, value in LOCAL_BUDGETS.items()},
    }


def create_resources(host: str, ports: LocalPorts, sns_path: str) -> str:
    """The session table, the streaming topic and its subscription to the web server's ``sns_path``; returns the
    topic ARN."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(**contract.session_table_definition(TABLE_NAME))
    dynamodb.update_time_to_live(
        TableName=TABLE_NAME,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": contract.TABLE_TTL_ATTRIBUTE},
    )
    sns = boto3.client("sns", region_name=REGION)
    topic_arn: str = sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="http",
        Endpoint=f"http://{host}:{ports.http}{sns_path}",
        Attributes={"FilterPolicy": json.dumps(contract.STREAM_FILTER_POLICY)},
    )
    return topic_arn


def store_continuation_key() -> str:
    """A continuation key made for this run, stored in moto's Secrets Manager (persistent chat is always on
    locally); the secret's name."""
    client = boto3.client("secretsmanager", region_name=REGION)
    client.create_secret(Name=CONTINUATION_SECRET_NAME, SecretString=secrets.token_urlsafe(48))
    return CONTINUATION_SECRET_NAME


def load_handlers() -> dict[str, Handler]:
    """Every function of the route table, imported from ``lambdas/`` as Lambda would."""
    return {function_id: load_handler(spec.handler) for function_id, spec in contract.FUNCTIONS.items()}


@dataclass
class RunningStack:
    """URLs of a running local stack, and its parts (for tests)."""

    http_url: str
    websocket_url: str
    emulator_url: str
    moto_url: str
    gateway: WebSocketGateway
    emulator: Emulator
    web: LocalWebServer
    fakes: AuthFakes
    #: What the handlers check before a chat starts: ``off``/``optional``/``required`` customer tokens, the
    #: human check on or off.
    customer_tokens: str = "off"
    challenge: bool = False


async def start_moto(stack: AsyncExitStack, host: str, port: int) -> str:
    """``python -m local.moto_server`` in a process of its own (the stack's two cores are both used); its URL.

    It is stopped with the stack, and stops by itself if this process dies.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "local.moto_server",
        "--host",
        host,
        "--port",
        str(port),
        "--parent-pid",
        str(os.getpid()),
        stdout=asyncio.subprocess.PIPE,
        cwd=str(ROOT),
    )
    stack.push_async_callback(_stop_process, process)
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 60)
    if READY not in line.decode():
        raise RuntimeError(f"moto's server did not start on {host}:{port}")
    return f"http://{host}:{port}"


async def _stop_process(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _on_schedule(handler: Handler, spec: contract.FunctionSpec) -> None:
    """Invoke a scheduled function every ``schedule_minutes``, as an EventBridge schedule does."""
    assert spec.schedule_minutes is not None
    while True:
        await asyncio.sleep(spec.schedule_minutes * 60)
        event = {"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}}
        try:
            await invoke(handler, event, spec.id)
        except Exception:
            logging.getLogger(__name__).exception("The scheduled function %s failed", spec.id)


async def _serve(stack: AsyncExitStack, app: web.Application, host: str, port: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    await web.TCPSite(runner, host, port).start()


async def start_local_stack(
    stack: AsyncExitStack,
    *,
    host: str = "127.0.0.1",
    ports: LocalPorts | None = None,
    agent: bool = True,
    emulator_config: EmulatorConfig | None = None,
    customer_tokens: str = "off",
    challenge: bool = False,
) -> RunningStack:
    """Start every part on ``host``; ``stack`` closes them all (in reverse order) when it exits.

    ``customer_tokens`` (``off``, ``optional``, ``required``) and ``challenge`` point the handlers' checks at the
    local fakes (:mod:`local.auth_fakes`), which the web server serves either way.
    """
    ports = ports or LocalPorts.from_env()
    check_ports_free(host, ports)
    # Lambda runs invocations concurrently; handlers run in threads here.
    executor = ThreadPoolExecutor(max_workers=LAMBDA_CONCURRENCY, thread_name_prefix="lambda")
    asyncio.get_running_loop().set_default_executor(executor)
    stack.callback(executor.shutdown, wait=False)
    moto_url = await start_moto(stack, host, ports.moto)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
            "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL_DYNAMODB": moto_url,
            "AWS_ENDPOINT_URL_SNS": moto_url,
        }
    )
    sns_path = new_sns_path()
    topic_arn = create_resources(host, ports, sns_path)
    os.environ.update(handler_environment(ports, host, topic_arn))
    os.environ[contract.ENV_CONTINUATION_KEY_SECRET] = store_continuation_key()
    fakes = AuthFakes(f"http://{host}:{ports.http}")
    if challenge:
        fakes.store_challenge_secret(boto3.client("ssm", region_name=REGION))
    os.environ.update(fakes.handler_environment(customer_tokens=customer_tokens, challenge=challenge))

    config = emulator_config or EmulatorConfig()
    config.public_host = f"{host}:{ports.connect}"
    config.agent_enabled = agent and config.agent_enabled
    emulator = Emulator(config)
    await _serve(stack, emulator.build_app(), host, ports.connect)

    handlers = load_handlers()
    for spec in contract.FUNCTIONS.values():
        if spec.schedule_minutes:
            task = asyncio.get_running_loop().create_task(_on_schedule(handlers[spec.id], spec))
            stack.callback(task.cancel)
    gateway = WebSocketGateway(GatewayConfig(host=host, port=ports.gateway), handlers)
    await _serve(stack, gateway.build_app(), host, ports.gateway)
    web_server = LocalWebServer(
        handlers, websocket_url=gateway.config.websocket_url, host=host, port=ports.http, sns_path=sns_path
    )
    web_server.fakes = fakes
    await _serve(stack, web_server.build_app(), host, ports.http)
    return RunningStack(
        http_url=web_server.url,
        websocket_url=gateway.config.websocket_url,
        emulator_url=f"http://{host}:{ports.connect}",
        moto_url=moto_url,
        gateway=gateway,
        emulator=emulator,
        web=web_server,
        fakes=fakes,
        customer_tokens=customer_tokens,
        challenge=challenge,
    )


def describe(running: RunningStack) -> str:
    """What ``make local`` prints."""
    lines: list[Any] = [
        "connect-chat local stack is up:",
        f"  widget demo     {running.http_url}/",
        f"  start-chat      POST {running.http_url}/start-chat",
        f"  WebSocket API   {running.websocket_url}",
        f"  management API  {running.websocket_url.replace('ws://', 'http://')}/@connections/{{id}}",
        f"  Connect         {running.emulator_url}  (control API at {running.emulator_url}/_emulator/)",
        f"  moto            {running.moto_url}  (DynamoDB, SNS, S3)",
    ]
    if running.customer_tokens != "off":
        lines.append(
            f"  customer tokens {running.customer_tokens}: JWKS {running.http_url}{JWKS_PATH}, "
            f"mint one with POST {running.http_url}{TOKEN_PATH}"
        )
    if running.challenge:
        lines.append(f"  human check     on: siteverify at {running.http_url}{SITEVERIFY_PATH}")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(str(line) for line in lines)
