"""The participant websocket: aws/subscribe, aws/heartbeat, aws/ping and aws/chat pushes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .chat import ChatItem, ChatService, Contact, Participant, SocketGrant

CHAT_TOPIC = "aws/chat"
_CLOSE = object()


@dataclass(eq=False)
class ParticipantSocket:
    """One open websocket of one participant."""

    participant: Participant
    grant: SocketGrant
    ws: web.WebSocketResponse
    request: web.Request
    outbox: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    topics: set[str] = field(default_factory=set)

    def push(self, frame: dict[str, Any]) -> None:
        self.outbox.put_nowait(frame)

    def close(self) -> None:
        """Close after everything already queued has been sent."""
        self.outbox.put_nowait(_CLOSE)

    def drop(self) -> None:
        """Cut the TCP connection without a close frame, as a network failure would."""
        transport = self.request.transport
        if transport is not None:
            transport.close()


def chat_frame(item: ChatItem) -> dict[str, Any]:
    """The ``aws/chat`` frame carrying ``item`` (its content is a JSON string)."""
    return {"topic": CHAT_TOPIC, "contentType": "application/json", "content": json.dumps(item.public())}


class SocketHub:
    """Every open participant socket, and the routing of items to them."""

    def __init__(self, chats: ChatService) -> None:
        self.chats = chats
        self.sockets: set[ParticipantSocket] = set()
        chats.item_listeners.append(self.on_item)
        chats.contact_ended_listeners.append(self.on_contact_ended)
        chats.participant_left_listeners.append(self.on_participant_left)

    def for_contact(self, contact: Contact) -> list[ParticipantSocket]:
        return [s for s in self.sockets if s.participant.contact is contact]

    def on_item(self, contact: Contact, item: ChatItem) -> None:
        frame = chat_frame(item)
        for socket in self.for_contact(contact):
            if CHAT_TOPIC in socket.topics and socket.participant.can_see(item):
                socket.push(frame)

    def on_contact_ended(self, contact: Contact) -> None:
        for socket in self.for_contact(contact):
            socket.close()

    def on_participant_left(self, participant: Participant) -> None:
        for socket in list(self.sockets):
            if socket.participant is participant:
                socket.close()

    def drop(self, contact_id: str | None = None, participant_id: str | None = None) -> int:
        """Control API: cut matching sockets abruptly; returns how many."""
        dropped = 0
        for socket in list(self.sockets):
            if contact_id not in (None, socket.participant.contact.contact_id):
                continue
            if participant_id not in (None, socket.participant.participant_id):
                continue
            socket.drop()
            dropped += 1
        return dropped

    def close_expired(self) -> int:
        """Close sockets whose URL has expired (used after the control API expires URLs)."""
        expired = [s for s in self.sockets if s.grant.expires_at <= time.time()]
        for socket in expired:
            socket.close()
        return len(expired)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """GET /connect?X-Amz-Security-Token=...: open a participant socket."""
        token = request.query.get("X-Amz-Security-Token", "")
        grant = self.chats.socket_grants.get(token)
        now = time.time()
        if grant is None or grant.connect_by <= now or grant.expires_at <= now:
            return web.json_response({"message": "Forbidden: the websocket URL is invalid or expired"}, status=403)
        participant = grant.participant
        if participant.state == "LEFT" or participant.contact.state == "ENDED":
            return web.json_response({"message": "Forbidden: the chat has ended"}, status=403)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        socket = ParticipantSocket(participant, grant, ws, request)
        self.sockets.add(socket)
        loop = asyncio.get_running_loop()
        expiry = loop.call_later(max(grant.expires_at - now, 0), socket.close)
        writer = loop.create_task(self._write(socket))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_frame(socket, message.data)
                elif message.type == WSMsgType.BINARY:
                    socket.push({"message": "Invalid request: frames must be JSON text, not binary"})
                elif message.type == WSMsgType.ERROR:
                    break
        finally:
            expiry.cancel()
            self.sockets.discard(socket)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        return ws

    async def _write(self, socket: ParticipantSocket) -> None:
        while True:
            frame = await socket.outbox.get()
            if frame is _CLOSE:
                await socket.ws.close()
                return
            try:
                await socket.ws.send_str(json.dumps(frame))
            except (ConnectionError, RuntimeError):
                return

    def _on_frame(self, socket: ParticipantSocket, text: str) -> None:
        try:
            frame = json.loads(text)
        except json.JSONDecodeError:
            socket.push({"message": "Invalid request: the frame is not JSON"})
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("topic"), str):
            socket.push({"message": "Invalid request: a frame needs a string 'topic'"})
            return
        topic = frame["topic"]
        if topic == "aws/heartbeat":
            socket.push({"topic": "aws/heartbeat"})
        elif topic == "aws/ping":
            alive = socket.participant.contact.state == "ACTIVE" and socket.grant.expires_at > time.time()
            socket.push({"topic": "aws/ping", "statusCode": 200 if alive else 403, "statusContent": "OK"})
        elif topic in ("aws/subscribe", "aws/unsubscribe"):
            self._on_subscription(socket, topic, frame.get("content"))
        else:
            socket.push({"message": f"Invalid request: unknown topic '{topic}'"})

    def _on_subscription(self, socket: ParticipantSocket, topic: str, content: Any) -> None:
        topics = content.get("topics") if isinstance(content, dict) else None
        if not isinstance(topics, list) or not topics or any(t != CHAT_TOPIC for t in topics):
            socket.push({"topic": topic, "content": {"status": "failure", "topics": topics or []}})
            return
        if topic == "aws/subscribe":
            socket.topics.add(CHAT_TOPIC)
        else:
            socket.topics.discard(CHAT_TOPIC)
        socket.push({"topic": topic, "content": {"status": "success", "topics": topics}})
