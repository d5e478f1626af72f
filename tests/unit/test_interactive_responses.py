"""connect_chat.interactive: the customer's answers, reading items, and what importing the package costs."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_chat import InvalidArgumentError
from connect_chat import interactive as im
from connect_chat.interactive import limits, responses, templates
from connect_chat.protocol import Item
from connect_chat.protocol import content_types as ct
from tests.unit.test_interactive_templates import CAROUSEL, LIST_PICKER, QUICK_REPLY

ROOT = Path(__file__).resolve().parents[2]

# What Amazon's chat interface sends: a carousel selection, and a list picker's "show more" button.
CAROUSEL_SELECTION = {"templateIdentifier": "template0", "listTitle": "California", "selectionText": "Book hotels"}
SHOW_MORE = {
    "version": "1.0",
    "data": {
        "actionName": "SHOW_MORE",
        "preIndex": -1,
        "nextIndex": 5,
        "listId": "serviceList",
        "templateType": "ListPicker",
        "referenceId": "320435df-2e3c-47ea-9206-e64f81dd8e3c",
    },
    "action": "SHOW_MORE",
}


def test_a_selection_round_trips_in_the_documented_shape() -> None:
    chosen = im.parse_response(json.dumps(CAROUSEL_SELECTION))
    assert chosen == im.Selection(
        selection_text="Book hotels", list_title="California", template_identifier="template0"
    )
    assert chosen.to_dict() == CAROUSEL_SELECTION
    assert json.loads(chosen.to_json()) == CAROUSEL_SELECTION
    assert chosen.content_type == ct.INTERACTIVE_MESSAGE_RESPONSE
    assert chosen.text() == "California - Book hotels"
    plain = im.Selection(selection_text="Apple", list_title="Fruit:")
    assert plain.to_dict() == {"listTitle": "Fruit:", "selectionText": "Apple"}
    assert plain.text() == "Apple"
    assert im.Selection(selection_text="x", list_title="Pick:", template_identifier="t").text() == "Pick: x"


def test_an_action_request_round_trips() -> None:
    request = im.parse_response(SHOW_MORE)
    assert isinstance(request, im.ActionRequest)
    assert (request.action, request.list_id, request.pre_index, request.next_index) == (
        "SHOW_MORE",
        "serviceList",
        -1,
        5,
    )
    assert request.to_dict() == SHOW_MORE
    assert request.text() == "Show more"
    assert im.ActionRequest(action="PREVIOUS_OPTIONS").to_dict() == {
        "version": "1.0",
        "data": {"actionName": "PREVIOUS_OPTIONS"},
        "action": "PREVIOUS_OPTIONS",
    }


def test_an_answer_of_another_shape_is_kept_and_readable() -> None:
    other = im.parse_response('{"value": "42", "note": {"nested": true}}')
    assert isinstance(other, im.UnknownResponse)
    assert other.to_dict() == {"value": "42", "note": {"nested": True}}
    assert other.text() == "42"
    assert im.UnknownResponse({"n": 1}).text() == "(an answer to an interactive message)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "content: is not valid JSON for an interactive response"),
        ("[1]", "content: must be a JSON object for an interactive response, got an array"),
        (b'"text"', "content: must be a JSON object for an interactive response, got a string"),
        ('{"selectionText": 3, "listTitle": "x"}', "selectionText: must be a string, got a number"),
        ('{"selectionText": "", "listTitle": "x"}', "selectionText: must not be empty"),
        ('{"selectionText": "a"}', "listTitle: is required"),
        ('{"selectionText": "a", "listTitle": "b", "templateIdentifier": 1}', "templateIdentifier: must be a string"),
        ('{"action": "JUMP"}', "action: got 'JUMP' (allowed: SHOW_MORE, PREVIOUS_OPTIONS)"),
        ('{"action": "SHOW_MORE", "data": {"nextIndex": "5"}}', "data.nextIndex: must be a number, got a string"),
        ('{"action": "SHOW_MORE", "data": []}', "data: must be an object, got an array"),
    ],
)
def test_malformed_answers_are_refused_naming_the_field(content: str | bytes, message: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        im.parse_response(content)
    assert str(caught.value).startswith(message)


def test_select_and_parse_agree() -> None:
    picker = im.ListPicker.from_dict(LIST_PICKER)
    answer = picker.select("Apple")
    assert im.parse_response(answer.to_json()) == answer


# ------------------------------------------------------------------------------------------- items


def _item(content_type: str, content: str) -> dict[str, Any]:
    return {
        "Id": "i-1",
        "Type": "MESSAGE",
        "ContentType": content_type,
        "Content": content,
        "ParticipantRole": "SYSTEM",
    }


def test_parse_item_reads_both_modes_items() -> None:
    as_mapping = _item(ct.INTERACTIVE_MESSAGE, json.dumps(QUICK_REPLY))
    as_item = Item.from_dict(as_mapping)
    assert isinstance(im.parse_item(as_mapping), im.QuickReply)
    assert im.parse_item(as_item) == im.parse_item(as_mapping)
    answer = _item(ct.INTERACTIVE_MESSAGE_RESPONSE, json.dumps(CAROUSEL_SELECTION))
    assert im.parse_item(Item.from_dict(answer)) == im.parse_response(CAROUSEL_SELECTION)
    assert im.parse_item(_item(ct.TEXT_MARKDOWN, "**hi**")) is None
    assert im.parse_item({"Type": "EVENT", "ContentType": ct.TYPING}) is None
    with pytest.raises(InvalidArgumentError, match=r"^Content: is missing"):
        im.parse_item({"ContentType": ct.INTERACTIVE_MESSAGE})
    assert im.parse(ct.TEXT_PLAIN, "menu") is None


def test_describe_gives_a_line_for_anything() -> None:
    assert im.describe(ct.INTERACTIVE_MESSAGE, json.dumps(QUICK_REPLY)).startswith("How was your experience?\n- Great!")
    assert im.describe(ct.INTERACTIVE_MESSAGE_RESPONSE, json.dumps(CAROUSEL_SELECTION)) == "California - Book hotels"
    assert im.describe(ct.TEXT_PLAIN, "plain") == "plain"
    assert im.describe(ct.INTERACTIVE_MESSAGE, "{broken") == "(an interactive message that cannot be shown)"
    assert (
        im.describe(ct.INTERACTIVE_MESSAGE_RESPONSE, "[]")
        == "(an answer to an interactive message that cannot be shown)"
    )
    assert im.describe(ct.INTERACTIVE_MESSAGE, json.dumps(CAROUSEL)).startswith("View our popular destinations")


# --------------------------------------------------------------------------------- hostile content

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)
TEMPLATE_KEYS = st.sampled_from(["templateType", "version", "data", "content", "title", "elements", "timeslots"])
TEMPLATE_LIKE = st.fixed_dictionaries(
    {
        "templateType": st.sampled_from([*im.TEMPLATE_TYPES, "Other", 1]),
        "version": st.sampled_from(["1.0", "2", None]),
        "data": st.dictionaries(TEMPLATE_KEYS, JSON_VALUES, max_size=3)
        | st.fixed_dictionaries({"content": st.dictionaries(TEMPLATE_KEYS, JSON_VALUES, max_size=4)}),
    }
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(JSON_VALUES, TEMPLATE_LIKE))
def test_any_json_either_parses_or_is_refused_with_a_named_field(value: Any) -> None:
    content = json.dumps(value)
    for parse in (im.parse_template, im.parse_response):
        refused: InvalidArgumentError | None
        try:
            model = parse(content)
        except InvalidArgumentError as error:  # the only error: it names a field or the content
            refused = error
        else:
            refused = None
            model.text()
            assert parse(model.to_json()).to_dict() == model.to_dict()
        if refused is not None:
            assert refused.argument
    assert isinstance(im.describe(ct.INTERACTIVE_MESSAGE, content), str)
    assert isinstance(im.describe(ct.INTERACTIVE_MESSAGE_RESPONSE, content), str)


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(min_size=1, max_size=600).filter(str.strip),
    options=st.lists(st.text(min_size=1, max_size=500).filter(str.strip), min_size=1, max_size=6, unique=True),
)
def test_any_valid_list_picker_round_trips_and_shows_within_limits(title: str, options: list[str]) -> None:
    picker = im.ListPicker(title=title, elements=im.Element.from_titles(*options))
    assert im.parse_template(picker.to_json()) == picker
    shown = picker.for_display()
    assert len(shown.title) <= im.TITLE_LIMIT + len(im.ELLIPSIS)
    assert all(len(e.title) <= im.TITLE_LIMIT + len(im.ELLIPSIS) for e in shown.elements)
    assert picker.select(len(options) - 1).selection_text == options[-1]


# ------------------------------------------------------------------------------------ the package


@pytest.mark.parametrize("module", [templates, responses, limits])
def test_the_docstring_examples_run(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


def _fresh_python(script: str) -> None:
    env = {"PYTHONPATH": str(ROOT / "layer" / "python"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr


def test_importing_the_library_does_not_import_this_package() -> None:
    _fresh_python(
        "import sys, connect_chat, connect_chat.stateless\n"
        "from connect_chat import ChatSession, items_from_sns_event\n"
        "loaded = [m for m in sys.modules if m.startswith('connect_chat.interactive')]\n"
        "assert not loaded, loaded\n"
    )


def test_this_package_imports_nothing_heavy() -> None:
    _fresh_python(
        "import sys, connect_chat.interactive\n"
        "heavy = ('boto3', 'botocore', 'pydantic', 'websockets', 'aws_lambda_powertools')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
