"""The end of a relay chat, told the same way wherever the relay learns it (``endChat``, a refused token, the
``chat.ended`` item, the idle sweeper, a frame on an ended chat).

The ``chatEnded`` frame carries a continuation token when the deployment has persistent chat on: the client's
proof that it took part, which it may send back in a later ``startChat`` to continue the conversation.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from common import continuation, frames
from common.budgets import ChatBudgets
from common.fanout import broadcast
from common.gateway import ConnectionPoster
from common.sessions import FanOut, SessionStore

_log = logging.getLogger(__name__)


def ended_frame(contact_id: str, request_id: str | None = None) -> dict[str, Any]:
    """``{"type": "chatEnded", "contactId", "continuationToken"?, "continuationExpiresAt"?, "requestId"?}``."""
    frame = frames.chat_ended_frame(contact_id, request_id)
    issued = continuation.offer_token(contact_id, _log.warning)
    if issued is not None:
        frame["continuationToken"] = issued.token
        frame["continuationExpiresAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(issued.expires_at))
    return frame


def announce_end(
    store: SessionStore,
    budgets: ChatBudgets,
    contact_id: str,
    *,
    also: tuple[ConnectionPoster, str] | None = None,
) -> FanOut | None:
    """Record that the chat ended; for the call that changed it, give its budgets back and tell every attached
    connection. ``also`` (a poster and a connection id) is told either way, when it is not attached.

    The budgets go back before anyone is told, so a client that starts a new chat on hearing of the end is
    never refused for the chat it just ended."""
    fan_out = store.mark_ended(contact_id)
    attached = fan_out.connections if fan_out is not None else {}
    tell_also = also is not None and also[1] not in attached
    if fan_out is None and not tell_also:
        return None  # another call already told everyone: no frame (nor continuation token) to make
    frame = ended_frame(contact_id)
    if fan_out is not None:
        if fan_out.source_ip:
            budgets.release(fan_out.source_ip)
        broadcast(store, contact_id, attached, frame)
    if also is not None and tell_also:
        also[0].post(also[1], frame)
    return fan_out
