"""Connect's streaming notifications (SNS) → ``{"type": "item"}`` frames to every connection of the chat.

One strongly consistent GetItem of the chat item per notification tells where its connections are; then one
post per connection. SNS delivers at least once and this function does not deduplicate: a duplicate is
posted again and clients deduplicate on the item's ``Id`` (the widget and ``connect_chat`` do), which costs
nothing in the table. A failure raises, so that Lambda's retries and then the dead-letter queue take over.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from common import frames
from common.fanout import broadcast
from common.hooks import Hook, outbound_item
from common.observability import instrument, powertools
from common.sessions import SessionStore
from connect_chat.protocol import content_types as ct
from connect_chat.protocol.streaming import Audience, StreamingDecodeError, StreamingNotification, parse_sns_record

from . import runtime

SERVICE = "relay-stream"
logger, metrics = powertools(SERVICE)


def deliver(store: SessionStore, hooks: Sequence[Hook], notification: StreamingNotification) -> int:
    """Post one item to every connection of its chat; on chat end, tell them and mark the chat ended.

    Returns
    -------
    int
        How many connections got the item (0 for a chat the relay does not serve).
    """
    item = notification.item
    contact_id = item.contact_id or notification.attributes.get("ContactId")
    if not contact_id:
        return 0
    fan_out = store.fan_out(contact_id)
    if fan_out is None:
        return 0
    relayed = outbound_item(hooks, contact_id, item)
    delivered = 0
    if relayed is not None:
        delivered = broadcast(store, contact_id, fan_out.connections, frames.item_frame(relayed))
    if item.content_type == ct.CHAT_ENDED:
        from common.chat_end import announce_end  # a chat ends once: its imports stay out of the cold start

        announce_end(store, runtime.budgets(), contact_id)
    return delivered


@instrument(logger, metrics, SERVICE)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point for the SNS subscription of the streaming topic."""
    processed = 0
    for record in event.get("Records", []):
        try:
            notification = parse_sns_record(record)
        except StreamingDecodeError as exc:
            logger.warning("Skipping a notification that is not a chat item", extra={"reason": str(exc)})
            metrics.add_metric(name="StreamRecordsSkipped", unit=MetricUnit.Count, value=1)
            continue
        # What the customer may see, their own messages included (other tabs show them); never their typing.
        if not notification.is_visible_to(Audience.CUSTOMER, echo_own_messages=True):
            metrics.add_metric(name="StreamItemsNotForCustomers", unit=MetricUnit.Count, value=1)
            continue
        logger.append_keys(contact_id=notification.item.contact_id)
        deliver(runtime.store(), runtime.hooks(), notification)
        metrics.add_metric(name="StreamItemsRelayed", unit=MetricUnit.Count, value=1)
        processed += 1
    return {"processed": processed}
