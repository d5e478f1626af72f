"""Typed models of the interactive message templates: ListPicker, TimePicker, Panel, QuickReply and Carousel.

The shapes, field names, required fields and item counts are those of the Amazon Connect administrator guide,
"Add Amazon Lex interactive messages for customers in chat". Constructing a model checks them and raises
:class:`~connect_chat.errors.InvalidArgumentError` naming the field by its path in the template
(``data.content.elements[6]``...) and the rule; string lengths are the client's to enforce (see
:mod:`connect_chat.interactive.limits` and each model's ``for_display()``). Members the models do not name are
kept (``extra``, ``data_extra``, ``content_extra``), so a template survives a parse and ``to_json()`` whole.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Self, TypeAlias

from ..errors import InvalidArgumentError
from ..protocol import content_types as ct
from . import _fields as f
from .limits import ITEM_COUNTS, MAX_CONTENT_BYTES, field_limit, truncate
from .responses import Selection

TEMPLATE_VERSION: Final = "1.0"
"""The only ``version`` the templates document."""

IMAGE_TYPES: Final = ("URL",)
"""Allowed ``imageType`` values."""

LEX_CONTENT_TYPE: Final = "CustomPayload"
"""The Amazon Lex V2 message ``contentType`` that carries an interactive template."""

_IMAGE_FIELDS: Final = ("imageType", "imageData", "imageDescription")


@contextmanager
def _located(path: str) -> Iterator[None]:
    """Re-raise an :class:`InvalidArgumentError` of a part with its field path under the part's ``path``."""
    try:
        yield
    except InvalidArgumentError as exc:
        argument = f"{path}.{exc.argument}" if exc.argument else path
        raise InvalidArgumentError(argument, exc.problem, exc.allowed) from None


def _shown(template_type: str, path: str, value: str | None) -> str | None:
    """``value`` truncated to what a client shows of ``path``."""
    limit = field_limit(template_type, path)
    if value is None or limit is None:
        return value
    return truncate(value, limit)


# ------------------------------------------------------------------------------------------------ parts


@dataclass(frozen=True, kw_only=True)
class _Image:
    """The optional image of a template, element or reply message."""

    image_type: str | None = None
    """``imageType``: ``"URL"``."""
    image_data: str | None = None
    """``imageData``: the image's URL."""
    image_description: str | None = None
    """``imageDescription``: the image's text alternative."""

    def _check_image(self, prefix: str) -> None:
        f.one_of(self.image_type, prefix + "imageType", IMAGE_TYPES)
        f.text(self.image_data, prefix + "imageData")
        f.text(self.image_description, prefix + "imageDescription")

    def _image_json(self) -> dict[str, Any]:
        return f.without_none(
            {"imageType": self.image_type, "imageData": self.image_data, "imageDescription": self.image_description}
        )

    @staticmethod
    def _image_kwargs(source: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "image_type": source.get("imageType"),
            "image_data": source.get("imageData"),
            "image_description": source.get("imageDescription"),
        }


@dataclass(frozen=True, kw_only=True)
class _TitledPart(_Image):
    """What a reply message and an element are made of: a required title, a subtitle, an image."""

    title: str
    subtitle: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        f.required_text(self.title, "title")
        f.text(self.subtitle, "subtitle")
        self._check_image("")

    @classmethod
    def from_dict(cls, source: Mapping[str, Any]) -> Self:
        """From its JSON object (``replyMessage`` or one of ``elements[]``)."""
        return cls(
            title=source.get("title"),  # type: ignore[arg-type]  # checked on construction
            subtitle=source.get("subtitle"),
            **cls._image_kwargs(source),
            extra=f.extra(source, ("title", "subtitle", *_IMAGE_FIELDS)),
        )

    def to_dict(self) -> dict[str, Any]:
        """Its JSON object (``replyMessage`` or one of ``elements[]``)."""
        return {**self.extra, "title": self.title, **f.without_none({"subtitle": self.subtitle}), **self._image_json()}


@dataclass(frozen=True, kw_only=True)
class ReplyMessage(_TitledPart):
    """``data.replyMessage``: what a client shows once the customer has answered (optional on every template).

    Parameters
    ----------
    title : str
        Required when ``replyMessage`` is present.
    subtitle, image_type, image_data, image_description : str, optional
    """


@dataclass(frozen=True, kw_only=True)
class Element(_TitledPart):
    """One option of a list picker, panel or quick reply (``data.content.elements[]``).

    Parameters
    ----------
    title : str
        The option (required); also what a selection of it sends back as ``selectionText``.
    subtitle, image_type, image_data, image_description : str, optional
        List picker options may have them; panel and quick reply options show only ``title``.
    """

    @classmethod
    def from_titles(cls, *titles: str) -> tuple[Element, ...]:
        """Options from their titles: ``Element.from_titles("Apple", "Orange")``."""
        return tuple(cls(title=title) for title in titles)


@dataclass(frozen=True, kw_only=True)
class TimeSlot:
    """One slot of a time picker (``data.content.timeslots[]``).

    Parameters
    ----------
    date : str
        Start, ISO 8601 with a UTC offset, as the guide writes it: ``"2020-10-31T17:00+00:00"``.
    duration : int
        Length in minutes (at least 1).
    """

    date: str
    duration: int
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        f.required_text(self.date, "date")
        try:
            start = dt.datetime.fromisoformat(self.date)
        except ValueError:
            start = None
        if start is None or start.tzinfo is None:
            raise InvalidArgumentError(
                "date",
                f"must be an ISO 8601 date and time with a UTC offset (e.g. 2020-10-31T17:00+00:00), got {self.date!r}",
            )
        f.integer(self.duration, "duration", required=True, low=1)

    @property
    def start(self) -> dt.datetime:
        """``date`` as an aware datetime."""
        return dt.datetime.fromisoformat(self.date)

    @classmethod
    def from_dict(cls, source: Mapping[str, Any]) -> TimeSlot:
        """From a ``timeslots[]`` JSON object."""
        return cls(
            date=source.get("date"),  # type: ignore[arg-type]  # checked on construction
            duration=source.get("duration"),  # type: ignore[arg-type]
            extra=f.extra(source, ("date", "duration")),
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``timeslots[]`` JSON object."""
        return {**self.extra, "date": self.date, "duration": self.duration}


@dataclass(frozen=True, kw_only=True)
class Location:
    """Where a time picker's appointments take place (``data.content.location``).

    Parameters
    ----------
    latitude, longitude : float
        Required; degrees (-90..90, -180..180).
    title : str
        Required; the place's name.
    radius : float, optional
    """

    latitude: float
    longitude: float
    title: str
    radius: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        f.number(self.latitude, "latitude", required=True, low=-90, high=90)
        f.number(self.longitude, "longitude", required=True, low=-180, high=180)
        f.required_text(self.title, "title")
        f.number(self.radius, "radius", low=0)

    @classmethod
    def from_dict(cls, source: Mapping[str, Any]) -> Location:
        """From the ``location`` JSON object."""
        return cls(
            latitude=source.get("latitude"),  # type: ignore[arg-type]  # checked on construction
            longitude=source.get("longitude"),  # type: ignore[arg-type]
            title=source.get("title"),  # type: ignore[arg-type]
            radius=source.get("radius"),
            extra=f.extra(source, ("latitude", "longitude", "title", "radius")),
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``location`` JSON object."""
        return {
            **self.extra,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "title": self.title,
            **f.without_none({"radius": self.radius}),
        }


def _parts(values: Any, path: str, cls: type[Any], owner: str) -> tuple[Any, ...]:
    """A list field of ``cls`` objects, counted against :data:`ITEM_COUNTS`; each checked at its index."""
    _, low, high = ITEM_COUNTS[owner]
    listed = f.items(values, path, low, high, owner)
    for index, value in enumerate(listed):
        if not isinstance(value, cls):
            raise InvalidArgumentError(f"{path}[{index}]", f"must be {cls.__name__}, got {type(value).__name__}")
    return tuple(listed)


def _read_parts(values: Any, path: str, read: Any) -> list[Any]:
    """Parse each object of a JSON array with ``read``; errors carry the item's index."""
    if not isinstance(values, list):
        return values  # type: ignore[no-any-return]  # the model refuses it with the right message
    parsed = []
    for index, value in enumerate(values):
        with _located(f"{path}[{index}]"):
            parsed.append(read(_object(value)))
    return parsed


def _object(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidArgumentError("", f"must be an object, got {f.kind(value)}")
    return value


# --------------------------------------------------------------------------------------------- templates


@dataclass(frozen=True, kw_only=True)
class _Template:
    """What every template has: ``templateType``, ``version``, ``data.replyMessage``, ``data.content.title``."""

    template_type: ClassVar[str]
    content_type: ClassVar[str] = ct.INTERACTIVE_MESSAGE
    _content_fields: ClassVar[tuple[str, ...]] = ("title",)

    title: str
    """``data.content.title`` (required)."""
    reply_message: ReplyMessage | None = None
    """``data.replyMessage``: shown by clients once the customer has answered."""
    version: str = TEMPLATE_VERSION
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """Top-level members the model does not name."""
    data_extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """Members of ``data`` the model does not name."""
    content_extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """Members of ``data.content`` the model does not name."""

    def __post_init__(self) -> None:
        f.one_of(self.version, "version", (TEMPLATE_VERSION,), required=True)
        if self.reply_message is not None and not isinstance(self.reply_message, ReplyMessage):
            raise InvalidArgumentError("data.replyMessage", "must be a ReplyMessage")
        f.required_text(self.title, "data.content.title")
        self._check_content()

    def _check_content(self) -> None:
        """Check the template's own ``data.content`` members (paths from the template's root)."""

    # --- JSON -----------------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, template: Mapping[str, Any]) -> Self:
        """Parse the template's JSON object (its ``templateType`` must be this class's)."""
        f.one_of(template.get("templateType"), "templateType", (cls.template_type,), required=True)
        data = f.required_obj(template.get("data"), "data")
        content = f.required_obj(data.get("content"), "data.content")
        reply = f.obj(data.get("replyMessage"), "data.replyMessage")
        reply_message = None
        if reply is not None:
            with _located("data.replyMessage"):
                reply_message = ReplyMessage.from_dict(reply)
        return cls(
            title=content.get("title"),  # type: ignore[arg-type]  # checked on construction
            reply_message=reply_message,
            version=template.get("version"),  # type: ignore[arg-type]
            extra=f.extra(template, ("templateType", "version", "data")),
            data_extra=f.extra(data, ("replyMessage", "content")),
            content_extra=f.extra(content, cls._content_fields),
            **cls._content_kwargs(content),
        )

    @classmethod
    def from_json(cls, content: str | bytes) -> Self:
        """Parse the template's JSON text."""
        return cls.from_dict(f.load_object(content, f"a {cls.template_type} template"))

    @classmethod
    def _content_kwargs(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        """Constructor arguments from ``data.content`` beyond ``title``."""
        return {}

    def _content_json(self) -> dict[str, Any]:
        """``data.content`` members beyond ``title``."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        """The template's JSON object."""
        data: dict[str, Any] = dict(self.data_extra)
        if self.reply_message is not None:
            data["replyMessage"] = self.reply_message.to_dict()
        data["content"] = {**self.content_extra, "title": self.title, **self._content_json()}
        return {**self.extra, "templateType": self.template_type, "version": self.version, "data": data}

    def to_json(self) -> str:
        """The message content (compact JSON) to send with content type :attr:`content_type`.

        Raises
        ------
        InvalidArgumentError
            The JSON is :data:`~connect_chat.interactive.limits.MAX_CONTENT_BYTES` bytes or more.
        """
        content = f.dumps(self.to_dict())
        size = len(content.encode("utf-8"))
        if size >= MAX_CONTENT_BYTES:
            raise InvalidArgumentError(
                "content", f"is {size} bytes in UTF-8; an interactive message must be under {MAX_CONTENT_BYTES}"
            )
        return content

    def to_lex_message(self) -> dict[str, str]:
        """The template as an Amazon Lex V2 message, for a Lex code hook's ``messages`` list.

        Amazon Connect sends a ``CustomPayload`` message holding a template to the customer as an interactive
        message.
        """
        return {"contentType": LEX_CONTENT_TYPE, "content": self.to_json()}

    # --- reading ----------------------------------------------------------------------------------------

    def options(self) -> tuple[str, ...]:
        """What the customer can choose, as :meth:`select` and :class:`Selection` name it."""
        return ()

    def text(self) -> str:
        """The template as readable plain text (for a transcript, a log or a client without renderer)."""
        lines = [self.title, *self._subtitle_lines()]
        lines += [f"- {option}" for option in self.options()]
        return "\n".join(lines)

    def _subtitle_lines(self) -> list[str]:
        subtitle = getattr(self, "subtitle", None)
        return [subtitle] if subtitle else []

    def select(self, choice: str | int) -> Selection:
        """The customer's answer choosing ``choice`` (an option's text or its index in :meth:`options`).

        Raises
        ------
        InvalidArgumentError
            ``choice`` is not one of the options.
        """
        return Selection(selection_text=self._chosen(choice, self.options()), list_title=self.title)

    def _chosen(self, choice: str | int, options: tuple[str, ...]) -> str:
        """The entry of ``options`` that ``choice`` names (by its text or its index)."""
        if isinstance(choice, int) and not isinstance(choice, bool):
            if not 0 <= choice < len(options):
                raise InvalidArgumentError(
                    "choice", f"index {choice} is out of range: there are {len(options)} options"
                )
            return options[choice]
        if choice not in options:
            raise InvalidArgumentError("choice", f"{choice!r} is not an option of this {self.template_type}", options)
        return choice

    def for_display(self) -> Self:
        """A copy with every string field cut to what a client shows (ellipsis appended), per the guide."""
        return dataclasses.replace(self, title=_shown(self.template_type, "data.content.title", self.title) or "")


@dataclass(frozen=True, kw_only=True)
class _Picker(_Template, _Image):
    """List picker and panel: a titled list of options with an optional image."""

    _content_fields: ClassVar[tuple[str, ...]] = ("title", "subtitle", "elements", *_IMAGE_FIELDS)

    elements: Sequence[Element]
    """``data.content.elements``."""
    subtitle: str | None = None
    """``data.content.subtitle``."""

    def _check_content(self) -> None:
        f.text(self.subtitle, "data.content.subtitle")
        self._check_image("data.content.")
        elements = _parts(self.elements, "data.content.elements", Element, self.template_type)
        object.__setattr__(self, "elements", elements)

    @classmethod
    def _content_kwargs(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "subtitle": content.get("subtitle"),
            "elements": _read_parts(content.get("elements"), "data.content.elements", Element.from_dict),
            **cls._image_kwargs(content),
        }

    def _content_json(self) -> dict[str, Any]:
        return {
            **f.without_none({"subtitle": self.subtitle}),
            **self._image_json(),
            "elements": [element.to_dict() for element in self.elements],
        }

    def options(self) -> tuple[str, ...]:
        return tuple(element.title for element in self.elements)

    def text(self) -> str:
        lines = [self.title, *self._subtitle_lines()]
        lines += [f"- {e.title} ({e.subtitle})" if e.subtitle else f"- {e.title}" for e in self.elements]
        return "\n".join(lines)

    def for_display(self) -> Self:
        kind = self.template_type
        return dataclasses.replace(
            super().for_display(),
            subtitle=_shown(kind, "data.content.subtitle", self.subtitle),
            elements=tuple(
                dataclasses.replace(
                    element,
                    title=_shown(kind, "data.content.elements[].title", element.title) or "",
                    subtitle=_shown(kind, "data.content.elements[].subtitle", element.subtitle),
                )
                for element in self.elements
            ),
        )


@dataclass(frozen=True, kw_only=True)
class ListPicker(_Picker):
    """A list of up to six options, each of which may have its own image.

    Parameters
    ----------
    title : str
        ``data.content.title`` (required).
    elements : Sequence[Element]
        ``data.content.elements``: 1 to 6 options.
    subtitle, image_type, image_data, image_description : str, optional
        ``data.content.subtitle``, ``imageType`` (``"URL"``), ``imageData``, ``imageDescription``.
    reply_message : ReplyMessage, optional
        ``data.replyMessage``.

    Examples
    --------
    >>> menu = ListPicker(title="What would you like?", elements=Element.from_titles("Apple", "Orange"))
    >>> menu.to_dict()["data"]["content"]["elements"]
    [{'title': 'Apple'}, {'title': 'Orange'}]
    >>> menu.select("Orange").to_json()
    '{"listTitle":"What would you like?","selectionText":"Orange"}'
    """

    template_type: ClassVar[str] = "ListPicker"


@dataclass(frozen=True, kw_only=True)
class Panel(_Picker):
    """Up to ten options under one question, with one image for the whole panel.

    Parameters are those of :class:`ListPicker`; ``elements`` holds 1 to 10 options (titles only are shown).
    """

    template_type: ClassVar[str] = "Panel"


@dataclass(frozen=True, kw_only=True)
class TimePicker(_Template):
    """Appointment slots to choose from (up to 40).

    Parameters
    ----------
    title : str
        ``data.content.title`` (required).
    timeslots : Sequence[TimeSlot]
        ``data.content.timeslots``: 1 to 40 slots.
    subtitle : str, optional
    time_zone_offset : int, optional
        ``data.content.timeZoneOffset``: minutes to add to the slots' times for display.
    location : Location, optional
        ``data.content.location``.
    reply_message : ReplyMessage, optional
    """

    template_type: ClassVar[str] = "TimePicker"
    _content_fields: ClassVar[tuple[str, ...]] = ("title", "subtitle", "timeZoneOffset", "location", "timeslots")

    timeslots: Sequence[TimeSlot]
    subtitle: str | None = None
    time_zone_offset: int | None = None
    location: Location | None = None

    def _check_content(self) -> None:
        f.text(self.subtitle, "data.content.subtitle")
        f.integer(self.time_zone_offset, "data.content.timeZoneOffset")
        if self.location is not None and not isinstance(self.location, Location):
            raise InvalidArgumentError("data.content.location", "must be a Location")
        timeslots = _parts(self.timeslots, "data.content.timeslots", TimeSlot, self.template_type)
        object.__setattr__(self, "timeslots", timeslots)

    @classmethod
    def _content_kwargs(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        location = f.obj(content.get("location"), "data.content.location")
        parsed_location = None
        if location is not None:
            with _located("data.content.location"):
                parsed_location = Location.from_dict(location)
        return {
            "subtitle": content.get("subtitle"),
            "time_zone_offset": content.get("timeZoneOffset"),
            "location": parsed_location,
            "timeslots": _read_parts(content.get("timeslots"), "data.content.timeslots", TimeSlot.from_dict),
        }

    def _content_json(self) -> dict[str, Any]:
        return {
            **f.without_none({"subtitle": self.subtitle, "timeZoneOffset": self.time_zone_offset}),
            **({"location": self.location.to_dict()} if self.location is not None else {}),
            "timeslots": [slot.to_dict() for slot in self.timeslots],
        }

    def options(self) -> tuple[str, ...]:
        """The slots' ``date`` values: a time picker's answer sends the chosen one back."""
        return tuple(slot.date for slot in self.timeslots)

    def text(self) -> str:
        lines = [self.title, *self._subtitle_lines()]
        if self.location is not None:
            lines.append(f"at {self.location.title}")
        lines += [f"- {slot.date} ({slot.duration} min)" for slot in self.timeslots]
        return "\n".join(lines)

    def select(self, choice: str | int) -> Selection:
        """Choose a slot by its ``date`` (any ISO 8601 spelling of the same instant) or its index."""
        if isinstance(choice, str) and choice not in self.options():
            try:
                wanted = dt.datetime.fromisoformat(choice)
            except ValueError:
                wanted = None
            match = next((slot.date for slot in self.timeslots if wanted is not None and slot.start == wanted), None)
            if match is not None:
                choice = match
        return super().select(choice)

    def for_display(self) -> Self:
        return dataclasses.replace(
            super().for_display(), subtitle=_shown(self.template_type, "data.content.subtitle", self.subtitle)
        )


@dataclass(frozen=True, kw_only=True)
class QuickReply(_Template):
    """Two to five short answers shown inline.

    Parameters
    ----------
    title : str
        ``data.content.title`` (required).
    elements : Sequence[Element]
        ``data.content.elements``: 2 to 5 options (titles only).
    reply_message : ReplyMessage, optional
    """

    template_type: ClassVar[str] = "QuickReply"
    _content_fields: ClassVar[tuple[str, ...]] = ("title", "elements")

    elements: Sequence[Element]

    def _check_content(self) -> None:
        elements = _parts(self.elements, "data.content.elements", Element, self.template_type)
        object.__setattr__(self, "elements", elements)

    @classmethod
    def _content_kwargs(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        return {"elements": _read_parts(content.get("elements"), "data.content.elements", Element.from_dict)}

    def _content_json(self) -> dict[str, Any]:
        return {"elements": [element.to_dict() for element in self.elements]}

    def options(self) -> tuple[str, ...]:
        return tuple(element.title for element in self.elements)

    def for_display(self) -> Self:
        return dataclasses.replace(
            super().for_display(),
            elements=tuple(
                dataclasses.replace(
                    element, title=_shown(self.template_type, "data.content.elements[].title", element.title) or ""
                )
                for element in self.elements
            ),
        )


@dataclass(frozen=True, kw_only=True)
class CarouselItem:
    """One card of a carousel: a list picker or a panel with its ``templateIdentifier``.

    Parameters
    ----------
    template_identifier : str
        ``templateIdentifier`` (required): names the card in the customer's :class:`Selection`.
    template : ListPicker | Panel
        The card.
    """

    template_identifier: str
    template: ListPicker | Panel

    def __post_init__(self) -> None:
        f.required_text(self.template_identifier, "templateIdentifier")
        if not isinstance(self.template, ListPicker | Panel):
            raise InvalidArgumentError("templateType", f"got {type(self.template).__name__}", ("ListPicker", "Panel"))

    @classmethod
    def from_dict(cls, source: Mapping[str, Any]) -> CarouselItem:
        """From a carousel's ``elements[]`` JSON object."""
        card_type = f.one_of(source.get("templateType"), "templateType", ("ListPicker", "Panel"), required=True)
        card_class: type[ListPicker | Panel] = ListPicker if card_type == "ListPicker" else Panel
        template = card_class.from_dict({k: v for k, v in source.items() if k != "templateIdentifier"})
        return cls(template_identifier=source.get("templateIdentifier"), template=template)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """The ``elements[]`` JSON object."""
        return {"templateIdentifier": self.template_identifier, **self.template.to_dict()}


@dataclass(frozen=True, kw_only=True)
class Carousel(_Template):
    """Two to five list pickers or panels side by side.

    Parameters
    ----------
    title : str
        ``data.content.title`` (required).
    elements : Sequence[CarouselItem]
        ``data.content.elements``: 2 to 5 cards.
    reply_message : ReplyMessage, optional
    """

    template_type: ClassVar[str] = "Carousel"
    _content_fields: ClassVar[tuple[str, ...]] = ("title", "elements")

    elements: Sequence[CarouselItem]

    def _check_content(self) -> None:
        elements = _parts(self.elements, "data.content.elements", CarouselItem, self.template_type)
        object.__setattr__(self, "elements", elements)

    @classmethod
    def _content_kwargs(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        return {"elements": _read_parts(content.get("elements"), "data.content.elements", CarouselItem.from_dict)}

    def _content_json(self) -> dict[str, Any]:
        return {"elements": [item.to_dict() for item in self.elements]}

    def options(self) -> tuple[str, ...]:
        """Every card's options, as a carousel selection reads: ``"California - Book flights"``."""
        return tuple(selection.text() for selection in self._selections())

    def text(self) -> str:
        lines = [self.title]
        for item in self.elements:
            lines.append(f"{item.template.title}:")
            lines += [f"- {option}" for option in item.template.options()]
        return "\n".join(lines)

    def card(self, template_identifier: str) -> CarouselItem:
        """The card named ``template_identifier``."""
        for item in self.elements:
            if item.template_identifier == template_identifier:
                return item
        raise InvalidArgumentError(
            "templateIdentifier",
            f"{template_identifier!r} is not a card of this Carousel",
            [item.template_identifier for item in self.elements],
        )

    def select(self, choice: str | int, template_identifier: str | None = None) -> Selection:
        """Choose ``choice`` on the card ``template_identifier`` (or an entry of :meth:`options`)."""
        if template_identifier is not None:
            item = self.card(template_identifier)
            return self._select(item, item.template.select(choice).selection_text)
        selections = self._selections()
        options = tuple(selection.text() for selection in selections)
        return selections[options.index(self._chosen(choice, options))]

    def _selections(self) -> list[Selection]:
        """The selection of each option of each card, in the order of :meth:`options`."""
        return [self._select(item, option) for item in self.elements for option in item.template.options()]

    @staticmethod
    def _select(item: CarouselItem, option: str) -> Selection:
        return Selection(
            selection_text=option, list_title=item.template.title, template_identifier=item.template_identifier
        )

    def for_display(self) -> Self:
        return dataclasses.replace(
            super().for_display(),
            elements=tuple(dataclasses.replace(item, template=item.template.for_display()) for item in self.elements),
        )


@dataclass(frozen=True)
class UnknownTemplate:
    """An interactive message whose ``templateType`` this library does not model; readable through :meth:`text`.

    Parameters
    ----------
    template : Mapping[str, Any]
        The message's JSON object, kept whole.
    """

    template: Mapping[str, Any] = field(hash=False)

    content_type: ClassVar[str] = ct.INTERACTIVE_MESSAGE

    @property
    def template_type(self) -> str:
        """``templateType`` as it came."""
        return str(self.template.get("templateType"))

    @property
    def title(self) -> str | None:
        """``data.content.title`` when there is one."""
        content = self._content()
        title = content.get("title")
        return title if isinstance(title, str) and title.strip() else None

    def _content(self) -> Mapping[str, Any]:
        data = self.template.get("data")
        content = data.get("content") if isinstance(data, Mapping) else None
        return content if isinstance(content, Mapping) else {}

    def options(self) -> tuple[str, ...]:
        """The ``title`` of each ``data.content.elements[]`` object that has one."""
        elements = self._content().get("elements")
        if not isinstance(elements, list):
            return ()
        return tuple(
            element["title"]
            for element in elements
            if isinstance(element, Mapping) and isinstance(element.get("title"), str) and element["title"].strip()
        )

    def text(self) -> str:
        """The title and options when the message has them, else a line naming its type."""
        lines = [self.title] if self.title else []
        lines += [f"- {option}" for option in self.options()]
        return "\n".join(lines) if lines else f"({self.template_type} message)"

    def to_dict(self) -> dict[str, Any]:
        """The message's JSON object, as it came."""
        return dict(self.template)

    def to_json(self) -> str:
        """The message content, re-serialised."""
        return f.dumps(self.template)

    def for_display(self) -> UnknownTemplate:
        """Itself: its fields' limits are unknown."""
        return self


InteractiveTemplate: TypeAlias = ListPicker | Panel | TimePicker | QuickReply | Carousel | UnknownTemplate
"""What :func:`parse_template` returns."""

TEMPLATE_TYPES: Final[Mapping[str, type[ListPicker | Panel | TimePicker | QuickReply | Carousel]]] = {
    "ListPicker": ListPicker,
    "TimePicker": TimePicker,
    "Panel": Panel,
    "QuickReply": QuickReply,
    "Carousel": Carousel,
}
"""``templateType`` -> model."""


def parse_template(content: str | bytes | Mapping[str, Any]) -> InteractiveTemplate:
    """Parse the content of an interactive message (``application/vnd.amazonaws.connect.message.interactive``).

    Parameters
    ----------
    content : str | bytes | Mapping[str, Any]
        The message's ``Content`` (JSON text) or its decoded object.

    Returns
    -------
    ListPicker | Panel | TimePicker | QuickReply | Carousel | UnknownTemplate
        The model of its ``templateType``; an :class:`UnknownTemplate` (readable, never failing) for a type
        this library does not model.

    Raises
    ------
    InvalidArgumentError
        The content is not a JSON object, has no ``templateType``, or breaks its template's rules; the error
        names the field, e.g. ``data.content.elements: has 7 items; ListPicker allows 1 to 6``.
    """
    template = f.load_object(content, "an interactive message")
    template_type = f.required_text(template.get("templateType"), "templateType")
    model = TEMPLATE_TYPES.get(template_type)
    if model is None:
        return UnknownTemplate(template)
    return model.from_dict(template)
