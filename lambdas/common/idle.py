"""The idle-chat index: every active relay chat, by the time the sweeper should look at it next.

A sparse global secondary index of the session table (``idleKey`` = ``IDLE``, sorted by ``idleAt``, keys
only): a chat enters it when it starts (due when its customer should have written by) and leaves it when it
ends. The sweeper reads what is due with a Query, never a Scan, and never relies on TTL deletion, which DynamoDB
performs only within days.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from common import contract
from common.sessions import IDLE_KEY, chat_key, contact_id_of

_INDEX: Final = contract.IDLE_INDEX
_PARTITION: Final = contract.IDLE_INDEX_PARTITION_KEY
_SORT: Final = contract.IDLE_INDEX_SORT_KEY


class IdleChats:
    """Queries and updates of the idle index.

    Parameters
    ----------
    table_name : str
        The session table.
    client : botocore client
        A ``dynamodb`` client.
    """

    def __init__(self, table_name: str, client: Any) -> None:
        self.table_name = table_name
        self.client = client

    def _pages(self, condition: str, values: dict[str, Any], **extra: Any) -> Iterator[dict[str, Any]]:
        """Every page of a Query of the index's one partition."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": _INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#key": _PARTITION, **({"#at": _SORT} if "#at" in condition else {})},
            "ExpressionAttributeValues": {":idle": {"S": IDLE_KEY}, **values},
            **extra,
        }
        while True:
            page: dict[str, Any] = self.client.query(**request)
            yield page
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def due(self, now: float, *, limit: int = 100) -> list[str]:
        """Contact ids of active chats due for a look (``idleAt`` at or before ``now``), the earliest first."""
        contact_ids: list[str] = []
        for page in self._pages("#key = :idle AND #at <= :now", {":now": {"N": str(int(now))}}):
            for item in page.get("Items", []):
                contact_ids.append(contact_id_of(item))
                if len(contact_ids) >= limit:
                    return contact_ids
        return contact_ids

    def count(self) -> int:
        """How many chats are in the index (every relay chat not yet ended)."""
        return sum(int(page.get("Count", 0)) for page in self._pages("#key = :idle", {}, Select="COUNT"))

    def reschedule(self, contact_id: str, idle_at: int, orphaned_since: int | None) -> None:
        """Look at the chat again at ``idle_at``; remember since when it has had no connection (0: it has one)."""
        values: dict[str, Any] = {
            ":at": {"N": str(idle_at)},
            ":idle": {"S": IDLE_KEY},
            ":since": {"N": str(orphaned_since or 0)},
        }
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=chat_key(contact_id),
                UpdateExpression="SET #at = :at, orphanedSince = :since",
                ConditionExpression="#key = :idle",
                ExpressionAttributeNames={"#at": _SORT, "#key": _PARTITION},
                ExpressionAttributeValues=values,
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return  # it ended meanwhile (and left the index)
