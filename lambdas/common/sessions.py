"""The session table: what each connection is attached to, the chat's Connect tokens, and resume tokens.

One DynamoDB table (``pk``/``sk`` string keys, TTL ``expiresAt``) holding two kinds of item, each designed so
that one request answers what its hot path needs:

==========================  ======  ===================================================================
pk                          sk      holds
==========================  ======  ===================================================================
``CONN#<connectionId>``     META    the connection (origin, TTL); its frame counters ``r<minute>``; once
                                    attached, a copy of its chat's ids, tokens and state
``CHAT#<contactId>``        META    the chat: ids, tokens, state, resume-token hashes and ``connections``,
                                    a map of every attached connection id to its management endpoint
==========================  ======  ===================================================================

* A client frame costs one UpdateItem on its connection's item: it counts the frame in this minute's counter
  (the rate limit) and returns the item, which holds everything the frame needs to call Connect.
* A streamed item costs one strongly consistent GetItem of the chat item (its ``connections`` map); a
  connection found gone (410) is removed from the map then, so ``$disconnect`` is a single DeleteItem.
* Starting a chat is one transaction (the chat item and the connection's copy); resuming is a GetItem of the
  chat item and one transaction (attach + rotate the resume token).

Nothing is scanned; tokens live only here (the table is encrypted at rest) and are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from common import contract

#: Records outlive the chat by this much so that a late resume can be told the chat ended.
GRACE_SECONDS: Final = 24 * 3600
#: A resume token stays valid this long after it was exchanged for a new one (two tabs racing a reload).
RESUME_GRACE_SECONDS: Final = 60
#: ``sendMessage`` requestIds a connection's item remembers (with their message's fingerprint).
REQUEST_SLOTS: Final = 8
#: A connection record lives a little longer than API Gateway's 2-hour connection limit.
CONNECTION_TTL_SECONDS: Final = contract.MAX_CONNECTION_SECONDS + 3600

ACTIVE: Final = "ACTIVE"
ENDED: Final = "ENDED"
#: The idle index's one partition: every active chat the sweeper watches.
IDLE_KEY: Final = "IDLE"

_PK: Final = contract.TABLE_PARTITION_KEY
_SK: Final = contract.TABLE_SORT_KEY
_TTL: Final = contract.TABLE_TTL_ATTRIBUTE
_META: Final = {"S": "META"}
_CHAT_PREFIX: Final = "CHAT#"
_CONFIG: Final = Config(retries={"mode": "standard", "max_attempts": 3})
#: The chat fields a connection's item carries once attached (what its frames need).
_CHAT_COPY: Final = ("contactId", "participantId", "initialContactId", "participantToken", "connectionToken")


class ChatAlreadyAttachedError(Exception):
    """The connection already serves another chat that has not ended."""


class ResumeRaceError(Exception):
    """The chat's resume token changed between reading and rotating it (another tab resumed): read again."""


def hash_token(secret: str) -> str:
    """The stored form of a resume token's secret (the secret itself is never stored)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_resume_token(contact_id: str) -> tuple[str, str]:
    """A fresh resume token ``<contactId>.<secret>`` and the hash to store."""
    secret = secrets.token_urlsafe(32)
    return f"{contact_id}.{secret}", hash_token(secret)


def split_resume_token(token: str) -> tuple[str, str] | None:
    """``(contact_id, secret hash)`` of a resume token, or ``None`` when it is not shaped like one."""
    contact_id, dot, secret = token.rpartition(".")
    if not dot or not contact_id or len(secret) < 20 or len(contact_id) > 256:
        return None
    if not all(c.isalnum() or c == "-" for c in contact_id):
        return None
    return contact_id, hash_token(secret)


def _key(pk: str) -> dict[str, Any]:
    return {_PK: {"S": pk}, _SK: _META}


def _conn_key(connection_id: str) -> dict[str, Any]:
    return _key(f"CONN#{connection_id}")


def chat_key(contact_id: str) -> dict[str, Any]:
    """The key of a chat's item."""
    return _key(f"{_CHAT_PREFIX}{contact_id}")


def contact_id_of(key: Mapping[str, Any]) -> str:
    """The contact id of a chat's item, from its key (or the whole item)."""
    return str(key[_PK]["S"]).removeprefix(_CHAT_PREFIX)


def _value(attribute: Mapping[str, Any]) -> Any:
    """A plain Python value from DynamoDB's typed JSON (the types this table uses)."""
    if "S" in attribute:
        return attribute["S"]
    if "N" in attribute:
        return int(attribute["N"])
    if "M" in attribute:
        return {key: _value(inner) for key, inner in attribute["M"].items()}
    if "BOOL" in attribute:
        return bool(attribute["BOOL"])
    return None


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _value(attribute) for name, attribute in item.items()}


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _cancellation_codes(exc: ClientError) -> list[str]:
    """The per-item reasons of a cancelled transaction (``None`` for items that were fine)."""
    reasons = exc.response.get("CancellationReasons") or []
    return [str(reason.get("Code") or "None") for reason in reasons]


class ConnectionState(NamedTuple):
    """A connection's item as its frame found it: this minute's frame count and, once attached, its chat."""

    connection_id: str
    frames_this_minute: int
    contact_id: str | None = None
    participant_id: str | None = None
    initial_contact_id: str | None = None
    participant_token: str | None = None
    connection_token: str | None = None
    chat_state: str | None = None
    #: The frame's ``requestId`` was used earlier on this connection for a different message (frame not counted).
    request_id_reused: bool = False

    def __repr__(self) -> str:  # tokens never appear in reprs, logs or tracebacks
        return f"ConnectionState(connection_id={self.connection_id!r}, contact_id={self.contact_id!r})"

    @property
    def chat_active(self) -> bool:
        """Attached to a chat that has not (as far as the relay knows) ended."""
        return self.contact_id is not None and self.chat_state != ENDED


@dataclass
class ChatRecord:
    """A chat the relay started: ids, tokens, state, resume-token hashes and the attached connections."""

    contact_id: str
    participant_id: str
    participant_token: str = field(repr=False)
    connection_token: str = field(repr=False)
    connection_expiry: str
    initial_contact_id: str
    expires_at: int
    state: str = ACTIVE
    streaming_id: str | None = None
    resume_hash: str = field(default="", repr=False)
    prior_resume_hash: str = field(default="", repr=False)
    prior_resume_until: int = 0
    connections: dict[str, str] = field(default_factory=dict)
    #: Who started it (its budget counts) and when; when the sweeper should look at it first.
    source_ip: str = ""
    created_at: int = 0
    idle_at: int = 0
    orphaned_since: int = 0

    def accepts(self, presented_hash: str, now: float) -> bool:
        """Whether a resume token with this hash opens the chat (the current one, or the one it replaced
        within the grace period), while the chat's records are live."""
        if now >= self.expires_at:
            return False
        if presented_hash and hmac.compare_digest(presented_hash, self.resume_hash):
            return True
        return bool(
            self.prior_resume_hash
            and now < self.prior_resume_until
            and hmac.compare_digest(presented_hash, self.prior_resume_hash)
        )

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            **chat_key(self.contact_id),
            "contactId": {"S": self.contact_id},
            "participantId": {"S": self.participant_id},
            "participantToken": {"S": self.participant_token},
            "connectionToken": {"S": self.connection_token},
            "connectionExpiry": {"S": self.connection_expiry},
            "initialContactId": {"S": self.initial_contact_id},
            "chatState": {"S": self.state},
            "resumeHash": {"S": self.resume_hash},
            "connections": {"M": {cid: {"S": endpoint} for cid, endpoint in self.connections.items()}},
            _TTL: {"N": str(self.expires_at)},
        }
        if self.streaming_id:
            item["streamingId"] = {"S": self.streaming_id}
        if self.source_ip:
            item["sourceIp"] = {"S": self.source_ip}
        if self.created_at:
            item["createdAt"] = {"N": str(self.created_at)}
        if self.idle_at and self.state == ACTIVE:
            item[contract.IDLE_INDEX_PARTITION_KEY] = {"S": IDLE_KEY}
            item[contract.IDLE_INDEX_SORT_KEY] = {"N": str(self.idle_at)}
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> ChatRecord:
        data = _plain(item)
        return cls(
            contact_id=data["contactId"],
            participant_id=data["participantId"],
            participant_token=data["participantToken"],
            connection_token=data["connectionToken"],
            connection_expiry=data.get("connectionExpiry", ""),
            initial_contact_id=data.get("initialContactId", data["contactId"]),
            expires_at=int(data[_TTL]),
            state=data.get("chatState", ACTIVE),
            streaming_id=data.get("streamingId"),
            resume_hash=data.get("resumeHash", ""),
            prior_resume_hash=data.get("priorResumeHash", ""),
            prior_resume_until=int(data.get("priorResumeUntil", 0)),
            connections=dict(data.get("connections") or {}),
            source_ip=data.get("sourceIp", ""),
            created_at=int(data.get("createdAt", 0)),
            idle_at=int(data.get(contract.IDLE_INDEX_SORT_KEY, 0)),
            orphaned_since=int(data.get("orphanedSince", 0)),
        )


class StartOutcome(NamedTuple):
    """What :meth:`SessionStore.open_start` found.

    ``refused_by_connection``: the connection is unknown (``connection`` is ``None``), serves a chat, or is over
    its frame rate (``connection`` holds what it was). ``refused_budgets``: which reservation steps refused.
    """

    connection: ConnectionState | None = None
    refused_by_connection: bool = False
    refused_budgets: tuple[bool, ...] = ()


class FanOut(NamedTuple):
    """Where a chat's items go: its state and every attached connection with its management endpoint (and, from
    :meth:`SessionStore.mark_ended`, the address that started it, whose budget the end releases)."""

    contact_id: str
    state: str
    connections: dict[str, str]
    source_ip: str = ""


class SessionStore:
    """All reads and writes of the session table, over a low-level DynamoDB client.

    Parameters
    ----------
    table_name : str
        The session table.
    client : botocore client, optional
        A ``dynamodb`` client (default: a new one with standard retries; ``AWS_ENDPOINT_URL_DYNAMODB`` applies).
    clock : callable, optional
        Seconds since the epoch (tests pin it).
    """

    def __init__(self, table_name: str, *, client: Any | None = None, clock: Any = time.time) -> None:
        self.table_name = table_name
        self.client: Any = client or boto3.client("dynamodb", config=_CONFIG)
        self.clock = clock

    # ----------------------------------------------------------------------------------- connections

    def put_connection(self, connection_id: str, *, origin: str | None) -> None:
        """Remember a new WebSocket connection (``$connect``)."""
        now = int(self.clock())
        item: dict[str, Any] = {
            **_conn_key(connection_id),
            "connectionId": {"S": connection_id},
            "connectedAt": {"N": str(now)},
            _TTL: {"N": str(now + CONNECTION_TTL_SECONDS)},
        }
        if origin:
            item["origin"] = {"S": origin}
        self.client.put_item(TableName=self.table_name, Item=item)

    def open_frame(self, connection_id: str, message: tuple[str, str] | None = None) -> ConnectionState | None:
        """Count one frame in the connection's current minute and read the connection: one UpdateItem.

        ``message`` is a ``sendMessage`` frame's ``(requestId, fingerprint)``: the same request updates one of
        :data:`REQUEST_SLOTS` slots (chosen by the ``requestId``) that remembers the last message sent under it,
        and the update is refused when the slot holds that ``requestId`` with another message
        (``request_id_reused``). An old ``requestId`` whose slot was taken by another is no longer recognised.

        Returns ``None`` for a connection the table does not know (it never passed ``$connect``, or its record
        expired).
        """
        minute = int(self.clock() // 60)
        names = {"#now": f"r{minute}", "#before": f"r{minute - 1}", "#pk": _PK}
        values: dict[str, Any] = {":one": {"N": "1"}}
        update, condition = "ADD #now :one REMOVE #before", "attribute_exists(#pk)"
        if message is not None:
            request_id, fingerprint = message
            slot = int(hashlib.sha256(request_id.encode()).hexdigest()[:8], 16) % REQUEST_SLOTS
            names["#slot"] = f"q{slot}"
            values[":entry"] = {"S": f"{request_id}\x1f{fingerprint}"}
            values[":request"] = {"S": f"{request_id}\x1f"}
            update += " SET #slot = :entry"
            condition += " AND (attribute_not_exists(#slot) OR #slot = :entry OR NOT begins_with(#slot, :request))"
        try:
            answer = self.client.update_item(
                TableName=self.table_name,
                Key=_conn_key(connection_id),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
            response: dict[str, Any] = dict(exc.response)
            old = response.get("Item")
            if old is None:  # no such connection
                return None
            return _connection_state(connection_id, _plain(old), minute, reused=True)
        return _connection_state(connection_id, _plain(answer["Attributes"]), minute)

    def open_start(self, connection_id: str, reservation: list[dict[str, Any]], rate_limit: int) -> StartOutcome:
        """Count a ``startChat`` frame and take its ``reservation`` (budget counters) in one transaction.

        The connection's step refuses a connection that serves a chat not yet ended, or that sent ``rate_limit``
        frames this minute already; nothing is written unless every step agrees.
        """
        minute = int(self.clock() // 60)
        connection_step = {
            "Update": {
                "TableName": self.table_name,
                "Key": _conn_key(connection_id),
                "UpdateExpression": "ADD #now :one REMOVE #before",
                "ConditionExpression": (
                    "attribute_exists(#pk) AND (attribute_not_exists(contactId) OR chatState = :ended) "
                    "AND (attribute_not_exists(#now) OR #now < :limit)"
                ),
                "ExpressionAttributeNames": {"#now": f"r{minute}", "#before": f"r{minute - 1}", "#pk": _PK},
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":ended": {"S": ENDED},
                    ":limit": {"N": str(rate_limit)},
                },
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }
        try:
            self.client.transact_write_items(TransactItems=[connection_step, *reservation])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            response: dict[str, Any] = dict(exc.response)
            reasons: list[dict[str, Any]] = list(response.get("CancellationReasons") or [])
            failed = [str(reason.get("Code")) == "ConditionalCheckFailed" for reason in reasons]
            if len(failed) != 1 + len(reservation) or not any(failed):
                raise
            if failed[0]:
                old = reasons[0].get("Item")
                state = None if old is None else _connection_state(connection_id, _plain(old), minute)
                return StartOutcome(connection=state, refused_by_connection=True)
            return StartOutcome(refused_budgets=tuple(failed[1:]))
        return StartOutcome(connection=ConnectionState(connection_id, frames_this_minute=0))

    def forget_connection(self, connection_id: str) -> None:
        """Remove a connection (``$disconnect``): one DeleteItem. Its chat keeps the connection in its fan-out
        map until a post finds it gone; the chat itself stays resumable."""
        self.client.delete_item(TableName=self.table_name, Key=_conn_key(connection_id))

    def _connection_update(self, chat: ChatRecord, connection_id: str) -> dict[str, Any]:
        """The transaction step that gives a connection its copy of the chat (unless it serves another one)."""
        values = {f":{name}": {"S": getattr(chat, _snake(name))} for name in _CHAT_COPY}
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _conn_key(connection_id),
                "UpdateExpression": "SET " + ", ".join(f"{name} = :{name}" for name in _CHAT_COPY) + ", chatState = :s",
                "ConditionExpression": (
                    "attribute_exists(#pk) AND "
                    "(attribute_not_exists(contactId) OR contactId = :contactId OR chatState = :ended)"
                ),
                "ExpressionAttributeNames": {"#pk": _PK},
                "ExpressionAttributeValues": {**values, ":s": {"S": chat.state}, ":ended": {"S": ENDED}},
            }
        }

    # ----------------------------------------------------------------------------------------- chats

    def create_chat(self, chat: ChatRecord, connection_id: str, endpoint: str) -> None:
        """Store a new chat with ``connection_id`` attached: one transaction.

        Raises
        ------
        ChatAlreadyAttachedError
            The connection serves another chat that has not ended.
        """
        chat.connections = {connection_id: endpoint}
        put = {
            "Put": {
                "TableName": self.table_name,
                "Item": chat.to_item(),
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": _PK},
            }
        }
        self._transact([put, self._connection_update(chat, connection_id)])

    def get_chat(self, contact_id: str) -> ChatRecord | None:
        """The chat item, read strongly consistently."""
        item = self.client.get_item(TableName=self.table_name, Key=chat_key(contact_id), ConsistentRead=True).get(
            "Item"
        )
        return None if item is None else ChatRecord.from_item(item)

    def attach(self, chat: ChatRecord, connection_id: str, endpoint: str, new_resume_hash: str) -> None:
        """Attach ``connection_id`` to the chat and rotate its resume token: one transaction.

        The replaced hash stays valid for :data:`RESUME_GRACE_SECONDS`. ``chat`` is updated to match.

        Raises
        ------
        ResumeRaceError
            Another resume rotated the token since ``chat`` was read.
        ChatAlreadyAttachedError
            The connection serves another chat that has not ended.
        """
        until = int(self.clock()) + RESUME_GRACE_SECONDS
        rotate = {
            "Update": {
                "TableName": self.table_name,
                "Key": chat_key(chat.contact_id),
                "UpdateExpression": (
                    "SET connections.#cid = :endpoint, resumeHash = :new, priorResumeHash = :current, "
                    "priorResumeUntil = :until"
                ),
                "ConditionExpression": "resumeHash = :current",
                "ExpressionAttributeNames": {"#cid": connection_id},
                "ExpressionAttributeValues": {
                    ":endpoint": {"S": endpoint},
                    ":new": {"S": new_resume_hash},
                    ":current": {"S": chat.resume_hash},
                    ":until": {"N": str(until)},
                },
            }
        }
        self._transact([rotate, self._connection_update(chat, connection_id)], race_on_first=True)
        chat.prior_resume_hash, chat.prior_resume_until = chat.resume_hash, until
        chat.resume_hash = new_resume_hash
        chat.connections[connection_id] = endpoint

    def _transact(self, steps: list[dict[str, Any]], *, race_on_first: bool = False) -> None:
        try:
            self.client.transact_write_items(TransactItems=steps)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            codes = _cancellation_codes(exc)
            if len(codes) == len(steps) and codes[-1] == "ConditionalCheckFailed":
                raise ChatAlreadyAttachedError from exc
            if race_on_first and codes and codes[0] == "ConditionalCheckFailed":
                raise ResumeRaceError from exc
            raise

    def fan_out(self, contact_id: str) -> FanOut | None:
        """Where the chat's items go (one strongly consistent GetItem), or ``None`` for a chat the relay does
        not serve."""
        item = self.client.get_item(
            TableName=self.table_name,
            Key=chat_key(contact_id),
            ConsistentRead=True,
            ProjectionExpression="chatState, connections",
        ).get("Item")
        if item is None:
            return None
        data = _plain(item)
        return FanOut(contact_id, data.get("chatState", ACTIVE), dict(data.get("connections") or {}))

    def detach(self, contact_id: str, connection_id: str) -> None:
        """Stop posting the chat's items to ``connection_id`` (it is gone)."""
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=chat_key(contact_id),
                UpdateExpression="REMOVE connections.#cid",
                ConditionExpression="attribute_exists(#pk)",
                ExpressionAttributeNames={"#cid": connection_id, "#pk": _PK},
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise

    def update_connection_token(
        self, contact_id: str, token: str, expiry: str | None, connection_ids: Iterable[str]
    ) -> None:
        """Store a refreshed connection token on the chat and on the attached connections' copies."""
        self.client.update_item(
            TableName=self.table_name,
            Key=chat_key(contact_id),
            UpdateExpression="SET connectionToken = :t, connectionExpiry = :e",
            ConditionExpression="attribute_exists(#pk)",
            ExpressionAttributeNames={"#pk": _PK},
            ExpressionAttributeValues={":t": {"S": token}, ":e": {"S": expiry or ""}},
        )
        self._update_copies(contact_id, connection_ids, "SET connectionToken = :t", {":t": {"S": token}})

    def mark_ended(self, contact_id: str) -> FanOut | None:
        """Record that the chat ended; the fan-out (to tell everyone) only for the call that changed it."""
        try:
            answer = self.client.update_item(
                TableName=self.table_name,
                Key=chat_key(contact_id),
                UpdateExpression="SET chatState = :ended REMOVE #idleKey, #idleAt",
                ConditionExpression="attribute_exists(#pk) AND chatState <> :ended",
                ExpressionAttributeNames={
                    "#pk": _PK,
                    "#idleKey": contract.IDLE_INDEX_PARTITION_KEY,
                    "#idleAt": contract.IDLE_INDEX_SORT_KEY,
                },
                ExpressionAttributeValues={":ended": {"S": ENDED}},
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return None
            raise
        data = _plain(answer["Attributes"])
        fan_out = FanOut(contact_id, ENDED, dict(data.get("connections") or {}), data.get("sourceIp", ""))
        self._update_copies(contact_id, fan_out.connections, "SET chatState = :ended", {":ended": {"S": ENDED}})
        return fan_out

    def expire_soon(self, contact_id: str, seconds: int = 3600) -> None:
        """Let an ended chat's record expire within ``seconds`` (a late resume is still told it ended)."""
        self.client.update_item(
            TableName=self.table_name,
            Key=chat_key(contact_id),
            UpdateExpression=f"SET {_TTL} = :soon",
            ConditionExpression="attribute_exists(#pk)",
            ExpressionAttributeNames={"#pk": _PK},
            ExpressionAttributeValues={":soon": {"N": str(int(self.clock()) + seconds)}},
        )

    def mark_copy_ended(self, contact_id: str, connection_id: str) -> None:
        """The connection's copy of the chat says it is still on, but the chat ended: correct the copy."""
        self._update_copies(contact_id, [connection_id], "SET chatState = :ended", {":ended": {"S": ENDED}})

    def _update_copies(
        self, contact_id: str, connection_ids: Iterable[str], expression: str, values: dict[str, Any]
    ) -> None:
        """Apply ``expression`` to the chat copy of each attached connection that still serves this chat."""
        for connection_id in connection_ids:
            try:
                self.client.update_item(
                    TableName=self.table_name,
                    Key=_conn_key(connection_id),
                    UpdateExpression=expression,
                    ConditionExpression="contactId = :c",
                    ExpressionAttributeValues={**values, ":c": {"S": contact_id}},
                )
            except ClientError as exc:
                if not _condition_failed(exc):
                    raise


def _connection_state(
    connection_id: str, data: Mapping[str, Any], minute: int, *, reused: bool = False
) -> ConnectionState:
    return ConnectionState(
        connection_id=connection_id,
        frames_this_minute=int(data.get(f"r{minute}", 0)),
        contact_id=data.get("contactId"),
        participant_id=data.get("participantId"),
        initial_contact_id=data.get("initialContactId"),
        participant_token=data.get("participantToken"),
        connection_token=data.get("connectionToken"),
        chat_state=data.get("chatState"),
        request_id_reused=reused,
    )


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
