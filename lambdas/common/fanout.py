"""Posting one frame to every connection attached to a chat (the stream function and the message function)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common.gateway import poster_for
from common.sessions import SessionStore


def broadcast(store: SessionStore, contact_id: str, connections: Mapping[str, str], frame: Mapping[str, Any]) -> int:
    """Post ``frame`` to each ``connection id -> management endpoint``; forget the gone ones.

    Returns
    -------
    int
        How many connections got it.
    """
    delivered = 0
    for connection_id, endpoint in connections.items():
        if poster_for(endpoint).post(connection_id, frame):
            delivered += 1
        else:
            store.detach(contact_id, connection_id)
    return delivered
