"""The widget on a stack that protects its endpoints (``python -m local --customer-tokens required --challenge
on``): a signed-in customer's token from the page's ``authenticate`` callback, a human check through the local
Turnstile-compatible script under a strict Content-Security-Policy, and what the customer reads when a start is
refused."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Site
from tests.e2e.widget_support import (
    WIDGET_README,
    Frames,
    embed_page,
    eventually,
    open_panel,
    session_snapshot,
    submit_name,
    wait,
    wait_connected,
    widget_ready,
    widget_state,
)
from tests.support.servers import LocalStackProcess, run_local_stack

pytestmark = pytest.mark.browser

NONCE = "c2lnbmVkLWluLWN1c3RvbWVycw"


@pytest.fixture(scope="module")
def checked_stack(site: Site) -> Iterator[LocalStackProcess]:
    """Every start needs a signed-in customer's token and a passed human check."""
    environment = {"LOCAL_CUSTOMER_TOKENS": "required", "LOCAL_CHALLENGE": "on", "ALLOWED_ORIGINS": site.origin}
    with run_local_stack(environment) as running:
        yield running


def mint(stack: LocalStackProcess, claims: dict[str, str]) -> str:
    """A signed-in customer's token from the local site's token endpoint (as the site's server would issue it)."""
    request = urllib.request.Request(
        f"{stack.http_url}/_local/auth/token",
        data=json.dumps(claims).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        token: str = json.loads(answer.read())["token"]
    return token


def authenticate(stack: LocalStackProcess, claims: dict[str, str], count: int = 2) -> str:
    """A page script whose ``authenticate`` callback hands out a fresh token of the site's for ``claims`` on each
    call (the site put them in the page; a real one would fetch each from its own server)."""
    tokens = [mint(stack, claims) for _ in range(count)]
    return (
        f"<script nonce='{NONCE}'>const tokens = {json.dumps(tokens)}; window.__tokens = 0;"
        " window.ConnectChatWidgetConfig = {authenticate: async () => { window.__tokens += 1;"
        " return tokens.shift(); }};</script>"
    )


def challenge_attributes(stack: LocalStackProcess) -> dict[str, str]:
    return {"challenge-script": f"{stack.http_url}/_local/challenge/api.js", "challenge-site-key": "local-site-key"}


def policy(stack: LocalStackProcess) -> str:
    """A strict policy: the widget and the challenge script by nonce, the relay and the local token services."""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'nonce-{NONCE}'",
            f"style-src 'nonce-{NONCE}'",
            f"connect-src {stack.websocket_url} {stack.http_url}",
            "img-src 'none'",
            "base-uri 'none'",
        ]
    )


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def test_a_signed_in_customer_passes_the_human_check(page: Any, site: Site, checked_stack: LocalStackProcess) -> None:
    attributes = {"websocket-url": checked_stack.websocket_url, "debug": "true", **challenge_attributes(checked_stack)}
    claims = {"sub": "customer-42", "name": "Ana Signed", "email": "ana@example.com"}
    path = site.add(
        embed_page(checked_stack.http_url, attributes, before=authenticate(checked_stack, claims), nonce=NONCE),
        headers={"Content-Security-Policy": policy(checked_stack)},
    )
    page.add_init_script(
        "window.__violations = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    logged: list[str] = []
    page.on("console", lambda message: logged.append(message.text))
    frames = Frames(page)
    page.goto(site.origin + path)
    widget_ready(page)
    open_panel(page)
    submit_name(page, "Typed In The Form")
    wait_connected(page)

    start = frames.actions("startChat")[-1]
    token = start["customerToken"]
    assert claims_of(token)["name"] == "Ana Signed"
    assert start["challengeToken"]
    # The name from the token replaces the form's, here and for the agent.
    assert start["displayName"] == "Ana Signed"
    assert widget_state(page)["displayName"] == "Ana Signed"
    contact = checked_stack.control("GET", f"/contacts/{widget_state(page)['contactId']}")
    customer = next(p for p in contact["Participants"] if p["ParticipantRole"] == "CUSTOMER")
    assert customer["DisplayName"] == "Ana Signed"
    assert contact["Attributes"]["customerId"] == "customer-42"
    # The tokens are neither kept nor logged.
    everything = "\n".join(logged)
    assert token not in everything
    assert start["challengeToken"] not in everything
    assert '"customerToken":"[redacted]"' in everything
    assert token not in json.dumps(session_snapshot(page))
    assert page.evaluate("window.__violations") == []

    # A second chat gets a fresh token of each kind (a challenge token passes once).
    page.get_by_role("button", name="End chat").click()
    wait(page, "window.ConnectChatWidget.state.status === 'ended'")
    page.get_by_role("button", name="Start a new chat").click()
    submit_name(page, "Typed In The Form")
    wait_connected(page)
    again = frames.actions("startChat")[-1]
    assert again["challengeToken"] != start["challengeToken"]
    assert page.evaluate("window.__tokens") == 2


REFUSALS = [
    # (what the page configures, what the customer reads)
    ("nothing", "Please sign in to chat with us."),
    ("signed in", "Please complete the security check, then try again."),
    ("forged token", "Your sign-in could not be confirmed. Please sign in again, then start the chat."),
    ("a used challenge token", "The security check did not succeed. Please try again."),
    ("a failing callback", "Your sign-in could not be passed to the chat. Please reload the page and try again."),
]


def _forged(claims: dict[str, str]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'kid': 'nope'})}.{part(claims)}.{'A' * 43}"


def refusing_page(stack: LocalStackProcess, case: str) -> tuple[dict[str, str], str]:
    attributes = {"websocket-url": stack.websocket_url}
    if case == "nothing":
        return attributes, ""
    if case == "signed in":
        return attributes, authenticate(stack, {"name": "Ana"})
    if case == "forged token":
        forged = _forged({"sub": "1", "name": "Mallory"})
        return attributes, f"<script>window.ConnectChatWidgetConfig = {{authenticate: () => '{forged}'}};</script>"
    if case == "a failing callback":
        return (
            attributes,
            "<script>window.ConnectChatWidgetConfig = {authenticate: () => { throw new Error('no'); }};</script>",
        )
    # A challenge token that passed once already: the page's own check function hands out the same one again.
    script = authenticate(stack, {"name": "Ana"}) + (
        "<script>window.ConnectChatWidgetConfig.challenge = async () => window.__used ||"
        f" (window.__used = (await (await fetch('{stack.http_url}/_local/challenge/token',"
        " {method: 'POST'})).json()).token);</script>"
    )
    return attributes, script


@pytest.mark.parametrize(("case", "message"), REFUSALS)
def test_refused_starts_say_why(
    page: Any, site: Site, checked_stack: LocalStackProcess, case: str, message: str
) -> None:
    attributes, before = refusing_page(checked_stack, case)
    path = site.add(embed_page(checked_stack.http_url, attributes, before=before))
    frames = Frames(page)
    page.goto(site.origin + path)
    widget_ready(page)
    open_panel(page)
    if case == "a used challenge token":
        submit_name(page, "Ana")  # the first start uses it
        wait_connected(page)
        page.get_by_role("button", name="End chat").click()
        wait(page, "window.ConnectChatWidget.state.status === 'ended'")
        page.get_by_role("button", name="Start a new chat").click()
    submit_name(page, "Ana")
    page.get_by_role("alert").filter(has_text=message).wait_for()
    assert widget_state(page)["status"] == "idle"
    assert page.get_by_role("button", name="Start chat").is_enabled(), "the customer can try again"
    if case != "a failing callback":
        eventually(page, lambda: bool(frames.errors()))
    else:
        assert not frames.actions("startChat"), "nothing is sent without the token the page failed to give"


def test_refusals_in_the_customer_s_language(page: Any, site: Site, checked_stack: LocalStackProcess) -> None:
    attributes = {"websocket-url": checked_stack.websocket_url, "language": "de"}
    path = site.add(embed_page(checked_stack.http_url, attributes))
    page.goto(site.origin + path)
    widget_ready(page)
    page.get_by_role("button", name="Chat öffnen: Chatten Sie mit uns").click()
    page.get_by_label("Wie heißen Sie?").fill("Anna")
    page.get_by_role("button", name="Chat starten").click()
    page.get_by_role("alert").filter(has_text="Bitte melden Sie sich an, um mit uns zu chatten.").wait_for()


#: Each refusal code and the English message, with the minutes from retryAfter where the relay gives them.
CODES = {
    "BUDGET_EXCEEDED": ("You have started several chats recently. Please try again in 3 min.", 121),
    "BUSY": ("Our team is busy right now. Please try again in 1 min.", 30),
    "CUSTOMER_TOKEN_REQUIRED": ("Please sign in to chat with us.", None),
    "INVALID_CUSTOMER_TOKEN": ("Your sign-in could not be confirmed. Please sign in again, then start the chat.", None),
    "AUTHENTICATION_UNAVAILABLE": (
        "Signing in to the chat is not possible right now. Please try again shortly.",
        None,
    ),
    "CHALLENGE_REQUIRED": ("Please complete the security check, then try again.", None),
    "CHALLENGE_FAILED": ("The security check did not succeed. Please try again.", None),
    "CHALLENGE_UNAVAILABLE": ("The security check cannot be done right now. Please try again shortly.", None),
    "INVALID_CONTINUATION_TOKEN": (
        "The previous conversation can no longer be continued. You can start a new chat.",
        None,
    ),
    "SOMETHING_NEW": ("The chat could not be started.", None),
}

MESSAGES = """async ([origin, codes, tags]) => {
  const { refusalMessage } = await import(origin + '/src/refusals.js');
  const { loadLanguage, translator } = await import(origin + '/src/strings.js');
  const out = {};
  for (const tag of tags) {
    const t = translator(await loadLanguage(tag));
    out[tag] = Object.fromEntries(codes.map(([code, retryAfter]) => {
      const { key, params } = refusalMessage({ code, retryAfter: retryAfter ?? undefined });
      return [code, t(key, params)];
    }));
  }
  return out;
}"""


def test_every_refusal_has_a_message_in_every_language(page: Any, checked_stack: LocalStackProcess) -> None:
    page.goto(checked_stack.http_url + "/")
    widget_ready(page)
    tags = ["en", "es", "fr", "de", "ja", "pt-BR"]
    codes = [[code, retry] for code, (_, retry) in CODES.items()]
    messages = page.evaluate(MESSAGES, [checked_stack.http_url, codes, tags])
    assert messages["en"] == {code: text for code, (text, _) in CODES.items()}
    for tag in tags[1:]:
        assert len(set(messages[tag].values())) == len(CODES), f"{tag}: one message per code"
        for code, text in messages[tag].items():
            assert text != messages["en"][code], f"{tag}.{code} is not translated"
        assert "3" in messages[tag]["BUDGET_EXCEEDED"]


#: widget/README.md's example: the page asks its own site for a token of the signed-in customer.
AUTHENTICATE_EXAMPLE = """<script>
window.ConnectChatWidgetConfig = {
  // Resolves with a JWT your site issued for the signed-in customer, or with nothing for a visitor.
  authenticate: async () => {
    const answer = await fetch("/chat-token", { method: "POST", credentials: "same-origin" });
    return answer.ok ? (await answer.json()).token : null;
  },
};
</script>"""


def test_the_readme_s_sign_in_example(page: Any, site: Site, checked_stack: LocalStackProcess) -> None:
    assert AUTHENTICATE_EXAMPLE in WIDGET_README.read_text(), "widget/README.md shows this example"
    site.add_endpoint("/chat-token", lambda body: {"token": mint(checked_stack, {"sub": "7", "name": "Sam Site"})})
    attributes = {"websocket-url": checked_stack.websocket_url, **challenge_attributes(checked_stack)}
    path = site.add(embed_page(checked_stack.http_url, attributes, before=AUTHENTICATE_EXAMPLE))
    page.goto(site.origin + path)
    widget_ready(page)
    open_panel(page)
    submit_name(page, "Somebody")
    wait_connected(page)
    assert widget_state(page)["displayName"] == "Sam Site"


#: A challenge service whose check the visitor has not passed yet: it renders and waits.
WAITING_CHALLENGE = """<script>
window.turnstile = {
  render(element, options) {
    window.__challenge = {element, options};
    element.textContent = "Verify you are human";
    return "w1";
  },
  reset() {},
};
</script>"""


def test_the_challenge_shows_in_the_panel_until_the_start_is_given_up(
    page: Any, site: Site, checked_stack: LocalStackProcess
) -> None:
    attributes = {
        "websocket-url": checked_stack.websocket_url,
        "challenge-script": f"{site.origin}/never-loaded.js",  # the page has the service's global already
        "challenge-site-key": "site-key-1",
        "theme": "dark",
    }
    path = site.add(embed_page(checked_stack.http_url, attributes, before=WAITING_CHALLENGE))
    frames = Frames(page)
    page.goto(site.origin + path)
    widget_ready(page)
    open_panel(page)
    submit_name(page, "Ana")
    area = page.get_by_role("group", name="Security check")
    area.wait_for()
    assert page.evaluate("window.__challenge.options.sitekey") == "site-key-1"
    assert page.evaluate("window.__challenge.options.theme") == "dark"
    # The service's element is the page's, shown inside the panel.
    assert page.evaluate("window.__challenge.element.parentElement.id") == "connect-chat-widget"
    assert page.evaluate("window.__challenge.element.assignedSlot.name") == "challenge"
    assert page.get_by_text("Verify you are human").is_visible()
    assert widget_state(page)["status"] == "starting"

    page.get_by_role("button", name="End chat").click()
    wait(page, "window.ConnectChatWidget.state.status === 'idle'")
    assert not area.is_visible()
    assert not frames.actions("startChat")
    assert widget_state(page)["error"] == ""
