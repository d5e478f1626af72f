"""Interactive messages: build and parse the templates Amazon Connect chat renders, and the customer's answers.

The templates (ListPicker, TimePicker, Panel, QuickReply, Carousel) are those of the Amazon Connect
administrator guide, "Add Amazon Lex interactive messages for customers in chat". Their content type is
``application/vnd.amazonaws.connect.message.interactive``; the customer's answer is an
``application/vnd.amazonaws.connect.message.interactive.response`` message.

Building one (a Lex code hook returns ``template.to_lex_message()``; Connect sends it to the customer)::

    from connect_chat.interactive import Element, ListPicker, ReplyMessage

    menu = ListPicker(
        title="How can we help?",
        elements=Element.from_titles("Track my order", "Return an item"),
        reply_message=ReplyMessage(title="Thanks!"),
    )
    menu.to_json()

Reading one (either mode; ``item`` is an :class:`~connect_chat.protocol.Item` or an item mapping)::

    from connect_chat import interactive

    model = interactive.parse_item(item)
    if isinstance(model, interactive.ListPicker):
        answer = model.select("Track my order")   # a Selection
        session.send_message(answer.to_json(), content_type=answer.content_type)

``import connect_chat`` does not import this package; nothing here imports more than the standard library and
``connect_chat``'s errors and content types.
"""

from __future__ import annotations

from .limits import (
    ELLIPSIS,
    FIELD_LIMITS,
    ITEM_COUNTS,
    MAX_CONTENT_BYTES,
    QUICK_REPLY_OPTION_LIMIT,
    TITLE_LIMIT,
    field_limit,
    truncate,
)
from .reading import describe, parse, parse_item
from .responses import ACTIONS, ActionRequest, InteractiveResponse, Selection, UnknownResponse, parse_response
from .templates import (
    IMAGE_TYPES,
    LEX_CONTENT_TYPE,
    TEMPLATE_TYPES,
    TEMPLATE_VERSION,
    Carousel,
    CarouselItem,
    Element,
    InteractiveTemplate,
    ListPicker,
    Location,
    Panel,
    QuickReply,
    ReplyMessage,
    TimePicker,
    TimeSlot,
    UnknownTemplate,
    parse_template,
)

__all__ = [
    "ACTIONS",
    "ELLIPSIS",
    "FIELD_LIMITS",
    "IMAGE_TYPES",
    "ITEM_COUNTS",
    "LEX_CONTENT_TYPE",
    "MAX_CONTENT_BYTES",
    "QUICK_REPLY_OPTION_LIMIT",
    "TEMPLATE_TYPES",
    "TEMPLATE_VERSION",
    "TITLE_LIMIT",
    "ActionRequest",
    "Carousel",
    "CarouselItem",
    "Element",
    "InteractiveResponse",
    "InteractiveTemplate",
    "ListPicker",
    "Location",
    "Panel",
    "QuickReply",
    "ReplyMessage",
    "Selection",
    "TimePicker",
    "TimeSlot",
    "UnknownResponse",
    "UnknownTemplate",
    "describe",
    "field_limit",
    "parse",
    "parse_item",
    "parse_response",
    "parse_template",
    "truncate",
]
