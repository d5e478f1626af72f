"""The simulated agent: joins each new chat, reads and answers every customer text message and interactive answer.

What it answers is in :mod:`.replies`: text repeating the customer's, or markdown and interactive templates for
the keywords listed there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Coroutine
from typing import Any

from . import content_types as ct
from .chat import ChatItem, ChatService, Contact, Participant
from .config import EmulatorConfig
from .errors import ServiceError
from .replies import answer, reply_text

ANSWERED_TYPES = frozenset({ct.TEXT_PLAIN, ct.TEXT_MARKDOWN, ct.INTERACTIVE_RESPONSE})

__all__ = ["ANSWERED_TYPES", "SimulatedAgent", "reply_text"]


class SimulatedAgent:
    """Plays the agent of every chat started while it is enabled."""

    def __init__(self, chats: ChatService) -> None:
        self.chats = chats
        self.agents: dict[str, Participant] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        chats.contact_started_listeners.append(self.on_contact_started)
        chats.item_listeners.append(self.on_item)

    @property
    def config(self) -> EmulatorConfig:
        """The live settings, so that toggles through the control API apply at once."""
        return self.chats.config

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def on_contact_started(self, contact: Contact) -> None:
        if self.config.agent_enabled:
            self._spawn(self._join(contact))

    async def _join(self, contact: Contact) -> None:
        await asyncio.sleep(self.config.agent_delay)
        if contact.state != "ACTIVE":
            return
        self.agents[contact.contact_id] = self.chats.add_participant(contact, "AGENT", self.config.agent_name)
        for item in list(contact.items):
            self.on_item(contact, item)

    def on_item(self, contact: Contact, item: ChatItem) -> None:
        agent = self.agents.get(contact.contact_id)
        if agent is None or agent.state != "ACTIVE":
            return
        data = item.data
        if data["Type"] != "MESSAGE" or data.get("ParticipantRole") != "CUSTOMER":
            return
        if data["ContentType"] not in ANSWERED_TYPES or "_answered" in data:
            return
        data["_answered"] = True
        self._spawn(self._answer(agent, item))

    async def _answer(self, agent: Participant, item: ChatItem) -> None:
        receipt = json.dumps({"messageId": item.id})
        if not self._active(agent):
            return
        try:
            self.chats.send_event(agent, ct.MESSAGE_DELIVERED, receipt)
            self.chats.send_event(agent, ct.MESSAGE_READ, receipt)
        except ServiceError:
            pass  # receipts are refused with more than two active participants (e.g. a bot joined)
        self.chats.send_event(agent, ct.TYPING, None)
        await asyncio.sleep(self.config.agent_reply_delay)
        if self._active(agent):
            contact = agent.contact
            reply = answer(
                item.data["ContentType"],
                str(item.data.get("Content", "")),
                contact.supported_content_types,
                self.config.http_base,
                dt.datetime.now(dt.UTC),
            )
            self.chats.send_message(agent, reply.content_type, reply.content)

    @staticmethod
    def _active(agent: Participant) -> bool:
        return agent.state == "ACTIVE" and agent.contact.state == "ACTIVE"

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
