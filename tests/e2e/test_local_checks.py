"""``python -m local --customer-tokens required --challenge on``: the checks against the local fakes, from a page
in Chromium (the challenge script, the token endpoints, start-chat) and over plain HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.servers import LocalStackProcess, run_local_stack


@pytest.fixture(scope="module")
def checked_stack() -> Iterator[LocalStackProcess]:
    with run_local_stack({"LOCAL_CUSTOMER_TOKENS": "required", "LOCAL_CHALLENGE": "on"}) as running:
        yield running


def _post(url: str, body: dict[str, Any], origin: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Origin": origin},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_start_chat_needs_both_tokens_and_each_challenge_passes_once(checked_stack: LocalStackProcess) -> None:
    base, origin = checked_stack.http_url, checked_stack.http_url
    status, answer = _post(f"{base}/start-chat", {"ParticipantDetails": {"DisplayName": "Ana"}}, origin)
    assert (status, answer["error"]["code"]) == (401, "CUSTOMER_TOKEN_REQUIRED")

    customer = _post(f"{base}/_local/auth/token", {"sub": "7", "name": "Ana", "email": "ana@example.com"}, origin)[1]
    status, answer = _post(f"{base}/start-chat", {"CustomerToken": customer["token"]}, origin)
    assert (status, answer["error"]["code"]) == (403, "CHALLENGE_REQUIRED")

    challenge = _post(f"{base}/_local/challenge/token", {}, origin)[1]["token"]
    body = {"CustomerToken": customer["token"], "ChallengeToken": challenge, "Attributes": {"customerId": "admin"}}
    status, answer = _post(f"{base}/start-chat", body, origin)
    assert status == 200, answer
    contact = checked_stack.control("GET", f"/contacts/{answer['data']['startChatResult']['ContactId']}")
    assert contact["Attributes"] == {"customerId": "7", "customerEmail": "ana@example.com"}

    status, answer = _post(f"{base}/start-chat", body, origin)
    assert (status, answer["error"]["code"]) == (403, "CHALLENGE_FAILED")


PAGE_FLOW = """
async () => {
  const challenge = await new Promise((resolve, reject) => turnstile.render(document.body, {
    sitekey: "local-site-key", callback: resolve, "error-callback": reject,
  }));
  const minted = await fetch("/_local/auth/token", {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({name: "Page"}),
  });
  const customer = (await minted.json()).token;
  const started = await fetch("/start-chat", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({ChallengeToken: challenge, CustomerToken: customer}),
  });
  return {status: started.status, body: await started.json(), again: turnstile.getResponse("1") === challenge};
}
"""


@pytest.mark.browser
def test_a_page_gets_its_tokens_from_the_local_fakes(browser: Any, checked_stack: LocalStackProcess) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{checked_stack.http_url}/")
        page.add_script_tag(url=f"{checked_stack.http_url}/_local/challenge/api.js")
        result = page.evaluate(PAGE_FLOW)
    finally:
        page.close()
    assert result["status"] == 200, result
    started = result["body"]["data"]["startChatResult"]
    assert set(started) == {"ContactId", "ParticipantId", "ParticipantToken", "ContinuationToken"}
    assert result["again"] is True
