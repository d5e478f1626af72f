"""boto3, unmodified, against the Connect emulator: start a chat, say hello, read the agent's answer, leave.

Start the emulator first (``make local`` runs it on port 3002, or ``python -m local.connect_emulator``), then::

    .venv/bin/python examples/boto3_emulator.py --endpoint http://127.0.0.1:3002
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config


def clients(endpoint: str) -> tuple[Any, Any]:
    """``connect`` and ``connectparticipant`` clients for the emulator at ``endpoint``."""
    # boto3 signs `connect` calls with SigV4 and refuses to send them without credentials. The emulator checks
    # no signature, so dummy credentials do, and they keep your real ones (if any) away from it.
    connect = boto3.client(
        "connect",
        endpoint_url=endpoint,
        region_name="us-west-2",
        aws_access_key_id="emulator",
        aws_secret_access_key="emulator",
    )
    # The Participant Service authenticates with the participant and connection tokens (X-Amz-Bearer), not
    # with SigV4 (its API reference says so), so these calls go unsigned and need no credentials at all.
    participant = boto3.client(
        "connectparticipant", endpoint_url=endpoint, region_name="us-west-2", config=Config(signature_version=UNSIGNED)
    )
    return connect, participant


def wait_for_answer(participant: Any, token: str, after_id: str, timeout: float) -> dict[str, Any] | None:
    """The first agent message after the item ``after_id`` (GetTranscript, polled), or None after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = participant.get_transcript(
            ConnectionToken=token,
            StartPosition={"Id": after_id},
            ScanDirection="FORWARD",
            SortOrder="ASCENDING",
            MaxResults=100,
        )
        for item in page["Transcript"]:
            if item["Type"] == "MESSAGE" and item["ParticipantRole"] == "AGENT":
                return dict(item)
        time.sleep(0.5)
    return None


def chat(endpoint: str, name: str, message: str, wait: float) -> int:
    """Start a chat, send ``message``, wait up to ``wait`` seconds for the agent's answer, leave; 0 if answered."""
    connect, participant = clients(endpoint)
    # Any non-empty InstanceId and ContactFlowId will do on the emulator.
    started = connect.start_chat_contact(
        InstanceId="any-instance", ContactFlowId="any-flow", ParticipantDetails={"DisplayName": name}
    )
    connection = participant.create_participant_connection(
        ParticipantToken=started["ParticipantToken"], Type=["CONNECTION_CREDENTIALS"], ConnectParticipant=True
    )
    token = connection["ConnectionCredentials"]["ConnectionToken"]

    sent = participant.send_message(ConnectionToken=token, ContentType="text/plain", Content=message)
    print(f"{name}: {message}")
    answer = wait_for_answer(participant, token, sent["Id"], wait)
    participant.disconnect_participant(ConnectionToken=token)  # a customer leaving ends the chat
    if answer is None:
        print(f"No answer within {wait:g} s: is the simulated agent on?", file=sys.stderr)
        return 1
    print(f"{answer['DisplayName']}: {answer['Content']}")
    print(f"Chat {started['ContactId']} ended.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:3002", help="the emulator's URL (default %(default)s)")
    parser.add_argument("--name", default="Ana", help="the customer's display name (default %(default)s)")
    parser.add_argument("--message", default="Hello!", help="what the customer says (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=15, help="seconds to wait for the answer (default 15)")
    args = parser.parse_args(argv)
    return chat(args.endpoint, args.name, args.message, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
