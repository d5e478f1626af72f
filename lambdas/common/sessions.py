"""The session table: connection ⇄ chat mapping, the chat's Connect tokens and hashed resume tokens.

One DynamoDB table with ``pk``/``sk`` string keys and a TTL attribute ``expiresAt``:

=========================  ==================  ==============================================================
pk                         sk                  holds
=========================  ==================  ==============================================================
``CONN#<connectionId>``    ``META``            the connection's chat (``contactId``) and origin
``CONN#<connectionId>``    ``RATE#<minute>``   frames received in that minute (rate limit)
``CHAT#<contactId>``       ``META``            participant id and tokens, resume-token hash, state
``CHAT#<contactId>``       ``CONN#<id>``       one per connection attached to the chat (posting fan-out)
``RESUME#<sha256>``        ``META``            the chat a resume token belongs to
=========================  ==================  ==============================================================

Every read is a GetItem or a Query on one partition; writes that must not clobber are conditional.
Tokens live only here (the table is encrypted at rest) and are never logged.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

#: Records outlive the chat by this much so that a late resume can be told the chat ended.
GRACE_SECONDS = 24 * 3600


def hash_token(token: str) -> str:
    """The stored form of a resume token (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class AttachedConnection:
    """A connection attached to a chat, and the management API endpoint that reaches it."""

    connection_id: str
    endpoint: str


@dataclass
class ChatRecord:
    """A chat the relay started, with the tokens it acts with."""

    contact_id: str
    participant_id: str
    participant_token: str
    connection_token: str
    connection_expiry: str
    initial_contact_id: str
    expires_at: int
    state: str = "ACTIVE"
    streaming_id: str | None = None

    def to_item(self, resume_hash: str) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": f"CHAT#{self.contact_id}",
            "sk": "META",
            "contactId": self.contact_id,
            "participantId": self.participant_id,
            "participantToken": self.participant_token,
            "connectionToken": self.connection_token,
            "connectionExpiry": self.connection_expiry,
            "initialContactId": self.initial_contact_id,
            "resumeTokenHash": resume_hash,
            "chatState": self.state,
            "expiresAt": self.expires_at,
        }
        if self.streaming_id:
            item["streamingId"] = self.streaming_id
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ChatRecord:
        return cls(
            contact_id=item["contactId"],
            participant_id=item["participantId"],
            participant_token=item["participantToken"],
            connection_token=item["connectionToken"],
            connection_expiry=item.get("connectionExpiry", ""),
            initial_contact_id=item.get("initialContactId", item["contactId"]),
            expires_at=int(item["expiresAt"]),
            state=item.get("chatState", "ACTIVE"),
            streaming_id=item.get("streamingId"),
        )

    def __repr__(self) -> str:  # tokens never appear in reprs, logs or tracebacks
        return f"ChatRecord(contact_id={self.contact_id!r}, state={self.state!r})"


class SessionStore:
    """All reads and writes of the session table."""

    def __init__(self, table_name: str, *, resource: Any | None = None) -> None:
        self.table: Any = (resource or boto3.resource("dynamodb")).Table(table_name)
        # The resource's client converts plain Python values to DynamoDB's typed JSON, transactions included.
        self.client = self.table.meta.client

    # ----------------------------------------------------------------------------------- connections

    def put_connection(self, connection_id: str, *, origin: str | None, ttl_seconds: int) -> None:
        """Remember a new WebSocket connection (``$connect``)."""
        item: dict[str, Any] = {
            "pk": f"CONN#{connection_id}",
            "sk": "META",
            "connectionId": connection_id,
            "connectedAt": int(time.time()),
            "expiresAt": int(time.time()) + ttl_seconds,
        }
        if origin:
            item["origin"] = origin
        self.table.put_item(Item=item)

    def connection_chat(self, connection_id: str) -> str | None:
        """The contact id the connection is attached to, if any."""
        item = self.table.get_item(Key={"pk": f"CONN#{connection_id}", "sk": "META"}).get("Item")
        return None if item is None else item.get("contactId")

    def forget_connection(self, connection_id: str) -> str | None:
        """Remove a connection (``$disconnect`` or Gone); the chat itself stays resumable."""
        old = self.table.delete_item(Key={"pk": f"CONN#{connection_id}", "sk": "META"}, ReturnValues="ALL_OLD").get(
            "Attributes"
        )
        contact_id = None if old is None else old.get("contactId")
        if contact_id:
            self.detach(contact_id, connection_id)
        return contact_id

    def detach(self, contact_id: str, connection_id: str) -> None:
        """Stop posting ``contact_id``'s items to ``connection_id``."""
        self.table.delete_item(Key={"pk": f"CHAT#{contact_id}", "sk": f"CONN#{connection_id}"})

    def attach(self, contact_id: str, connection_id: str, expires_at: int, endpoint: str) -> None:
        """Post ``contact_id``'s items to ``connection_id`` (through ``endpoint``) from now on."""
        self.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table.name,
                        "Item": (
                            {
                                "pk": f"CHAT#{contact_id}",
                                "sk": f"CONN#{connection_id}",
                                "connectionId": connection_id,
                                "endpoint": endpoint,
                                "expiresAt": expires_at,
                            }
                        ),
                    }
                },
                {
                    "Update": {
                        "TableName": self.table.name,
                        "Key": ({"pk": f"CONN#{connection_id}", "sk": "META"}),
                        "UpdateExpression": "SET contactId = :c",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": ({":c": contact_id}),
                    }
                },
            ]
        )

    def connections_of(self, contact_id: str) -> list[AttachedConnection]:
        """Every connection attached to the chat (one Query, paginated)."""
        connections: list[AttachedConnection] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"CHAT#{contact_id}") & Key("sk").begins_with("CONN#"),
            "ProjectionExpression": "connectionId, endpoint",
        }
        while True:
            page = self.table.query(**kwargs)
            connections.extend(
                AttachedConnection(item["connectionId"], item["endpoint"]) for item in page.get("Items", [])
            )
            if "LastEvaluatedKey" not in page:
                return connections
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # ----------------------------------------------------------------------------------------- chats

    def create_chat(self, chat: ChatRecord, resume_token: str, connection_id: str, endpoint: str) -> None:
        """Store a new chat, its resume token's hash, and attach the connection that started it."""
        resume_hash = hash_token(resume_token)
        self.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table.name,
                        "Item": (chat.to_item(resume_hash)),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": self.table.name,
                        "Item": (
                            {
                                "pk": f"RESUME#{resume_hash}",
                                "sk": "META",
                                "contactId": chat.contact_id,
                                "expiresAt": chat.expires_at,
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
        self.attach(chat.contact_id, connection_id, chat.expires_at, endpoint)

    def get_chat(self, contact_id: str) -> ChatRecord | None:
        item = self.table.get_item(Key={"pk": f"CHAT#{contact_id}", "sk": "META"}, ConsistentRead=True).get("Item")
        return None if item is None else ChatRecord.from_item(item)

    def chat_for_resume_token(self, resume_token: str) -> ChatRecord | None:
        """The chat a resume token opens, or ``None`` for an unknown token."""
        item = self.table.get_item(Key={"pk": f"RESUME#{hash_token(resume_token)}", "sk": "META"}).get("Item")
        return None if item is None else self.get_chat(item["contactId"])

    def update_connection_token(self, contact_id: str, token: str, expiry: str) -> None:
        self.table.update_item(
            Key={"pk": f"CHAT#{contact_id}", "sk": "META"},
            UpdateExpression="SET connectionToken = :t, connectionExpiry = :e",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":t": token, ":e": expiry},
        )

    def mark_ended(self, contact_id: str) -> bool:
        """Record that the chat ended; ``True`` only for the call that changed it (notify once)."""
        try:
            self.table.update_item(
                Key={"pk": f"CHAT#{contact_id}", "sk": "META"},
                UpdateExpression="SET chatState = :ended",
                ConditionExpression="attribute_exists(pk) AND chatState <> :ended",
                ExpressionAttributeValues={":ended": "ENDED"},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # ------------------------------------------------------------------------------------ rate limit

    def count_frame(self, connection_id: str, now: float | None = None) -> int:
        """Count one frame in the connection's current minute; returns the minute's count so far."""
        minute = int((now if now is not None else time.time()) // 60)
        result = self.table.update_item(
            Key={"pk": f"CONN#{connection_id}", "sk": f"RATE#{minute}"},
            UpdateExpression="ADD hits :one SET expiresAt = :ttl",
            ExpressionAttributeValues={":one": 1, ":ttl": (minute + 2) * 60},
            ReturnValues="UPDATED_NEW",
        )
        return int(result["Attributes"]["hits"])
