"""moto as the local stack runs it: DynamoDB requests one at a time, expired items swept."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest

from common import contract
from local.moto_server import READY, SIGNING_CERTIFICATES_KEPT, forget_history, sweep_expired
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def _table(client: object, name: str) -> None:
    client.create_table(**contract.session_table_definition(name))  # type: ignore[attr-defined]
    client.update_time_to_live(  # type: ignore[attr-defined]
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": contract.TABLE_TTL_ATTRIBUTE}
    )


@pytest.fixture
def moto_process() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "local.moto_server", "--port", str(port), "--sweep-seconds", "0.2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert READY in process.stdout.readline()
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


def test_a_taken_port_stops_it_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        answer = subprocess.run(
            [sys.executable, "-m", "local.moto_server", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert answer.returncode == 2
    assert answer.stderr == (
        f"python -m local.moto_server: cannot listen on 127.0.0.1:{port} (address already in use); "
        "pick another --port or --host\n"
    )


def test_concurrent_transactions_all_succeed(moto_process: str) -> None:
    """moto's TransactWriteItems deep-copies the table to roll back: while it copies, another writer changes the
    table under it (HTTP 500) unless DynamoDB requests run one at a time."""
    client = boto3.client("dynamodb", endpoint_url=moto_process)
    name = f"t-{uuid.uuid4().hex[:6]}"
    _table(client, name)
    for first in range(0, 800, 25):  # a table of some size makes each copy take a while
        batch: list[Any] = [
            {"PutRequest": {"Item": {"pk": {"S": f"OLD#{n}"}, "sk": {"S": "META"}}}} for n in range(first, first + 25)
        ]
        client.batch_write_item(RequestItems={name: batch})

    def start(number: int) -> None:
        own = boto3.client("dynamodb", endpoint_url=moto_process)
        own.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": {"pk": {"S": f"CHAT#{number}"}, "sk": {"S": "META"}}}},
                {"Put": {"TableName": name, "Item": {"pk": {"S": f"CONN#{number}"}, "sk": {"S": "META"}}}},
            ]
        )

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(start, range(64)))
    count = sum(page["Count"] for page in client.get_paginator("scan").paginate(TableName=name))
    assert count == 800 + 128, "no transaction lost another's writes"


def test_expired_items_are_swept(moto_process: str) -> None:
    client = boto3.client("dynamodb", endpoint_url=moto_process)
    name = f"t-{uuid.uuid4().hex[:6]}"
    _table(client, name)
    now = int(time.time())
    for key, expires in (("old", now - 10), ("new", now + 3600)):
        client.put_item(TableName=name, Item={"pk": {"S": key}, "sk": {"S": "META"}, "expiresAt": {"N": str(expires)}})
    client.put_item(TableName=name, Item={"pk": {"S": "forever"}, "sk": {"S": "META"}})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        keys = {i["pk"]["S"] for i in client.scan(TableName=name)["Items"]}
        if "old" not in keys:
            break
        time.sleep(0.1)
    assert keys == {"new", "forever"}


def test_sweep_leaves_tables_without_ttl_alone(moto_url: str) -> None:
    client = boto3.client("dynamodb", endpoint_url=moto_url)
    name = f"t-{uuid.uuid4().hex[:6]}"
    client.create_table(**contract.session_table_definition(name))
    client.put_item(TableName=name, Item={"pk": {"S": "x"}, "sk": {"S": "META"}, "expiresAt": {"N": "1"}})
    sweep_expired()
    assert client.scan(TableName=name)["Count"] == 1


def test_moto_forgets_what_only_its_dashboard_and_tests_read(moto_url: str) -> None:
    from moto.dynamodb.models.dynamo_type import Item

    client = boto3.client("dynamodb", endpoint_url=moto_url)
    sns = boto3.client("sns", endpoint_url=moto_url)
    name = f"t-{uuid.uuid4().hex[:6]}"
    _table(client, name)
    topic_arn = sns.create_topic(Name=name)["TopicArn"]
    key = {"pk": {"S": "chat"}, "sk": {"S": "META"}}
    for number in range(20):
        client.update_item(
            TableName=name,
            Key=key,
            UpdateExpression="SET n = :n",
            ExpressionAttributeValues={":n": {"N": str(number)}},
        )
        sns.publish(TopicArn=topic_arn, Message=f"notification {number}")
    assert len(Item.instances_tracked) >= 20  # type: ignore[attr-defined]

    assert forget_history() >= 40
    assert Item.instances_tracked == []  # type: ignore[attr-defined]
    assert client.get_item(TableName=name, Key=key)["Item"]["n"] == {"N": "19"}, "the table is untouched"
    sns.publish(TopicArn=topic_arn, Message="still publishing")


def test_moto_keeps_only_the_latest_signing_certificates(moto_url: str) -> None:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    certificates = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]._message_public_keys
    certificates.clear()
    certificates.update({f"old-{n}.pem": b"pem" for n in range(SIGNING_CERTIFICATES_KEPT + 5)})
    certificates["latest.pem"] = b"pem"
    forget_history()
    assert len(certificates) == SIGNING_CERTIFICATES_KEPT
    assert "latest.pem" in certificates
    assert "old-0.pem" not in certificates
