"""A customer's chat from an asyncio program, with connect_chat's long-lived (websocket) mode.

It asks your start-chat endpoint for a chat (the direct flow: ``make local`` serves one at
http://127.0.0.1:3000/start-chat, a deployed stack prints its ``StartChatUrl``), connects to the Participant
Service, says each message and waits for the agent's answer to it, then leaves, which ends the chat. No AWS
credentials are needed: the Participant Service authenticates with the chat's own tokens.

With ``make local`` running::

    PYTHONPATH=layer/python .venv/bin/python examples/asyncio_customer.py --endpoint http://127.0.0.1:3002

Against a deployed stack, give ``--start-chat-url`` its ``StartChatUrl`` and ``--region`` its region instead of
``--endpoint``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import urllib.request
from typing import Any

from connect_chat import ChatSession, CustomerChatSession, SessionType, content_types, set_global_config


def start_chat(start_chat_url: str, display_name: str) -> dict[str, Any]:
    """POST /start-chat: the participant details of a new chat, as amazon-connect-chat-interface receives them."""
    request = urllib.request.Request(
        start_chat_url,
        data=json.dumps({"ParticipantDetails": {"DisplayName": display_name}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer  # {"data": {"startChatResult": {"ContactId", "ParticipantId", "ParticipantToken"}}}


def describe(item: dict[str, Any]) -> str | None:
    """A line for a message or a participant event; None for what a reader does not need to see."""
    if item["Type"] == "MESSAGE":
        return f"{item.get('DisplayName', item['ParticipantRole'])}: {item.get('Content', '')}"
    name = item.get("DisplayName", "")
    return {
        content_types.PARTICIPANT_JOINED: f"* {name} joined the chat",
        content_types.PARTICIPANT_LEFT: f"* {name} left the chat",
    }.get(item.get("ContentType", ""))


async def chat(start_chat_url: str, display_name: str, messages: list[str], wait: float) -> int:
    """Run one chat, waiting up to ``wait`` seconds for each answer; 0 when every message was answered."""
    details = await asyncio.to_thread(start_chat, start_chat_url, display_name)
    # The start-chat answer can be passed as it is: chat details are read from it.
    session = ChatSession.create(chat_details=details, type=SessionType.CUSTOMER)
    assert isinstance(session, CustomerChatSession)  # what a CUSTOMER session is (for type checkers)
    answers: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    ended = asyncio.Event()

    async def on_message(event: dict[str, Any]) -> None:
        item = event["data"]
        line = describe(item)
        if line is not None:
            print(line, flush=True)
        if item["Type"] == "MESSAGE" and item["ParticipantRole"] != "CUSTOMER":
            await session.send_message_receipt("read", message_id=item["Id"])  # shown, so read
            answers.put_nowait(item)

    async def on_typing(event: dict[str, Any]) -> None:
        print(f"  ({event['data'].get('DisplayName', 'Someone')} is typing…)", flush=True)

    async def on_read_receipt(event: dict[str, Any]) -> None:
        print(f"  (read by {event['data'].get('DisplayName', 'the agent')})", flush=True)

    async def on_ended(event: dict[str, Any]) -> None:  # once, however the chat ended
        print("* The chat has ended", flush=True)
        ended.set()

    # Handlers may be plain functions or coroutines; these are all coroutines, so they run in arrival order.
    session.on_message(on_message)
    session.on_typing(on_typing)
    session.on_read_receipt(on_read_receipt)
    session.on_ended(on_ended)

    async with session:  # closes the websocket on the way out, whatever happens
        await session.connect()
        for text in messages:
            await session.send_message(text)
            try:
                await asyncio.wait_for(answers.get(), wait)
            except TimeoutError:
                print(f"No answer within {wait:g} s; leaving.", file=sys.stderr)
                await session.disconnect_participant()
                return 1
        await session.disconnect_participant()  # a customer leaving ends the chat
        await asyncio.wait_for(ended.wait(), wait)
    print(f"{len(session.transcript)} items in the transcript; the session ended: {session.ended}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--start-chat-url",
        default="http://127.0.0.1:3000/start-chat",
        help="your start-chat endpoint (default: make local's, %(default)s)",
    )
    parser.add_argument(
        "--endpoint", help="the Participant Service URL (make local: http://127.0.0.1:3002; default: AWS's)"
    )
    parser.add_argument("--region", help="the Amazon Connect region (default: AWS_REGION, else us-west-2)")
    parser.add_argument("--name", default="Ana", help="the customer's display name (default %(default)s)")
    parser.add_argument(
        "--message",
        dest="messages",
        action="append",
        help="a message to send and wait for the answer to; repeat it for more (default: Hello!)",
    )
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for each answer (default 30)")
    args = parser.parse_args(argv)
    set_global_config(endpoint=args.endpoint, region=args.region)
    return asyncio.run(chat(args.start_chat_url, args.name, args.messages or ["Hello!"], args.timeout))


if __name__ == "__main__":
    sys.exit(main())
