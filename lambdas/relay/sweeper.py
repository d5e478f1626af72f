"""Every minute: end the relay chats nobody uses any more, and keep the active-chat count true.

A chat is due when the idle index says so (``common.idle``). A due chat whose customer has not written since it
started is stopped once ``IDLE_NO_MESSAGE_SECONDS`` have passed; otherwise the sweeper asks API Gateway which of
its connections are still there, and stops a chat that has had none for ``IDLE_DISCONNECTED_SECONDS``. A chat
it keeps is looked at again later. Stopping is ``StopContact``, then the chat is marked ended (its connections
told, its budgets released) and its records left to expire within the hour. Then the relay's active-chat count
is set to the index's count, so a count that missed an end cannot block new chats for long.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from common.gateway import poster_for
from common.idle import IdleChats
from common.observability import instrument, powertools
from common.sessions import ENDED, ChatRecord

from . import runtime

SERVICE = "relay-sweeper"
logger, metrics = powertools(SERVICE)
#: Chats looked at per run (the rest wait for the next minute).
BATCH = 100


def customer_wrote(chat: ChatRecord) -> bool:
    """Whether the chat's transcript holds a message from its customer (or the transcript cannot be read: then
    the chat is left alone rather than stopped on a guess)."""
    # Imported on first use, like stop()'s: most runs find nothing due and load none of it.
    from connect_chat.constants import SessionType
    from connect_chat.errors import ConnectChatError
    from connect_chat.stateless import StatelessChatSession
    from connect_chat.validation import ChatDetails

    details = ChatDetails(
        contact_id=chat.contact_id,
        participant_id=chat.participant_id,
        initial_contact_id=chat.initial_contact_id,
        participant_token=chat.participant_token,
        connection_token=chat.connection_token,
    )
    session = StatelessChatSession(details, SessionType.CUSTOMER, runtime.participant())
    try:
        page = session.get_transcript(max_results=100, sort_order="ASCENDING", scan_direction="FORWARD")["data"]
    except ConnectChatError:
        return True
    return any(i.get("ParticipantRole") == "CUSTOMER" and i.get("Type") == "MESSAGE" for i in page["Transcript"])


def live_connections(chat: ChatRecord) -> int:
    """How many of the chat's attached connections API Gateway still has (the gone ones are detached)."""
    alive = 0
    for connection_id, endpoint in chat.connections.items():
        client = poster_for(endpoint).client
        try:
            client.get_connection(ConnectionId=connection_id)
            alive += 1
        except client.exceptions.GoneException:
            runtime.store().detach(chat.contact_id, connection_id)
    return alive


def stop(chat: ChatRecord, reason: str) -> None:
    """StopContact, then end the chat for the relay: its connections told, its budgets released."""
    from common.chat_end import announce_end

    settings = runtime.settings()
    try:
        runtime.connect().stop_contact(ContactId=chat.contact_id, InstanceId=settings.instance_id)
    except Exception:
        logger.warning("StopContact failed", exc_info=True, extra={"contact_id": chat.contact_id})
    store = runtime.store()
    if announce_end(store, runtime.budgets(), chat.contact_id) is not None:
        store.expire_soon(chat.contact_id)
    logger.info("Idle chat stopped", extra={"contact_id": chat.contact_id, "reason": reason})
    metrics.add_metric(name="IdleChatsStopped", unit=MetricUnit.Count, value=1)


def look_at(chat: ChatRecord, idle: IdleChats, now: int) -> None:
    """Stop the chat, or schedule the next look at it."""
    settings = runtime.settings()
    if now - chat.created_at >= settings.idle_no_message_seconds and not customer_wrote(chat):
        stop(chat, "no message from the customer")
        return
    if live_connections(chat):
        idle.reschedule(chat.contact_id, now + settings.idle_disconnected_seconds, None)
        return
    orphaned_since = chat.orphaned_since or now
    if now - orphaned_since >= settings.idle_disconnected_seconds:
        stop(chat, "no connection")
        return
    idle.reschedule(chat.contact_id, orphaned_since + settings.idle_disconnected_seconds, orphaned_since)


@instrument(logger, metrics, SERVICE)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point for the schedule."""
    store = runtime.store()
    idle = IdleChats(store.table_name, store.client)
    now = int(store.clock())
    looked = 0
    for contact_id in idle.due(now, limit=BATCH):
        chat = store.get_chat(contact_id)
        if chat is None or chat.state == ENDED:
            continue
        try:
            look_at(chat, idle, now)
        except Exception:  # one chat's trouble must not keep the others from being looked at
            logger.exception("Looking at an idle chat failed", extra={"contact_id": contact_id})
        looked += 1
    active = idle.count()
    runtime.budgets().set_active_total(active)
    metrics.add_metric(name="ActiveRelayChats", unit=MetricUnit.Count, value=active)
    return {"looked": looked, "active": active}
