"""Who may start a chat, and as whom: the checks both entry points (the relay's ``startChat`` and
``POST /start-chat``) run before StartChatContact, in one place.

1. A signed-in customer's token (``common.identity``): its claims, never the browser's word, give the display
   name and the claim-mapped contact attributes.
2. The contact attributes must be among the deployment's allowed ones (the claim-mapped ones are the site's
   word and allowed besides).
3. The human check (``common.challenge``) comes last, so that a start refused for another reason never uses up
   a challenge token.

A refusal raises :class:`common.refusals.RefusedError` (with a status and a code) or
:class:`common.fields.FieldError` (a field breaks a rule); tokens never appear in either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from common import challenge, identity
from common.contacts import attribute_problem
from common.fields import FieldError


class FieldNames(NamedTuple):
    """How an entry point names the fields in refusals (the relay's frame and the HTTP body differ)."""

    attributes: str
    customer_token: str
    challenge_token: str


RELAY_FIELDS = FieldNames("attributes", "customerToken", "challengeToken")
HTTP_FIELDS = FieldNames("Attributes", "CustomerToken", "ChallengeToken")


class Admission(NamedTuple):
    """What a start that passed the checks may use: the display name and attributes to send."""

    display_name: str | None
    attributes: dict[str, str]


def admit(
    customer: identity.Customer,
    *,
    display_name: str | None,
    attributes: Mapping[str, str],
    allowed_attributes: Mapping[str, int],
    challenge_token: str | None,
    source_ip: str | None,
    names: FieldNames,
) -> Admission:
    """Apply a verified customer's claims, check the attributes against the allowlist, then the human check.

    ``customer`` comes from :func:`common.identity.verify_customer` (a customer who is not signed in when the
    start carried no token).
    """
    name, merged = customer.apply(display_name, attributes)
    allowed = customer.allowed_attributes(allowed_attributes)
    problem = attribute_problem(merged, allowed)
    if problem is not None:
        raise FieldError(f"{names.attributes}.{problem[0]}", problem[1])
    challenge.check_challenge(challenge_token, remote_ip=source_ip, field_name=names.challenge_token)
    return Admission(name or display_name, merged)
