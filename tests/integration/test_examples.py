"""Every script in ``examples/`` runs against the emulator (and moto), as their READMEs tell users to run them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from local.connect_emulator.agent import reply_text
from local.process import run_local_stack
from tests.integration.test_library_stateless import Topic
from tests.support.chat import INSTANCE_ID, find, wait_for, whole_transcript
from tests.support.examples import EXAMPLES, load_example
from tests.support.markdown import markdown_files
from tests.support.servers import RunningEmulator

ROOT = Path(__file__).resolve().parents[2]
COMMAND_LINES = ("asyncio_customer.py", "boto3_emulator.py")


def run_example(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python examples/SCRIPT ARGS`` with the library on the path, as the READMEs run it."""
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=ROOT,
        env={**(env if env is not None else os.environ), "PYTHONPATH": str(ROOT / "layer" / "python")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def without_aws_credentials() -> dict[str, str]:
    """This environment minus every way boto3 could find credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ACCESS_KEY", "AWS_SECRET", "AWS_SESSION"))}
    env.pop("AWS_PROFILE", None)
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    return env


def test_the_examples_folder_holds_what_the_tests_run() -> None:
    """Each runs here, but for the CDK stack, which tests/infra/test_chat_function_example.py synthesizes."""
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == [
        "asyncio_customer.py",
        "boto3_emulator.py",
        "cdk_chat_function.py",
        "lambda_bot.py",
        "lambda_customer.py",
    ]


@pytest.mark.parametrize("script", COMMAND_LINES)
def test_command_line_examples_answer_help(script: str) -> None:
    answer = run_example(script, "--help")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.startswith("usage: ")
    assert "--endpoint" in answer.stdout


def test_boto3_example_needs_no_aws_credentials(emulator: RunningEmulator) -> None:
    answer = run_example(
        "boto3_emulator.py", "--endpoint", emulator.url, "--message", "Is it raining?", env=without_aws_credentials()
    )

    assert answer.returncode == 0, answer.stderr
    lines = answer.stdout.splitlines()
    assert lines[:2] == ["Ana: Is it raining?", f"Agent: {reply_text('Is it raining?')}"]
    contact_id = lines[2].split()[1]
    assert emulator.control("GET", f"/contacts/{contact_id}")["State"] == "ENDED"


def test_asyncio_example_chats_with_the_agent_and_ends_the_chat() -> None:
    with run_local_stack() as stack:
        answer = run_example(
            "asyncio_customer.py",
            "--start-chat-url",
            f"{stack.http_url}/start-chat",
            "--endpoint",
            stack.emulator_url,
            "--message",
            "Hello!",
            "--message",
            "Where is my parcel?",
            env=without_aws_credentials(),
        )
        contacts = stack.control("GET", "/contacts")["Contacts"]

    assert answer.returncode == 0, answer.stderr + answer.stdout
    lines = answer.stdout.splitlines()
    said = [line for line in lines if not line.startswith(("  (", "* "))]
    assert said[:4] == [
        "Ana: Hello!",
        f"Agent: {reply_text('Hello!')}",
        "Ana: Where is my parcel?",
        f"Agent: {reply_text('Where is my parcel?')}",
    ]
    assert "* Agent joined the chat" in lines
    assert "  (read by Agent)" in lines
    assert lines[-2:] == ["* The chat has ended", lines[-1]]
    assert lines[-1].endswith("the session ended: True")
    assert [c["State"] for c in contacts] == ["ENDED"]


def test_asyncio_example_reports_a_start_chat_endpoint_that_is_not_there() -> None:
    answer = run_example("asyncio_customer.py", "--start-chat-url", "http://127.0.0.1:9/start-chat", "--timeout", "2")
    assert answer.returncode != 0


# ------------------------------------------------------------------------------------------- Lambda examples


def create_table(moto_url: str) -> str:
    name = f"example-{uuid.uuid4().hex[:8]}"
    boto3.client("dynamodb", endpoint_url=moto_url).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "contactId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "contactId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


@pytest.fixture
def lambda_environment(emulator: RunningEmulator, moto_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the functions' configuration would set, pointing boto3 at the emulator and moto."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CONNECT", emulator.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CONNECTPARTICIPANT", emulator.url)
    monkeypatch.setenv("CONNECT_INSTANCE_ID", INSTANCE_ID)
    monkeypatch.setenv("CONTACT_FLOW_ID", "66666666-7777-8888-9999-000000000000")


def sns_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Records": records}


def bodies(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(record["Sns"]["Message"]) for record in records]


@pytest.mark.usefixtures("lambda_environment")
def test_lambda_customer_example_starts_sends_streams_and_renews_its_token(
    emulator: RunningEmulator, moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic = Topic(moto_url)
    table = create_table(moto_url)
    monkeypatch.setenv("STREAMING_TOPIC_ARN", topic.arn)
    monkeypatch.setenv("CHAT_TABLE", table)
    example = load_example("lambda_customer")

    contact_id = example.start_handler({"displayName": "Ana"}, None)["contactId"]
    sent = example.send_handler({"contactId": contact_id, "text": "Hello from Lambda"}, None)

    answer = reply_text("Hello from Lambda")
    records = topic.wait(lambda rs: any(b.get("Content") == answer for b in bodies(rs)))
    delivered = example.stream_handler(sns_event(records), None)["delivered"]
    messages = [(i["ParticipantRole"], i["Content"]) for i in delivered if i["Type"] == "MESSAGE"]
    assert messages == [("AGENT", answer)]  # the customer's own message is not echoed back
    assert find(delivered, ContentType="application/vnd.amazonaws.connect.event.participant.joined")
    agent_message = find(delivered, Content=answer)
    assert agent_message is not None

    def delivered_receipt() -> Any:
        transcript = emulator.control("GET", f"/contacts/{contact_id}")["Transcript"]
        item = find(transcript, Id=agent_message["Id"]) or {}
        return item.get("MessageMetadata", {}).get("Receipts")

    receipts = wait_for(delivered_receipt)
    assert receipts[0]["DeliveredTimestamp"]

    stored = boto3.resource("dynamodb", endpoint_url=moto_url).Table(table)
    before = stored.get_item(Key={"contactId": contact_id})["Item"]
    emulator.control("POST", "/tokens/expire", {"participantId": before["participantId"], "kinds": ["connection"]})
    again = example.send_handler({"contactId": contact_id, "text": "still there?", "requestId": "r-1"}, None)
    after = stored.get_item(Key={"contactId": contact_id})["Item"]
    assert after["connectionToken"] != before["connectionToken"]  # renewed, and stored for the next call
    assert again["messageId"] != sent["messageId"]
    retried = example.send_handler({"contactId": contact_id, "text": "still there?", "requestId": "r-1"}, None)
    assert retried["messageId"] == again["messageId"]  # a retried invocation sends nothing twice

    emulator.control("POST", f"/contacts/{contact_id}/end")
    records = topic.wait(lambda rs: any(b["ContentType"].endswith("chat.ended") for b in bodies(rs)))
    late = example.stream_handler(sns_event(records), None)["delivered"]  # everything again, the end included
    assert late[-1]["ContentType"].endswith("chat.ended")
    assert "Item" not in stored.get_item(Key={"contactId": contact_id})


@pytest.mark.usefixtures("lambda_environment", "agent_off")
def test_lambda_bot_example_joins_once_and_answers_each_customer_message_once(
    connect_client: Any,
    participant_client: Any,
    emulator: RunningEmulator,
    moto_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    topic = Topic(moto_url)
    table = create_table(moto_url)
    monkeypatch.setenv("BOT_TABLE", table)
    bot = load_example("lambda_bot")
    chat = connect_client.start_chat_contact(
        InstanceId=INSTANCE_ID,
        ContactFlowId="flow",
        ParticipantDetails={"DisplayName": "Ana"},
        ChatStreamingConfiguration={"StreamingEndpointArn": topic.arn},
    )
    customer = participant_client.create_participant_connection(
        ParticipantToken=chat["ParticipantToken"], Type=["CONNECTION_CREDENTIALS"], ConnectParticipant=True
    )["ConnectionCredentials"]["ConnectionToken"]

    def ask(text: str) -> list[dict[str, Any]]:
        participant_client.send_message(ConnectionToken=customer, ContentType="text/plain", Content=text)
        return topic.wait(lambda rs: any(b.get("Content") == text for b in bodies(rs)))

    first = bot.handler(sns_event(ask("What are your opening hours?")), None)["answered"]
    redelivered = bot.handler(sns_event(topic.records), None)["answered"]  # SNS may deliver again
    second = bot.handler(sns_event(ask("Thanks")), None)["answered"]

    transcript = whole_transcript(participant_client, customer)
    answers = [i for i in transcript if i["Type"] == "MESSAGE" and i["ParticipantRole"] == "CUSTOM_BOT"]
    assert [a["Content"] for a in answers] == [
        "We are open from 9:00 to 17:00, Monday to Friday.",
        "Thanks! I have passed your message on: Thanks",
    ]
    assert redelivered == first
    assert first + second[-1:] == [a["Id"] for a in answers]
    joined = [
        i
        for i in transcript
        if i["ContentType"].endswith("participant.joined") and i["ParticipantRole"] == "CUSTOM_BOT"
    ]
    assert len(joined) == 1
    record = (
        boto3.resource("dynamodb", endpoint_url=moto_url)
        .Table(table)
        .get_item(Key={"contactId": chat["ContactId"]})["Item"]
    )
    assert record["participantId"] == answers[0]["ParticipantId"]
    chat_end = time.time() + 1500 * 60  # the default ChatDurationInMinutes, the participant token's lifetime
    assert abs(float(str(record["expiresAt"])) - chat_end) < 120


# --------------------------------------------------------------------------------------------------- READMEs

MARKER = re.compile(r"<!-- example: (\S+) -->")
QUOTE = re.compile(r"<!-- example: (\S+) -->\n```python\n(.*?)\n```", flags=re.DOTALL)


def readme_quotes() -> list[tuple[str, str, str]]:
    """Each ``<!-- example: PATH -->`` block of every Markdown file in the repository (the READMEs): the file, the
    path it names (from the repository's root) and the code it shows."""
    quotes: list[tuple[str, str, str]] = []
    for document in markdown_files(ROOT):
        text = document.read_text()
        name = document.relative_to(ROOT).as_posix()
        found = QUOTE.findall(text)
        assert len(found) == len(MARKER.findall(text)), f"{name}: an example marker is not followed by a python block"
        quotes.extend((name, path, code) for path, code in found)
    return quotes


def test_the_readmes_show_the_examples_as_they_are() -> None:
    quotes = readme_quotes()
    assert {path for _document, path, _code in quotes} == {f"examples/{p.name}" for p in EXAMPLES.glob("*.py")}
    for document, path, code in quotes:
        assert (ROOT / path).is_file(), f"{document} quotes {path}, which does not exist"
        assert f"\n{code}\n" in f"\n{(ROOT / path).read_text()}", f"{document}'s code from {path} is not in it"
