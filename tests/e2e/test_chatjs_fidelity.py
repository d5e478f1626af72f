"""The official amazon-connect-chatjs client, unmodified, in headless Chromium against the emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connect_chat import interactive as im
from tests.support.servers import RunningEmulator

pytestmark = pytest.mark.browser


CUSTOMER_SCRIPT = """
async ({endpoint, details}) => {
  const out = window.out = {messages: [], typing: [], read: [], delivered: [], established: 0, ended: 0, errors: []};
  connect.ChatSession.setGlobalConfig({
    region: "us-west-2",
    endpoint,
    loggerConfig: {useDefaultLogger: false},
    features: {messageReceipts: {shouldSendMessageReceipts: true, throttleTime: 100}},
  });
  const session = window.session = connect.ChatSession.create({
    chatDetails: details,
    options: {region: "us-west-2"},
    type: connect.ChatSession.SessionTypes.CUSTOMER,
    disableCSM: true,
  });
  session.onMessage(e => out.messages.push(e.data));
  session.onTyping(e => out.typing.push(e.data));
  session.onReadReceipt(e => out.read.push(e.data));
  session.onDeliveredReceipt(e => out.delivered.push(e.data));
  session.onConnectionEstablished(() => { out.established += 1; });
  session.onEnded(() => { out.ended += 1; });
  const connected = await session.connect();
  return {connected: !!connected, status: session.getChatDetails().contactId};
}
"""


INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
RESPONSE = INTERACTIVE + ".response"


def _start_chat(connect_client: Any, **extra: Any) -> dict[str, str]:
    started = connect_client.start_chat_contact(
        InstanceId="instance-1",
        ContactFlowId="flow-1",
        ParticipantDetails={"DisplayName": "Browser customer"},
        **extra,
    )
    return {
        "ContactId": started["ContactId"],
        "ParticipantId": started["ParticipantId"],
        "ParticipantToken": started["ParticipantToken"],
    }


def _wait(page: Any, expression: str, timeout_ms: int = 15000) -> Any:
    page.wait_for_function(expression, timeout=timeout_ms)
    return page.evaluate(expression)


def test_chatjs_customer_session_runs_a_whole_chat(
    browser: Any, chatjs_source: str, page_origin: str, emulator: RunningEmulator, connect_client: Any
) -> None:
    # The agent joins once the browser is connected, as it would after queueing in a real contact centre.
    emulator.control("POST", "/config", {"agentDelay": 1.5})
    details = _start_chat(connect_client)
    context = browser.new_context()
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(page_origin)
    page.add_script_tag(content=chatjs_source)

    result = page.evaluate(CUSTOMER_SCRIPT, {"endpoint": emulator.url, "details": details})
    assert result["status"] == details["ContactId"]
    assert page.evaluate("window.out.established") >= 1

    # The simulated agent joins; ChatJS delivers the join event through onMessage.
    _wait(
        page,
        "window.out.messages.some(m => m.ContentType.endsWith('participant.joined') && m.ParticipantRole === 'AGENT')",
    )

    sent = page.evaluate(
        "async () => (await window.session.sendMessage({message: 'hello from chatjs', contentType: 'text/plain'})).data"
    )
    assert sent["Id"]
    typing = page.evaluate(
        "async () => (await window.session.sendEvent("
        "{contentType: 'application/vnd.amazonaws.connect.event.typing'})).data"
    )
    assert typing["Id"]

    reply = _wait(
        page,
        "window.out.messages.find(m => m.Type === 'MESSAGE' && m.ParticipantRole === 'AGENT' "
        "&& (m.Content || '').includes('hello from chatjs'))",
    )
    assert reply["ContactId"] == details["ContactId"]
    # The agent typed before answering and read the customer's message.
    assert _wait(page, "window.out.typing.length") >= 1
    read = _wait(page, "window.out.read.find(r => r.MessageMetadata.MessageId === " + json.dumps(sent["Id"]) + ")")
    assert read["MessageMetadata"]["Receipts"][0]["ReadTimestamp"]

    # ChatJS sends its own read receipt for the agent's reply.
    page.evaluate(
        "async (id) => window.session.sendEvent({contentType: 'application/vnd.amazonaws.connect.event.message.read',"
        " content: JSON.stringify({messageId: id})})",
        reply["Id"],
    )
    transcript = page.evaluate(
        "async () => (await window.session.getTranscript({maxResults: 100, sortOrder: 'ASCENDING'})).data"
    )
    contents = [item.get("Content") for item in transcript["Transcript"] if item["Type"] == "MESSAGE"]
    assert "hello from chatjs" in contents
    assert reply["Content"] in contents
    agent_reply = next(item for item in transcript["Transcript"] if item["Id"] == reply["Id"])
    receipts = agent_reply["MessageMetadata"]["Receipts"]
    assert any(r["RecipientParticipantId"] == details["ParticipantId"] and r.get("ReadTimestamp") for r in receipts)

    page.evaluate("async () => window.session.disconnectParticipant()")
    contact = emulator.control("GET", f"/contacts/{details['ContactId']}")
    assert contact["State"] == "ENDED"
    _wait(page, "window.out.ended >= 1")
    assert not [line for line in console if "Uncaught" in line]
    context.close()


def test_chatjs_receives_a_list_picker_and_sends_the_customers_choice(
    browser: Any, chatjs_source: str, page_origin: str, emulator: RunningEmulator, connect_client: Any
) -> None:
    emulator.control("POST", "/config", {"agentDelay": 0.5})
    details = _start_chat(
        connect_client, SupportedMessagingContentTypes=["text/plain", "text/markdown", INTERACTIVE, RESPONSE]
    )
    context = browser.new_context()
    page = context.new_page()
    page.goto(page_origin)
    page.add_script_tag(content=chatjs_source)
    page.evaluate(CUSTOMER_SCRIPT, {"endpoint": emulator.url, "details": details})
    _wait(page, "window.out.messages.some(m => m.ContentType.endsWith('participant.joined'))")

    page.evaluate("async () => window.session.sendMessage({message: 'menu', contentType: 'text/plain'})")
    picker_item = _wait(
        page,
        f"window.out.messages.find(m => m.Type === 'MESSAGE' && m.ContentType === {json.dumps(INTERACTIVE)})",
    )
    assert picker_item["ParticipantRole"] == "AGENT"
    picker = im.parse_template(picker_item["Content"])
    assert isinstance(picker, im.ListPicker)
    stored = emulator.control("GET", f"/contacts/{details['ContactId']}")
    assert picker_item["Content"] in [item.get("Content") for item in stored["Transcript"]]

    # The browser answers as a client renders it: the chosen element's title and the list's title.
    sent = page.evaluate(
        """async ([interactive, contentType]) => {
          const item = window.out.messages.find(m => m.ContentType === interactive);
          const content = JSON.parse(item.Content).data.content;
          const answer = {listTitle: content.title, selectionText: content.elements[1].title};
          return (await window.session.sendMessage({message: JSON.stringify(answer), contentType})).data;
        }""",
        [INTERACTIVE, RESPONSE],
    )
    assert sent["Id"]
    expected = picker.select(1)
    reply = _wait(
        page,
        "window.out.messages.find(m => m.Type === 'MESSAGE' && m.ParticipantRole === 'AGENT' "
        "&& m.ContentType === 'text/plain' && (m.Content || '').startsWith('You chose'))",
    )
    assert reply["Content"] == f"You chose: {expected.selection_text}"
    transcript = page.evaluate(
        "async () => (await window.session.getTranscript({maxResults: 100, sortOrder: 'ASCENDING'})).data"
    )
    answered = next(item for item in transcript["Transcript"] if item["Id"] == sent["Id"])
    assert answered["ContentType"] == RESPONSE
    assert im.parse_response(answered["Content"]) == expected
    page.evaluate("async () => window.session.disconnectParticipant()")
    context.close()
