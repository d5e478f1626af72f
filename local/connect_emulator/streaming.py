"""Message streaming: every item of a streamed contact is published to its SNS topic, as Connect does."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import boto3

from .chat import ChatItem, ChatService, Contact

logger = logging.getLogger(__name__)


def streaming_message(contact: Contact, item: ChatItem, account_id: str) -> tuple[str, dict[str, Any]]:
    """The SNS message body and MessageAttributes Connect publishes for ``item``."""
    body = item.public()
    attributes = {
        "InitialContactId": contact.initial_contact_id,
        "ContactId": contact.contact_id,
        "ParticipantRole": body.get("ParticipantRole", "SYSTEM"),
        "InstanceId": contact.instance_id,
        "AccountId": account_id,
        "Type": body["Type"],
        "ContentType": body["ContentType"],
        "MessageVisibility": item.visibility,
    }
    return json.dumps(body), {k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()}


class StreamingPublisher:
    """Publishes items of contacts with streaming started, in order, from one background task."""

    def __init__(self, chats: ChatService) -> None:
        self.chats = chats
        self.queue: asyncio.Queue[tuple[str, str, dict[str, Any]]] = asyncio.Queue()
        self.published = 0
        self.failures = 0
        self._clients: dict[str, Any] = {}
        self._task: asyncio.Task[None] | None = None
        chats.item_listeners.append(self.on_item)

    def on_item(self, contact: Contact, item: ChatItem) -> None:
        for arn in contact.streaming.values():
            body, attributes = streaming_message(contact, item, self.chats.config.account_id)
            self.queue.put_nowait((arn, body, attributes))

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _client(self, arn: str) -> Any:
        region = arn.split(":")[3]
        if region not in self._clients:
            self._clients[region] = boto3.client("sns", region_name=region)
        return self._clients[region]

    async def _run(self) -> None:
        while True:
            arn, body, attributes = await self.queue.get()
            try:
                await asyncio.to_thread(
                    self._client(arn).publish, TopicArn=arn, Message=body, MessageAttributes=attributes
                )
                self.published += 1
            except Exception:
                self.failures += 1
                logger.exception("Publishing to %s failed", arn)
