"""Hundreds of chats and sockets at once."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.config

from tests.support.chat import Chat, ChatSocket, async_wait_for, open_chat, send_text

POOL = botocore.config.Config(max_pool_connections=32, retries={"total_max_attempts": 1})


def _clients(emulator: Any) -> tuple[Any, Any]:
    return (
        boto3.client("connect", region_name="us-west-2", endpoint_url=emulator.url, config=POOL),
        boto3.client("connectparticipant", region_name="us-west-2", endpoint_url=emulator.url, config=POOL),
    )


def test_200_chats_started_concurrently(emulator: Any) -> None:
    emulator.control("POST", "/config", {"agentEnabled": False})
    connect, participant = _clients(emulator)

    def one(n: int) -> tuple[Chat, str]:
        chat = open_chat(connect, participant, display_name=f"customer {n}")
        return chat, str(send_text(participant, chat.connection_token, f"hello from {n}")["Id"])

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(one, range(200)))

    assert len({chat.contact_id for chat, _ in results}) == 200
    assert len({chat.participant_token for chat, _ in results}) == 200
    for n, (chat, message_id) in enumerate(results[::20]):
        transcript = participant.get_transcript(ConnectionToken=chat.connection_token)["Transcript"]
        messages = [i for i in transcript if i["Type"] == "MESSAGE"]
        assert [(m["Id"], m["Content"]) for m in messages] == [(message_id, f"hello from {n * 20}")]


async def test_100_sockets_receive_their_own_pushes(emulator: Any) -> None:
    emulator.control("POST", "/config", {"agentEnabled": False})
    connect, participant = _clients(emulator)
    with ThreadPoolExecutor(max_workers=16) as pool:
        chats = list(pool.map(lambda _: open_chat(connect, participant), range(100)))
    sockets = await asyncio.gather(*(ChatSocket.open(chat.websocket_url) for chat in chats))
    assert emulator.control("GET", "/health")["sockets"] >= 100

    def send_all() -> list[str]:
        with ThreadPoolExecutor(max_workers=16) as pool:
            return list(pool.map(lambda c: str(send_text(participant, c.connection_token, c.contact_id)["Id"]), chats))

    ids = await asyncio.to_thread(send_all)
    await asyncio.gather(*(socket.wait_item(Id=i, within=10) for socket, i in zip(sockets, ids, strict=True)))
    for socket, chat in zip(sockets, chats, strict=True):
        messages = [i for i in socket.items if i["Type"] == "MESSAGE"]
        assert [m["Content"] for m in messages] == [chat.contact_id]
    await asyncio.gather(*(socket.close() for socket in sockets))


async def test_many_sockets_with_the_simulated_agent(emulator: Any) -> None:
    connect, participant = _clients(emulator)
    with ThreadPoolExecutor(max_workers=16) as pool:
        chats = list(pool.map(lambda _: open_chat(connect, participant), range(50)))
    sockets = await asyncio.gather(*(ChatSocket.open(chat.websocket_url) for chat in chats))
    await asyncio.to_thread(
        lambda: [send_text(participant, chat.connection_token, f"ping {chat.contact_id}") for chat in chats]
    )

    async def answered(socket: ChatSocket, chat: Chat) -> None:
        async def probe() -> bool:
            return any(
                i["Type"] == "MESSAGE" and i["ParticipantRole"] == "AGENT" and chat.contact_id in i["Content"]
                for i in socket.items
            )

        await async_wait_for(probe, within=10)

    await asyncio.gather(*(answered(s, c) for s, c in zip(sockets, chats, strict=True)))
    await asyncio.gather(*(socket.close() for socket in sockets))
