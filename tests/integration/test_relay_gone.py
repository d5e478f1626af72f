"""A connection that went away (410 Gone) is dropped from its chat; the others still get items."""

from __future__ import annotations

from botocore.stub import Stubber

from common.fanout import broadcast
from common.gateway import poster_for
from tests.support.relay import RelayHarness


def test_gone_connection_is_dropped_from_the_chat_when_a_post_finds_it(relay: RelayHarness) -> None:
    from relay import runtime

    first, _ = relay.connect()
    relay.send(first, {"action": "startChat", "displayName": "Ana"})
    started = relay.wait_for(first, lambda f: f["type"] == "chatStarted")
    second, _ = relay.connect()
    relay.send(second, {"action": "resumeChat", "resumeToken": started["resumeToken"]})
    store = runtime.store()
    fan_out = store.fan_out(started["contactId"])
    assert fan_out is not None
    assert set(fan_out.connections) == {first, second}

    gone, alive = sorted(fan_out.connections)
    poster = poster_for(fan_out.connections[gone])
    with Stubber(poster.client) as stub:
        for connection_id in fan_out.connections:
            if connection_id == gone:
                stub.add_client_error("post_to_connection", "GoneException", http_status_code=410)
            else:
                stub.add_response("post_to_connection", {})
        delivered = broadcast(store, started["contactId"], fan_out.connections, {"type": "item", "item": {"Id": "x"}})
    assert delivered == 1
    after = store.fan_out(started["contactId"])
    assert after is not None
    assert list(after.connections) == [alive]


def test_disconnect_forgets_the_connection_and_keeps_the_chat_resumable(relay: RelayHarness) -> None:
    from relay import runtime

    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana"})
    started = relay.wait_for(connection_id, lambda f: f["type"] == "chatStarted")
    assert relay.disconnect(connection_id) == {"statusCode": 200}
    store = runtime.store()
    assert store.open_frame(connection_id) is None, "the connection's record is gone"
    chat = store.get_chat(started["contactId"])
    assert chat is not None
    assert chat.state == "ACTIVE"

    again, _ = relay.connect()
    relay.send(again, {"action": "resumeChat", "resumeToken": started["resumeToken"], "requestId": "r"})
    assert relay.new_frames(again)[0]["type"] == "chatResumed"
