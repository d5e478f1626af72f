"""The customer's answer to an interactive message: ``application/vnd.amazonaws.connect.message.interactive.response``.

Two shapes are in use, both from Amazon's own chat interface (amazon-connect-chat-interface):

* a **selection**, ``{"templateIdentifier"?, "listTitle", "selectionText"}``: the option the customer chose and
  the title of the list it was in (``templateIdentifier`` names the carousel item it came from);
* an **action request**, ``{"version": "1.0", "data": {"actionName", "templateType", "listId", "referenceId",
  "preIndex", "nextIndex"}, "action"}``: a list picker's or panel's "show more" / "previous options" button.

Anything else parses into :class:`UnknownResponse`, which keeps the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, TypeAlias

from ..protocol import content_types as ct
from . import _fields as f

ACTIONS: Final = ("SHOW_MORE", "PREVIOUS_OPTIONS")
"""The ``action`` values of an action request."""

_SELECTION_FIELDS: Final = ("templateIdentifier", "listTitle", "selectionText")
_ACTION_DATA_FIELDS: Final = ("actionName", "templateType", "listId", "referenceId", "preIndex", "nextIndex")


@dataclass(frozen=True, kw_only=True)
class Selection:
    """The option a customer chose.

    Parameters
    ----------
    selection_text : str
        ``selectionText``: the chosen option (an element's title, a time slot's ``date``).
    list_title : str
        ``listTitle``: the title of the template (or carousel item) the option was in.
    template_identifier : str, optional
        ``templateIdentifier``: the carousel item the option was in; ``None`` outside carousels.
    extra : Mapping[str, Any], optional
        Members this model does not name, kept as they came.

    Examples
    --------
    >>> Selection(selection_text="Apple", list_title="What would you like?").to_json()
    '{"listTitle":"What would you like?","selectionText":"Apple"}'
    """

    content_type: ClassVar[str] = ct.INTERACTIVE_MESSAGE_RESPONSE

    selection_text: str
    list_title: str
    template_identifier: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        f.required_text(self.selection_text, "selectionText")
        f.required_text(self.list_title, "listTitle")
        f.text(self.template_identifier, "templateIdentifier")

    @classmethod
    def from_dict(cls, response: Mapping[str, Any]) -> Selection:
        """A selection from its JSON object; :class:`~connect_chat.errors.InvalidArgumentError` when malformed."""
        return cls(
            selection_text=response.get("selectionText"),  # type: ignore[arg-type]  # checked on construction
            list_title=response.get("listTitle"),  # type: ignore[arg-type]
            template_identifier=response.get("templateIdentifier"),
            extra=f.extra(response, _SELECTION_FIELDS),
        )

    def to_dict(self) -> dict[str, Any]:
        """The response's JSON object."""
        return {
            **self.extra,
            **f.without_none({"templateIdentifier": self.template_identifier}),
            "listTitle": self.list_title,
            "selectionText": self.selection_text,
        }

    def to_json(self) -> str:
        """The message content to send with content type :attr:`content_type`."""
        return f.dumps(self.to_dict())

    def text(self) -> str:
        """The choice as a transcript shows it: ``"California - Book flights"`` in a carousel, else the option."""
        if self.template_identifier is not None and self.list_title:
            separator = " " if self.list_title.endswith(":") else " - "
            return f"{self.list_title}{separator}{self.selection_text}"
        return self.selection_text


@dataclass(frozen=True, kw_only=True)
class ActionRequest:
    """A "show more" or "previous options" button of a list picker or panel (paged options).

    Parameters
    ----------
    action : str
        ``SHOW_MORE`` or ``PREVIOUS_OPTIONS`` (``action`` and ``data.actionName``).
    template_type, list_id, reference_id : str, optional
        ``data.templateType``, ``data.listId``, ``data.referenceId``: copied from the template's content.
    pre_index, next_index : int, optional
        ``data.preIndex``, ``data.nextIndex``: where the previous and the next page start.
    """

    content_type: ClassVar[str] = ct.INTERACTIVE_MESSAGE_RESPONSE

    action: str
    template_type: str | None = None
    list_id: str | None = None
    reference_id: str | None = None
    pre_index: int | None = None
    next_index: int | None = None
    version: str = "1.0"
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    data_extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        f.one_of(self.action, "action", ACTIONS, required=True)
        f.text(self.template_type, "data.templateType")
        f.text(self.list_id, "data.listId")
        f.text(self.reference_id, "data.referenceId")
        f.integer(self.pre_index, "data.preIndex")
        f.integer(self.next_index, "data.nextIndex")
        f.required_text(self.version, "version")

    @classmethod
    def from_dict(cls, response: Mapping[str, Any]) -> ActionRequest:
        """An action request from its JSON object."""
        data = f.obj(response.get("data"), "data") or {}
        return cls(
            action=response.get("action"),  # type: ignore[arg-type]  # checked on construction
            template_type=data.get("templateType"),
            list_id=data.get("listId"),
            reference_id=data.get("referenceId"),
            pre_index=data.get("preIndex"),
            next_index=data.get("nextIndex"),
            version=response.get("version", "1.0"),
            extra=f.extra(response, ("version", "data", "action")),
            data_extra=f.extra(data, _ACTION_DATA_FIELDS),
        )

    def to_dict(self) -> dict[str, Any]:
        """The response's JSON object."""
        data = {
            **self.data_extra,
            "actionName": self.action,
            **f.without_none(
                {
                    "preIndex": self.pre_index,
                    "nextIndex": self.next_index,
                    "listId": self.list_id,
                    "templateType": self.template_type,
                    "referenceId": self.reference_id,
                }
            ),
        }
        return {**self.extra, "version": self.version, "data": data, "action": self.action}

    def to_json(self) -> str:
        """The message content to send with content type :attr:`content_type`."""
        return f.dumps(self.to_dict())

    def text(self) -> str:
        """``"Show more"`` or ``"Previous options"``."""
        return self.action.replace("_", " ").capitalize()


@dataclass(frozen=True)
class UnknownResponse:
    """An interactive response of a shape this library does not model; ``data`` is its JSON object."""

    data: Mapping[str, Any] = field(hash=False)

    content_type: ClassVar[str] = ct.INTERACTIVE_MESSAGE_RESPONSE

    def to_dict(self) -> dict[str, Any]:
        """The response's JSON object, as it came."""
        return dict(self.data)

    def to_json(self) -> str:
        """The message content, re-serialised."""
        return f.dumps(self.data)

    def text(self) -> str:
        """A readable line: the first string member that looks like a choice, else a generic description."""
        for key in ("selectionText", "text", "title", "value"):
            value = self.data.get(key)
            if isinstance(value, str) and value.strip():
                return value
        return "(an answer to an interactive message)"


InteractiveResponse: TypeAlias = Selection | ActionRequest | UnknownResponse
"""What :func:`parse_response` returns."""


def parse_response(content: str | bytes | Mapping[str, Any]) -> InteractiveResponse:
    """Parse the content of an ``interactive.response`` message.

    Parameters
    ----------
    content : str | bytes | Mapping[str, Any]
        The message's ``Content`` (JSON text) or its decoded object.

    Returns
    -------
    Selection | ActionRequest | UnknownResponse
        A :class:`Selection` when it has ``selectionText``, an :class:`ActionRequest` when it has ``action``,
        else an :class:`UnknownResponse` keeping the JSON.

    Raises
    ------
    InvalidArgumentError
        The content is not a JSON object, or a selection or action request breaks its rules (the error names
        the field, e.g. ``selectionText: must be a string, got a number``).
    """
    response = f.load_object(content, "an interactive response")
    if "selectionText" in response:
        return Selection.from_dict(response)
    if "action" in response:
        return ActionRequest.from_dict(response)
    return UnknownResponse(response)
