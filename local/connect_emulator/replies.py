"""What the simulated agent answers: text that repeats the customer's, markdown, and the interactive templates.

A customer message that is exactly one of the :data:`KEYWORDS` (any case, surrounding blanks ignored) gets
that kind of answer when the chat's ``SupportedMessagingContentTypes`` allow its content type; otherwise the
answer is text, which still repeats the customer's message. A customer's interactive response gets a text
that names the choice (clients show the template's ``replyMessage`` themselves).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Final, NamedTuple

from aiohttp import web

from connect_chat import interactive as im
from connect_chat.errors import InvalidArgumentError

from . import content_types as ct

#: Where the sample templates' images are served (``/_emulator/images/{name}.svg``).
IMAGES_PATH: Final = "/_emulator/images/{name}.svg"


class Reply(NamedTuple):
    """One message of the agent: its content type and content."""

    content_type: str
    content: str


MARKDOWN_SAMPLE: Final = (
    "**Markdown** from the agent: *emphasis*, `inline code` and a "
    "[link to the Amazon Connect documentation](https://docs.aws.amazon.com/connect/latest/adminguide/"
    "enable-text-formatting-chat.html).\n\n"
    "Things to try:\n\n"
    "- a bulleted list\n"
    "- with **bold** items\n\n"
    "1. a numbered list\n"
    "2. second item\n\n"
    "A line  \nbreak, and a code block:\n\n"
    "```\nmenu | time | panel | quick | carousel\n```"
)
"""The agent's answer to ``markdown``: the subset of Markdown that Connect chat renders."""


def reply_text(customer_text: str) -> str:
    """The agent's answer to ordinary text: it always contains the customer's text."""
    return f"Thanks for your message. You said: {customer_text}"


# ------------------------------------------------------------------------------------- the templates


def _image(base: str, name: str) -> str:
    return base + IMAGES_PATH.replace("{name}", name)


def list_picker(base: str) -> im.ListPicker:
    """``menu``: a list picker with an image on the list and on each option."""
    return im.ListPicker(
        title="How can we help you today?",
        subtitle="Tap to select an option",
        image_type="URL",
        image_data=_image(base, "help"),
        image_description="A help desk",
        elements=(
            im.Element(
                title="Track my order",
                subtitle="Where is my parcel?",
                image_type="URL",
                image_data=_image(base, "track"),
                image_description="A parcel on its way",
            ),
            im.Element(
                title="Return an item",
                subtitle="Free within 30 days",
                image_type="URL",
                image_data=_image(base, "return"),
                image_description="A parcel going back",
            ),
            im.Element(title="Talk to an agent"),
        ),
        reply_message=im.ReplyMessage(title="Thanks for selecting!", subtitle="We are on it"),
    )


def time_picker(base: str, now: dt.datetime) -> im.TimePicker:
    """``time``: three slots over the next two days (UTC, on the hour)."""
    day = (now.astimezone(dt.UTC) + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    starts = [day, day.replace(hour=13), day + dt.timedelta(days=1, hours=1)]
    return im.TimePicker(
        title="Schedule an appointment",
        subtitle="Tap to select a time",
        location=im.Location(latitude=47.616299, longitude=-122.4311, title="Main office", radius=1),
        timeslots=tuple(
            im.TimeSlot(date=start.strftime("%Y-%m-%dT%H:%M+00:00"), duration=duration)
            for start, duration in zip(starts, (30, 60, 30), strict=True)
        ),
        reply_message=im.ReplyMessage(title="Thanks, see you then!", subtitle="Appointment booked"),
    )


def panel(base: str) -> im.Panel:
    """``panel``: one image, three options."""
    return im.Panel(
        title="How can I help you?",
        subtitle="Tap to select an option",
        image_type="URL",
        image_data=_image(base, "help"),
        image_description="A help desk",
        elements=im.Element.from_titles("Check self-service options", "Talk to an agent", "End chat"),
        reply_message=im.ReplyMessage(title="Thanks for selecting!"),
    )


def quick_reply(base: str) -> im.QuickReply:
    """``quick``: three short answers, no reply message."""
    return im.QuickReply(title="How was your experience?", elements=im.Element.from_titles("Great", "Good", "Poor"))


def carousel(base: str) -> im.Carousel:
    """``carousel``: a panel and a list picker side by side."""
    return im.Carousel(
        title="Our popular destinations",
        elements=(
            im.CarouselItem(
                template_identifier="destination-california",
                template=im.Panel(
                    title="California",
                    subtitle="Sun all year",
                    image_type="URL",
                    image_data=_image(base, "california"),
                    image_description="A beach at sunset",
                    elements=im.Element.from_titles("Book flights", "Book hotels"),
                ),
            ),
            im.CarouselItem(
                template_identifier="destination-new-york",
                template=im.ListPicker(
                    title="New York",
                    subtitle="The city that never sleeps",
                    elements=im.Element.from_titles("Book flights", "Book hotels", "Book a show"),
                ),
            ),
        ),
        reply_message=im.ReplyMessage(title="Thanks for selecting!"),
    )


TemplateFactory = Callable[[str, dt.datetime], im.InteractiveTemplate]

KEYWORDS: Final[dict[str, TemplateFactory]] = {
    "menu": lambda base, now: list_picker(base),
    "time": time_picker,
    "panel": lambda base, now: panel(base),
    "quick": lambda base, now: quick_reply(base),
    "carousel": lambda base, now: carousel(base),
}
"""Customer message -> the interactive template the agent answers with."""

MARKDOWN_KEYWORD: Final = "markdown"


# ------------------------------------------------------------------------------------------ answering


def answer(content_type: str, content: str, supported: frozenset[str], base: str, now: dt.datetime) -> Reply:
    """The agent's answer to a customer message of ``content_type`` on a chat that supports ``supported``.

    Parameters
    ----------
    content_type, content
        The customer's message.
    supported
        The chat's SupportedMessagingContentTypes.
    base
        The emulator's public HTTP base URL (for the templates' images).
    now
        The current time (the time picker offers slots after it).
    """
    if content_type == ct.INTERACTIVE_RESPONSE:
        return Reply(ct.TEXT_PLAIN, _answer_to_choice(content))
    keyword = content.strip().lower()
    if keyword == MARKDOWN_KEYWORD:
        if ct.TEXT_MARKDOWN in supported:
            return Reply(ct.TEXT_MARKDOWN, MARKDOWN_SAMPLE)
        return Reply(ct.TEXT_PLAIN, reply_text(content) + "\n(Markdown is not enabled on this chat.)")
    factory = KEYWORDS.get(keyword)
    if factory is not None:
        template = factory(base, now)
        if ct.INTERACTIVE in supported:
            return Reply(ct.INTERACTIVE, template.to_json())
        return Reply(ct.TEXT_PLAIN, f"{reply_text(content)}\n{template.text()}")
    return Reply(ct.TEXT_PLAIN, reply_text(content))


def _answer_to_choice(content: str) -> str:
    try:
        response = im.parse_response(content)
    except InvalidArgumentError as exc:
        return f"Sorry, I could not read your answer ({exc})."
    if isinstance(response, im.ActionRequest):
        return f"You asked for {response.text().lower()}; this emulator has no more options to show."
    return f"You chose: {response.text()}"


# ---------------------------------------------------------------------------------------------- images

_IMAGES: Final[dict[str, tuple[str, str]]] = {
    "help": ("Help", "#1f6feb"),
    "track": ("Track", "#2da44e"),
    "return": ("Return", "#bf8700"),
    "california": ("California", "#cf222e"),
}


async def serve_image(request: web.Request) -> web.Response:
    """``GET /_emulator/images/{name}.svg``: a small labelled picture for the sample templates."""
    found = _IMAGES.get(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound(text="no such image")
    label, colour = found
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="90" viewBox="0 0 160 90">'
        f'<rect width="160" height="90" rx="8" fill="{colour}"/>'
        '<text x="80" y="52" font-family="sans-serif" font-size="18" fill="#fff" text-anchor="middle">'
        f"{html.escape(label)}</text></svg>"
    )
    return web.Response(text=svg, content_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"})
