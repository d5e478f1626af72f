"""moto as the local stack runs it: DynamoDB requests one at a time, expired items swept."""

from __future__ import annotations

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
from local.moto_server import READY, sweep_expired
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
