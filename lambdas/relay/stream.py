"""Connect's streaming notifications (SNS) → ``{"type": "item"}`` frames to every connection of the chat.

SNS delivers at least once: each notification is processed through Powertools idempotency (records in
the session table), so a duplicate delivery never reaches a client twice. An item that changes (an
attachment's status) is a different notification and goes through. Failures raise, so that Lambda's
retries and then the dead-letter queue take over.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from common.observability import powertools
from connect_chat.protocol import content_types as ct
from connect_chat.protocol.streaming import Audience, StreamingDecodeError, parse_sns_record

from . import runtime
from .service import broadcast, outbound_item

logger, tracer, metrics = powertools("relay-stream")
_IDEMPOTENCY = IdempotencyConfig(event_key_jmespath="fingerprint", expires_after_seconds=24 * 3600)
_persistence: DynamoDBPersistenceLayer | None = None


def _persistence_layer() -> DynamoDBPersistenceLayer:
    global _persistence
    if _persistence is None:
        _persistence = DynamoDBPersistenceLayer(
            table_name=runtime.settings().table_name,
            key_attr="pk",
            sort_key_attr="sk",
            static_pk_value="IDEMPOTENCY#stream",
            expiry_attr="expiresAt",
        )
    return _persistence


def deliver(delivery: dict[str, Any]) -> dict[str, Any]:
    """Post one item to every connection of its chat; on chat end, tell them and mark the chat ended."""
    contact_id = delivery["contactId"]
    store = runtime.store()
    chat = store.get_chat(contact_id)
    if chat is None:
        return {"delivered": 0, "reason": "not a relay chat"}
    item = outbound_item(runtime.hooks(), contact_id, delivery["item"])
    delivered = broadcast(store, contact_id, {"type": "item", "item": item}) if item is not None else 0
    if delivery["item"].get("ContentType") == ct.CHAT_ENDED and store.mark_ended(contact_id):
        broadcast(store, contact_id, {"type": "chatEnded", "contactId": contact_id})
    return {"delivered": delivered}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point for the SNS subscription of the streaming topic."""
    _IDEMPOTENCY.register_lambda_context(context)
    idempotent_deliver = idempotent_function(
        data_keyword_argument="delivery", config=_IDEMPOTENCY, persistence_store=_persistence_layer()
    )(deliver)
    results = []
    for record in event.get("Records", []):
        try:
            notification = parse_sns_record(record)
        except StreamingDecodeError as exc:
            logger.warning("Skipping a notification that is not a chat item", extra={"reason": str(exc)})
            metrics.add_metric(name="StreamRecordsSkipped", unit=MetricUnit.Count, value=1)
            continue
        item = notification.item.to_dict()
        contact_id = notification.item.contact_id or notification.attributes.get("ContactId")
        if not contact_id or not _customer_may_see(notification):
            continue
        logger.append_keys(contact_id=contact_id)
        fingerprint = hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()
        delivery = {"contactId": contact_id, "item": item, "fingerprint": f"{contact_id}:{fingerprint}"}
        results.append(idempotent_deliver(delivery=delivery))
        metrics.add_metric(name="StreamItemsRelayed", unit=MetricUnit.Count, value=1)
    return {"processed": len(results)}


def _customer_may_see(notification: Any) -> bool:
    """MessageVisibility CUSTOMER or ALL. The customer's own items are relayed too (other tabs need them)."""
    return notification.visibility.value in (Audience.CUSTOMER.value, "ALL")
