"""Message streaming: every item of a streamed contact is published to its SNS topic, as Connect does."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from typing import Any

import boto3

from .chat import ChatItem, ChatService, Contact

logger = logging.getLogger(__name__)

#: Item types never published. The SNS payload page (Amazon Connect administrator guide, "sns-payload") lists
#: ``Type`` EVENT and MESSAGE and no connection.acknowledged content type: a participant's connection
#: acknowledgement is an ``aws/chat`` push to that participant's own websocket, not a chat item for others.
NOT_STREAMED_TYPES = frozenset({"CONNECTION_ACK"})


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


Publication = tuple[str, str, dict[str, Any]]


class StreamingPublisher:
    """Publishes the items of streamed contacts: in order within a contact, contacts in parallel.

    Each contact with pending items has one worker task that drains its queue and then ends, so idle
    contacts cost nothing.
    """

    def __init__(self, chats: ChatService) -> None:
        self.chats = chats
        self.published = 0
        self.failures = 0
        self._clients: dict[str, Any] = {}
        self._pending: dict[str, deque[Publication]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        chats.item_listeners.append(self.on_item)

    def on_item(self, contact: Contact, item: ChatItem) -> None:
        if not contact.streaming or item.data["Type"] in NOT_STREAMED_TYPES:
            return
        pending = self._pending.setdefault(contact.contact_id, deque())
        for arn in contact.streaming.values():
            body, attributes = streaming_message(contact, item, self.chats.config.account_id)
            pending.append((arn, body, attributes))
        if contact.contact_id not in self._workers:
            worker = asyncio.get_running_loop().create_task(self._drain(contact.contact_id))
            self._workers[contact.contact_id] = worker

    async def stop(self) -> None:
        """Cancel whatever is still being published (shutdown)."""
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    def _client(self, arn: str) -> Any:
        region = arn.split(":")[3]
        if region not in self._clients:
            self._clients[region] = boto3.client("sns", region_name=region)
        return self._clients[region]

    async def _drain(self, contact_id: str) -> None:
        pending = self._pending[contact_id]
        try:
            while pending:
                arn, body, attributes = pending.popleft()
                try:
                    await asyncio.to_thread(
                        self._client(arn).publish, TopicArn=arn, Message=body, MessageAttributes=attributes
                    )
                    self.published += 1
                except Exception:
                    self.failures += 1
                    logger.exception("Publishing to %s failed", arn)
        finally:
            # No await between the empty check and here: an item added later starts a new worker.
            self._workers.pop(contact_id, None)
            if not pending:
                self._pending.pop(contact_id, None)
