"""A connection that went away (410 Gone) is dropped from its chat; the others still get items."""

from __future__ import annotations

from botocore.stub import Stubber

from common.gateway import poster_for
from tests.support.relay import RelayHarness


def test_gone_connection_is_forgotten(relay: RelayHarness) -> None:
    from relay import runtime
    from relay.service import broadcast

    first, _ = relay.connect()
    relay.send(first, {"action": "startChat", "displayName": "Ana"})
    started = relay.wait_for(first, lambda f: f["type"] == "chatStarted")
    second, _ = relay.connect()
    relay.send(second, {"action": "resumeChat", "resumeToken": started["resumeToken"]})
    store = runtime.store()
    attached = store.connections_of(started["contactId"])
    assert {c.connection_id for c in attached} == {first, second}

    gone, alive = sorted(c.connection_id for c in attached)
    poster = poster_for(attached[0].endpoint)
    with Stubber(poster.client) as stub:
        for connection_id in sorted([gone, alive]):
            if connection_id == gone:
                stub.add_client_error("post_to_connection", "GoneException", http_status_code=410)
            else:
                stub.add_response("post_to_connection", {})
        delivered = broadcast(store, started["contactId"], {"type": "item", "item": {"Id": "x"}})
    assert delivered == 1
    assert [c.connection_id for c in store.connections_of(started["contactId"])] == [alive]
    assert store.connection_chat(gone) is None


def test_disconnect_forgets_the_connection_but_keeps_the_chat(relay: RelayHarness) -> None:
    from relay import runtime

    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana"})
    started = relay.wait_for(connection_id, lambda f: f["type"] == "chatStarted")
    assert relay.disconnect(connection_id) == {"statusCode": 200}
    store = runtime.store()
    assert store.connections_of(started["contactId"]) == []
    chat = store.get_chat(started["contactId"])
    assert chat is not None
    assert chat.state == "ACTIVE"
