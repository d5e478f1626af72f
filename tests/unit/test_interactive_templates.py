"""connect_chat.interactive: the templates of the administrator guide, built, parsed, validated and shown."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from connect_chat import InvalidArgumentError
from connect_chat import interactive as im
from connect_chat.protocol import content_types as ct

# The examples of the Amazon Connect administrator guide ("Add Amazon Lex interactive messages for customers in
# chat"), with their trailing-comma typos fixed, and a carousel as Amazon's sample Lex code hook builds one.
LIST_PICKER: dict[str, Any] = {
    "templateType": "ListPicker",
    "version": "1.0",
    "data": {
        "replyMessage": {
            "title": "Thanks for selecting!",
            "subtitle": "Produce selected",
            "imageType": "URL",
            "imageData": "https://interactive-msg.s3-us-west-2.amazonaws.com/fruit_34.3kb.jpg",
            "imageDescription": "Select a produce to buy",
        },
        "content": {
            "title": "What produce would you like to buy?",
            "subtitle": "Tap to select option",
            "imageType": "URL",
            "imageData": "https://interactive-msg.s3-us-west-2.amazonaws.com/fruit_34.3kb.jpg",
            "imageDescription": "Select a produce to buy",
            "elements": [
                {
                    "title": "Apple",
                    "subtitle": "$1.00",
                    "imageType": "URL",
                    "imageData": "https://interactive-message-testing.s3-us-west-2.amazonaws.com/apple_4.2kb.jpg",
                },
                {
                    "title": "Orange",
                    "subtitle": "$1.50",
                    "imageType": "URL",
                    "imageData": "https://interactive-message-testing.s3-us-west-2.amazonaws.com/orange_17.7kb.jpg",
                },
                {
                    "title": "Banana",
                    "subtitle": "$10.00",
                    "imageType": "URL",
                    "imageData": "https://interactive-message-testing.s3-us-west-2.amazonaws.com/banana_7.9kb.jpg",
                    "imageDescription": "Banana",
                },
            ],
        },
    },
}
TIME_PICKER: dict[str, Any] = {
    "templateType": "TimePicker",
    "version": "1.0",
    "data": {
        "replyMessage": {"title": "Thanks for selecting", "subtitle": "Appointment selected"},
        "content": {
            "title": "Schedule appointment",
            "subtitle": "Tap to select option",
            "timeZoneOffset": -450,
            "location": {"latitude": 47.616299, "longitude": -122.4311, "title": "Oscar", "radius": 1},
            "timeslots": [
                {"date": "2020-10-31T17:00+00:00", "duration": 60},
                {"date": "2020-11-15T13:00+00:00", "duration": 60},
                {"date": "2020-11-15T16:00+00:00", "duration": 60},
            ],
        },
    },
}
PANEL: dict[str, Any] = {
    "templateType": "Panel",
    "version": "1.0",
    "data": {
        "replyMessage": {"title": "Thanks for selecting!", "subtitle": "Option selected"},
        "content": {
            "title": "How can I help you?",
            "subtitle": "Tap to select option",
            "imageType": "URL",
            "imageData": "https://interactive-msg.s3-us-west-2.amazonaws.com/company.jpg",
            "imageDescription": "Select an option",
            "elements": [{"title": "Check self-service options"}, {"title": "Talk to an agent"}, {"title": "End chat"}],
        },
    },
}
QUICK_REPLY: dict[str, Any] = {
    "templateType": "QuickReply",
    "version": "1.0",
    "data": {
        "content": {
            "title": "How was your experience?",
            "elements": [{"title": "Great!"}, {"title": "Good"}, {"title": "Ok"}, {"title": "Poor"}, {"title": "Bad"}],
        }
    },
}
CAROUSEL: dict[str, Any] = {
    "templateType": "Carousel",
    "version": "1.0",
    "data": {
        "content": {
            "title": "View our popular destinations",
            "elements": [
                {
                    "templateIdentifier": "template0",
                    "templateType": "Panel",
                    "version": "1.0",
                    "data": {
                        "content": {
                            "title": "California",
                            "subtitle": "Tap to select option",
                            "elements": [
                                {"title": "Book flights"},
                                {"title": "Book hotels"},
                                {"title": "Talk to agent"},
                            ],
                        }
                    },
                },
                {
                    "templateIdentifier": "template1",
                    "templateType": "ListPicker",
                    "version": "1.0",
                    "data": {
                        "content": {
                            "title": "New York",
                            "subtitle": "Tap to select option",
                            "elements": [{"title": "Book flights"}, {"title": "Book hotels"}],
                        }
                    },
                },
            ],
        }
    },
}
EXAMPLES: dict[
    str, tuple[dict[str, Any], type[im.ListPicker | im.Panel | im.TimePicker | im.QuickReply | im.Carousel]]
] = {
    "ListPicker": (LIST_PICKER, im.ListPicker),
    "TimePicker": (TIME_PICKER, im.TimePicker),
    "Panel": (PANEL, im.Panel),
    "QuickReply": (QUICK_REPLY, im.QuickReply),
    "Carousel": (CAROUSEL, im.Carousel),
}


def _error(template: Any) -> InvalidArgumentError:
    with pytest.raises(InvalidArgumentError) as caught:
        im.parse_template(template)
    return caught.value


def _edited(template: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``template`` with ``path`` (dotted, ``[i]`` for list items) set to ``value`` or deleted."""
    edited = copy.deepcopy(template)
    parts = path.replace("[", ".").replace("]", "").split(".")
    node: Any = edited
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    key: Any = int(last) if isinstance(node, list) else last
    if value is _DELETE:
        del node[key]
    else:
        node[key] = value
    return edited


_DELETE = object()


# ------------------------------------------------------------------------------------ parse and build


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_guides_examples_parse_into_their_model_and_back_unchanged(name: str) -> None:
    example, model = EXAMPLES[name]
    parsed = im.parse_template(json.dumps(example))
    assert type(parsed) is model
    assert parsed.template_type == name
    assert parsed.to_dict() == example
    assert im.parse_template(parsed.to_json()) == parsed
    assert model.from_json(json.dumps(example)) == parsed
    assert parsed.content_type == ct.INTERACTIVE_MESSAGE


def test_parsed_fields_carry_the_guides_values() -> None:
    picker = im.parse_template(LIST_PICKER)
    assert isinstance(picker, im.ListPicker)
    assert picker.title == "What produce would you like to buy?"
    assert picker.image_description == "Select a produce to buy"
    assert [e.title for e in picker.elements] == ["Apple", "Orange", "Banana"]
    assert picker.elements[2].image_description == "Banana"
    assert picker.reply_message == im.ReplyMessage(
        title="Thanks for selecting!",
        subtitle="Produce selected",
        image_type="URL",
        image_data="https://interactive-msg.s3-us-west-2.amazonaws.com/fruit_34.3kb.jpg",
        image_description="Select a produce to buy",
    )
    times = im.parse_template(TIME_PICKER)
    assert isinstance(times, im.TimePicker)
    assert times.time_zone_offset == -450
    assert times.location == im.Location(latitude=47.616299, longitude=-122.4311, title="Oscar", radius=1)
    assert times.timeslots[0].start.isoformat() == "2020-10-31T17:00:00+00:00"
    carousel = im.parse_template(CAROUSEL)
    assert isinstance(carousel, im.Carousel)
    assert [type(i.template) for i in carousel.elements] == [im.Panel, im.ListPicker]
    assert carousel.card("template1").template.title == "New York"


def test_a_built_template_is_the_json_a_lex_code_hook_returns() -> None:
    menu = im.ListPicker(
        title="What produce would you like to buy?",
        elements=(im.Element(title="Apple", subtitle="$1.00"), *im.Element.from_titles("Orange")),
        reply_message=im.ReplyMessage(title="Thanks for selecting!"),
    )
    assert json.loads(menu.to_json()) == {
        "templateType": "ListPicker",
        "version": "1.0",
        "data": {
            "replyMessage": {"title": "Thanks for selecting!"},
            "content": {
                "title": "What produce would you like to buy?",
                "elements": [{"title": "Apple", "subtitle": "$1.00"}, {"title": "Orange"}],
            },
        },
    }
    assert menu.to_json() == json.dumps(menu.to_dict(), separators=(",", ":"))
    assert menu.to_lex_message() == {"contentType": "CustomPayload", "content": menu.to_json()}


def test_members_the_models_do_not_name_survive_a_round_trip() -> None:
    paged = _edited(LIST_PICKER, "data.content.referenceId", "320435df")
    paged = _edited(paged, "data.content.elements[0].actionDetail", "SHOW_MORE")
    paged = _edited(paged, "data.content.targetForLinks", "_blank")
    paged = _edited(paged, "data.extraData", {"kept": True})
    paged = _edited(paged, "data.replyMessage.accent", "blue")
    paged = _edited(paged, "channel", "web")
    picker = im.parse_template(paged)
    assert picker.to_dict() == paged
    assert isinstance(picker, im.ListPicker)
    assert picker.content_extra == {"referenceId": "320435df", "targetForLinks": "_blank"}
    assert picker.elements[0].extra == {"actionDetail": "SHOW_MORE"}


def test_numbers_and_unicode_stay_as_they_were() -> None:
    template = _edited(QUICK_REPLY, "data.content.title", '¿Qué tal? 👍 "quoted" <b>not html</b>')
    assert json.loads(im.parse_template(template).to_json()) == template


# ---------------------------------------------------------------------------------- required fields


@pytest.mark.parametrize(
    ("template", "path", "problem"),
    [
        (LIST_PICKER, "templateType", "is required"),
        (LIST_PICKER, "version", "is required"),
        (LIST_PICKER, "data", "is required"),
        (LIST_PICKER, "data.content", "is required"),
        (LIST_PICKER, "data.content.title", "is required"),
        (LIST_PICKER, "data.content.elements", "is required (1 to 6 items)"),
        (LIST_PICKER, "data.content.elements[1].title", "is required"),
        (LIST_PICKER, "data.replyMessage.title", "is required"),
        (TIME_PICKER, "data.content.timeslots", "is required (1 to 40 items)"),
        (TIME_PICKER, "data.content.timeslots[2].date", "is required"),
        (TIME_PICKER, "data.content.timeslots[0].duration", "is required"),
        (TIME_PICKER, "data.content.location.latitude", "is required"),
        (TIME_PICKER, "data.content.location.longitude", "is required"),
        (TIME_PICKER, "data.content.location.title", "is required"),
        (TIME_PICKER, "data.replyMessage.title", "is required"),
        (PANEL, "data.content.title", "is required"),
        (PANEL, "data.content.elements[0].title", "is required"),
        (QUICK_REPLY, "data.content.elements", "is required (2 to 5 items)"),
        (QUICK_REPLY, "data.content.elements[4].title", "is required"),
        (CAROUSEL, "data.content.title", "is required"),
        (CAROUSEL, "data.content.elements[1].templateIdentifier", "is required"),
        (CAROUSEL, "data.content.elements[0].templateType", "is required"),
        (CAROUSEL, "data.content.elements[1].data.content.title", "is required"),
        (CAROUSEL, "data.content.elements[0].data.content.elements[2].title", "is required"),
    ],
)
def test_a_missing_required_field_is_named_by_its_path(template: dict[str, Any], path: str, problem: str) -> None:
    error = _error(_edited(template, path, _DELETE))
    assert error.argument == path
    assert error.problem == problem
    assert str(error).startswith(f"{path}: {problem}")
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    "path",
    [
        "data.replyMessage",
        "data.replyMessage.subtitle",
        "data.content.subtitle",
        "data.content.imageType",
        "data.content.imageData",
        "data.content.imageDescription",
        "data.content.elements[0].subtitle",
        "data.content.elements[0].imageData",
    ],
)
def test_optional_fields_may_be_left_out(path: str) -> None:
    trimmed = _edited(LIST_PICKER, path, _DELETE)
    assert im.parse_template(trimmed).to_dict() == trimmed


@pytest.mark.parametrize("path", ["data.content.timeZoneOffset", "data.content.location", "data.content.subtitle"])
def test_time_picker_optional_fields(path: str) -> None:
    trimmed = _edited(TIME_PICKER, path, _DELETE)
    assert im.parse_template(trimmed).to_dict() == trimmed


# ------------------------------------------------------------------------------------ structural limits


def _with_items(template: dict[str, Any], field: str, count: int) -> dict[str, Any]:
    listed = template["data"]["content"][field]
    return _edited(template, f"data.content.{field}", [copy.deepcopy(listed[i % len(listed)]) for i in range(count)])


@pytest.mark.parametrize(
    ("template", "field", "low", "high"),
    [
        (LIST_PICKER, "elements", 1, 6),
        (PANEL, "elements", 1, 10),
        (TIME_PICKER, "timeslots", 1, 40),
        (QUICK_REPLY, "elements", 2, 5),
        (CAROUSEL, "elements", 2, 5),
    ],
)
def test_item_counts_are_enforced_at_both_ends(template: dict[str, Any], field: str, low: int, high: int) -> None:
    name = template["templateType"]
    for count in (low, high):
        assert len(getattr(im.parse_template(_with_items(template, field, count)), field)) == count
    for count in (low - 1, high + 1):
        error = _error(_with_items(template, field, count))
        assert error.argument == f"data.content.{field}"
        assert error.problem == f"has {count} items; {name} allows {low} to {high}"
    assert im.ITEM_COUNTS[name] == (f"data.content.{field}", low, high)


@pytest.mark.parametrize(
    ("template", "path", "value", "problem"),
    [
        (LIST_PICKER, "version", "2.0", "got '2.0' (allowed: 1.0)"),
        (LIST_PICKER, "data.content.title", 42, "must be a string, got a number"),
        (LIST_PICKER, "data.content.title", "   ", "must not be empty"),
        (LIST_PICKER, "data.content.elements", {"title": "x"}, "must be an array, got an object"),
        (LIST_PICKER, "data.content.elements", "Apple", "must be an array, got a string"),
        (LIST_PICKER, "data.content.elements[1]", "Orange", "must be an object, got a string"),
        (LIST_PICKER, "data.content.imageType", "BASE64", "got 'BASE64' (allowed: URL)"),
        (LIST_PICKER, "data.content.elements[0].imageData", ["x"], "must be a string, got an array"),
        (LIST_PICKER, "data", [], "must be an object, got an array"),
        (LIST_PICKER, "data.replyMessage", "Thanks", "must be an object, got a string"),
        (TIME_PICKER, "data.content.timeslots[0].duration", 0, "must be at least 1, got 0"),
        (TIME_PICKER, "data.content.timeslots[0].duration", 7.5, "must be a whole number, got 7.5"),
        (TIME_PICKER, "data.content.timeslots[0].duration", True, "must be a number, got a boolean"),
        (TIME_PICKER, "data.content.timeZoneOffset", "-450", "must be a number, got a string"),
        (TIME_PICKER, "data.content.location.latitude", 91, "must be between -90 and 90, got 91"),
        (TIME_PICKER, "data.content.location.longitude", -181, "must be between -180 and 180, got -181"),
        (TIME_PICKER, "data.content.location.radius", -1, "must be at least 0, got -1"),
        (TIME_PICKER, "data.content.location", None, None),
        (
            CAROUSEL,
            "data.content.elements[0].templateType",
            "TimePicker",
            "got 'TimePicker' (allowed: ListPicker, Panel)",
        ),
        (CAROUSEL, "data.content.elements[1].version", "9", "got '9' (allowed: 1.0)"),
    ],
)
def test_wrong_values_are_refused_in_the_templates_words(
    template: dict[str, Any], path: str, value: Any, problem: str | None
) -> None:
    edited = _edited(template, path, value)
    if problem is None:  # null is the same as leaving an optional field out
        assert im.parse_template(edited).to_dict() == _edited(template, path, _DELETE)
        return
    assert str(_error(edited)) == f"{path}: {problem}"


@pytest.mark.parametrize("date", ["2020-10-31T17:00", "31/10/2020 17:00", "tomorrow", "2020-13-01T10:00+00:00"])
def test_a_time_slot_needs_an_iso_date_with_an_offset(date: str) -> None:
    error = _error(_edited(TIME_PICKER, "data.content.timeslots[1].date", date))
    assert error.argument == "data.content.timeslots[1].date"
    assert "ISO 8601" in error.problem
    assert "2020-10-31T17:00+00:00" in error.problem


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "content: is not valid JSON for an interactive message"),
        ("{", "content: is not valid JSON for an interactive message"),
        ("[]", "content: must be a JSON object for an interactive message, got an array"),
        ('"ListPicker"', "content: must be a JSON object for an interactive message, got a string"),
        ("{}", "templateType: is required"),
        ('{"templateType": 5}', "templateType: must be a string, got a number"),
        ("[" * 100_000, "content: is not valid JSON"),
    ],
)
def test_content_that_is_no_template_is_refused(content: str, message: str) -> None:
    assert str(_error(content)).startswith(message)


def test_constructing_a_model_checks_it_too() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^data.content.elements: has 0 items; ListPicker allows 1 to 6"):
        im.ListPicker(title="Pick", elements=())
    with pytest.raises(InvalidArgumentError, match=r"^data.content.title: must not be empty"):
        im.Panel(title="", elements=im.Element.from_titles("a"))
    with pytest.raises(InvalidArgumentError, match=r"^title: is required"):
        im.Element(title=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^data.content.elements\[1\]: must be Element"):
        im.QuickReply(title="Q", elements=(im.Element(title="a"), "b"))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^templateType: got TimePicker"):
        im.CarouselItem(
            template_identifier="x",
            template=im.TimePicker(title="t", timeslots=(im.TimeSlot(date="2030-01-01T10:00+00:00", duration=30),)),  # type: ignore[arg-type]
        )


def test_a_reply_message_and_an_element_are_not_interchangeable() -> None:
    reply, element = im.ReplyMessage(title="Thanks"), im.Element(title="Thanks")
    same_fields: object = element
    assert reply.to_dict() == element.to_dict()
    assert reply != same_fields
    assert type(im.ReplyMessage.from_dict(reply.to_dict())) is im.ReplyMessage
    assert type(im.Element.from_dict(element.to_dict())) is im.Element
    with pytest.raises(InvalidArgumentError, match=r"^data.content.elements\[0\]: must be Element, got ReplyMessage"):
        im.QuickReply(title="Q", elements=(reply, element))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^data.replyMessage: must be a ReplyMessage"):
        im.QuickReply(title="Q", elements=im.Element.from_titles("a", "b"), reply_message=element)  # type: ignore[arg-type]


def test_the_whole_message_must_stay_under_20_kb() -> None:
    big = im.ListPicker(title="x" * (im.MAX_CONTENT_BYTES - 100), elements=im.Element.from_titles("a"))
    with pytest.raises(
        InvalidArgumentError, match=r"^content: is \d+ bytes in UTF-8; an interactive message must be under 20000"
    ):
        big.to_json()
    assert len(big.for_display().to_json()) < 1000


# -------------------------------------------------------------------------------- unknown templates


def test_an_unknown_template_type_parses_into_a_readable_fallback() -> None:
    whatsapp = {
        "templateType": "WhatsAppList",
        "version": "1.0",
        "data": {"content": {"title": "Choose a plan", "elements": [{"title": "Basic"}, {"title": "Pro"}, 3]}},
    }
    fallback = im.parse_template(json.dumps(whatsapp))
    assert isinstance(fallback, im.UnknownTemplate)
    assert fallback.template_type == "WhatsAppList"
    assert fallback.text() == "Choose a plan\n- Basic\n- Pro"
    assert fallback.to_dict() == whatsapp
    assert fallback.for_display() is fallback


@pytest.mark.parametrize("data", [None, "text", {"content": []}, {"content": {"title": 7, "elements": "x"}}])
def test_an_unknown_template_without_usable_content_still_reads(data: Any) -> None:
    fallback = im.parse_template({"templateType": "ApplePay", "data": data})
    assert isinstance(fallback, im.UnknownTemplate)
    assert fallback.text() == "(ApplePay message)"


# ------------------------------------------------------------------------------------------ reading


def test_text_is_readable_plain_text() -> None:
    assert im.parse_template(LIST_PICKER).text().splitlines() == [
        "What produce would you like to buy?",
        "Tap to select option",
        "- Apple ($1.00)",
        "- Orange ($1.50)",
        "- Banana ($10.00)",
    ]
    assert im.parse_template(TIME_PICKER).text().splitlines()[:4] == [
        "Schedule appointment",
        "Tap to select option",
        "at Oscar",
        "- 2020-10-31T17:00+00:00 (60 min)",
    ]
    assert im.parse_template(QUICK_REPLY).text() == "How was your experience?\n- Great!\n- Good\n- Ok\n- Poor\n- Bad"
    assert im.parse_template(CAROUSEL).text().splitlines() == [
        "View our popular destinations",
        "California:",
        "- Book flights",
        "- Book hotels",
        "- Talk to agent",
        "New York:",
        "- Book flights",
        "- Book hotels",
    ]


def test_select_builds_the_customers_answer() -> None:
    picker = im.ListPicker.from_dict(LIST_PICKER)
    assert picker.select("Orange") == im.Selection(
        selection_text="Orange", list_title="What produce would you like to buy?"
    )
    assert picker.select(2).selection_text == "Banana"
    with pytest.raises(
        InvalidArgumentError, match=r"^choice: 'Kiwi' is not an option of this ListPicker \(allowed: Apple"
    ):
        picker.select("Kiwi")
    with pytest.raises(InvalidArgumentError, match=r"^choice: index 3 is out of range: there are 3 options"):
        picker.select(3)
    quick = im.QuickReply.from_dict(QUICK_REPLY)
    assert quick.select("Poor").to_dict() == {"listTitle": "How was your experience?", "selectionText": "Poor"}


def test_a_time_slot_is_chosen_by_its_date_in_any_iso_spelling() -> None:
    picker = im.TimePicker.from_dict(TIME_PICKER)
    assert picker.options() == ("2020-10-31T17:00+00:00", "2020-11-15T13:00+00:00", "2020-11-15T16:00+00:00")
    assert picker.select("2020-11-15T14:00:00+01:00").selection_text == "2020-11-15T13:00+00:00"
    assert picker.select(0).selection_text == "2020-10-31T17:00+00:00"
    with pytest.raises(InvalidArgumentError, match="is not an option"):
        picker.select("2020-11-15T13:30+00:00")
    with pytest.raises(InvalidArgumentError, match="is not an option"):
        picker.select("not a date")


def test_a_carousel_choice_names_its_card() -> None:
    carousel = im.Carousel.from_dict(CAROUSEL)
    chosen = carousel.select("Book hotels", template_identifier="template1")
    assert chosen.to_dict() == {
        "templateIdentifier": "template1",
        "listTitle": "New York",
        "selectionText": "Book hotels",
    }
    assert chosen.text() == "New York - Book hotels"
    assert carousel.options()[:2] == ("California - Book flights", "California - Book hotels")
    assert carousel.select("California - Talk to agent").template_identifier == "template0"
    assert carousel.select(3) == carousel.select(0, template_identifier="template1")
    with pytest.raises(InvalidArgumentError, match=r"^templateIdentifier: 'template9' is not a card"):
        carousel.select("Book flights", template_identifier="template9")


# ------------------------------------------------------------------------------------- field limits


def test_truncate_cuts_and_appends_an_ellipsis() -> None:
    assert im.truncate("a" * 400, 400) == "a" * 400
    assert im.truncate("a" * 401, 400) == "a" * 400 + "..."
    assert im.truncate("Book a flight to", 7) == "Book a..."
    assert im.truncate("héllo wörld", 4, ellipsis="…") == "héll…"
    with pytest.raises(ValueError, match="at least 1"):
        im.truncate("x", 0)


def test_for_display_applies_the_client_limits_and_nothing_else() -> None:
    long = "L" * 450
    picker = im.parse_template(
        _edited(
            _edited(_edited(LIST_PICKER, "data.content.title", long), "data.content.elements[0].subtitle", long),
            "data.replyMessage.title",
            long,
        )
    )
    assert isinstance(picker, im.ListPicker)
    shown = picker.for_display()
    assert shown.title == "L" * 400 + "..."
    assert shown.elements[0].subtitle == "L" * 400 + "..."
    assert shown.elements[1] == picker.elements[1]
    assert shown.reply_message == picker.reply_message  # the guide gives no limit for the reply message here
    assert picker.title == long  # the model itself is unchanged
    quick = im.QuickReply(title="Q", elements=im.Element.from_titles("o" * 201, "ok"))
    assert quick.for_display().elements[0].title == "o" * 200 + "..."
    assert im.field_limit("QuickReply", "data.content.elements[].title") == im.QUICK_REPLY_OPTION_LIMIT == 200
    carousel = im.Carousel(
        title="C" * 401,
        elements=(
            im.CarouselItem(
                template_identifier="a", template=im.Panel(title="P" * 401, elements=im.Element.from_titles("x"))
            ),
            im.CarouselItem(
                template_identifier="b", template=im.ListPicker(title="y", elements=im.Element.from_titles("z"))
            ),
        ),
    )
    shown_carousel = carousel.for_display()
    assert shown_carousel.title.endswith("C...")
    assert shown_carousel.elements[0].template.title == "P" * 400 + "..."


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_limited_field_exists_in_its_template(name: str) -> None:
    example, _ = EXAMPLES[name]
    for path in im.FIELD_LIMITS[name]:
        node: Any = example
        for part in path.split("."):
            node = node[part.removesuffix("[]")]
            if part.endswith("[]"):
                node = node[0]
        assert isinstance(node, str), path
