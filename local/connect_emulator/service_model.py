"""REST-JSON wire format driven by botocore's service models.

The emulator never re-types a shape: requests are routed by each operation's ``requestUri``, parsed by
the members' ``location`` (uri, querystring, header, body) and validated against the input shape
(required members, types, lengths, ranges, enums, patterns). Responses are serialised from the output
shape, so a member's location and timestamp format come from the model too.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import regex
from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from .errors import ServiceError

_LOADER = Loader()


def load_service_model(service_name: str) -> ServiceModel:
    """Load ``service_name``'s botocore model (the same files boto3 uses)."""
    return ServiceModel(_LOADER.load_service_model(service_name, "service-2"), service_name=service_name)


@dataclass(frozen=True)
class Route:
    """One operation's HTTP method and path template, compiled to a regular expression."""

    method: str
    pattern: re.Pattern[str]
    operation: OperationModel


def _compile_request_uri(request_uri: str) -> re.Pattern[str]:
    path = request_uri.split("?", 1)[0]
    parts: list[str] = []
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            parts.append(f"(?P<{name}>{'.+' if greedy else '[^/]+'})")
        else:
            parts.append(re.escape(piece))
    return re.compile("^" + "".join(parts) + "/?$")


class ServiceApi:
    """The operations of one AWS service that the emulator answers, routed by method and path."""

    def __init__(self, service_name: str, operation_names: Iterable[str] | None = None) -> None:
        self.model = load_service_model(service_name)
        names = list(operation_names) if operation_names is not None else list(self.model.operation_names)
        self.routes = [self._route(name) for name in names]

    def _route(self, name: str) -> Route:
        operation = self.model.operation_model(name)
        return Route(
            method=operation.http["method"],
            pattern=_compile_request_uri(operation.http["requestUri"]),
            operation=operation,
        )

    def match(self, method: str, path: str) -> tuple[OperationModel, dict[str, str]] | None:
        """Return the operation answering ``method path`` and its URI parameters, or ``None``."""
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(path)
            if found:
                return route.operation, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def path_known(self, path: str) -> bool:
        """True when some operation serves ``path`` with another method."""
        return any(route.pattern.match(path) for route in self.routes)


# --------------------------------------------------------------------------------------------- parsing


def parse_request(
    operation: OperationModel,
    uri_params: Mapping[str, str],
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    """Turn an HTTP request into the operation's parameters, as boto3's serializer laid them out.

    Raises
    ------
    ServiceError
        ``SerializationException`` for a body that is not a JSON object.
    """
    shape = operation.input_shape
    params: dict[str, Any] = {}
    if shape is None:
        return params
    payload: dict[str, Any] = {}
    if body.strip():
        try:
            decoded = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise ServiceError("SerializationException", 400, f"Request body is not valid JSON: {exc}") from exc
        if not isinstance(decoded, dict):
            raise ServiceError("SerializationException", 400, "Request body must be a JSON object")
        payload = decoded
    lowered_headers = {k.lower(): v for k, v in headers.items()}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            if wire_name in uri_params:
                params[name] = _coerce_text(uri_params[wire_name], member)
        elif location == "querystring":
            if wire_name in query:
                params[name] = _coerce_text(query[wire_name], member)
        elif location == "header":
            value = lowered_headers.get(wire_name.lower())
            if value is not None:
                params[name] = _coerce_text(value, member)
        elif name in payload:
            params[name] = payload[name]
    return params


def _coerce_text(text: str, shape: Shape) -> Any:
    if shape.type_name in {"integer", "long"}:
        try:
            return int(text)
        except ValueError:
            return text
    if shape.type_name == "boolean":
        return text.lower() == "true"
    return text


# ------------------------------------------------------------------------------------------ validation

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "float": (int, float),
    "double": (int, float),
    "list": (list,),
    "map": (dict,),
    "structure": (dict,),
    "blob": (str, bytes),
    "timestamp": (str, int, float, dt.datetime),
}
_pattern_cache: dict[str, Any] = {}


def _compiled_pattern(pattern: str) -> Any:
    if pattern not in _pattern_cache:
        _pattern_cache[pattern] = regex.compile(pattern)
    return _pattern_cache[pattern]


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def validate(shape: Shape, value: Any, path: str = "") -> list[str]:
    """Check ``value`` against ``shape`` the way the service does; return one message per violation.

    Messages follow the service's wording: ``Value 'x' at 'contentType' failed to satisfy constraint:
    Member must have length less than or equal to 100``.
    """
    problems: list[str] = []
    _validate(shape, value, path, problems)
    return problems


def _violation(problems: list[str], value: Any, path: str, constraint: str) -> None:
    problems.append(f"Value '{_describe(value)}' at '{path}' failed to satisfy constraint: {constraint}")


def _validate(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not _has_type(shape.type_name, value):
        _violation(problems, value, path, f"Member must be of type {shape.type_name}")
        return
    meta = shape.metadata
    if shape.type_name == "structure":
        assert isinstance(shape, StructureShape)
        for required in shape.required_members:
            if value.get(required) is None:
                problems.append(
                    f"Value null at '{_join(path, required)}' failed to satisfy constraint: Member must not be null"
                )
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _validate(member, value[name], _join(path, name), problems)
        return
    if shape.type_name in {"string", "list", "map"}:
        size = len(value)
        if "min" in meta and size < meta["min"]:
            _violation(problems, value, path, f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and size > meta["max"]:
            _violation(problems, value, path, f"Member must have length less than or equal to {meta['max']}")
    if shape.type_name in {"integer", "long", "float", "double"}:
        if "min" in meta and value < meta["min"]:
            _violation(problems, value, path, f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            _violation(problems, value, path, f"Member must have value less than or equal to {meta['max']}")
    if shape.type_name == "string":
        if "enum" in meta and value not in meta["enum"]:
            _violation(problems, value, path, f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]")
        pattern = meta.get("pattern")
        if pattern and not _compiled_pattern(pattern).search(value):
            _violation(problems, value, path, f"Member must satisfy regular expression pattern: {pattern}")
    elif shape.type_name == "list":
        for index, item in enumerate(value):
            _validate(shape.member, item, f"{path}.{index + 1}.member", problems)  # type: ignore[attr-defined]
    elif shape.type_name == "map":
        for key, item in value.items():
            _validate(shape.key, key, f"{path}.key", problems)  # type: ignore[attr-defined]
            _validate(shape.value, item, f"{path}.{key}.value", problems)  # type: ignore[attr-defined]


def _has_type(type_name: str, value: Any) -> bool:
    if type_name in {"integer", "long"} and isinstance(value, bool):
        return False
    return isinstance(value, _PYTHON_TYPES.get(type_name, (object,)))


def _join(path: str, name: str) -> str:
    return f"{path}.{_lower_first(name)}" if path else _lower_first(name)


def validation_error(problems: list[str]) -> ServiceError:
    """The ``ValidationException`` the service answers for ``problems``."""
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return ServiceError("ValidationException", 400, f"{count} validation {noun} detected: " + "; ".join(problems))


def validate_input(operation: OperationModel, params: Mapping[str, Any]) -> None:
    """Raise the service's ``ValidationException`` when ``params`` break the operation's input shape."""
    if operation.input_shape is None:
        return
    problems = validate(operation.input_shape, dict(params))
    if problems:
        raise validation_error(problems)


# ------------------------------------------------------------------------------------- serialisation


@dataclass(frozen=True)
class WireResponse:
    """An HTTP response ready to be written."""

    status: int
    headers: dict[str, str]
    body: bytes


def serialize_output(operation: OperationModel, output: Mapping[str, Any], status: int = 200) -> WireResponse:
    """Lay ``output`` out as the operation's output shape says (headers and JSON body)."""
    shape = operation.output_shape
    headers: dict[str, str] = {"Content-Type": "application/json"}
    body: dict[str, Any] = {}
    if shape is not None:
        for name, member in shape.members.items():
            if output.get(name) is None:
                continue
            location = member.serialization.get("location")
            if location == "header":
                headers[member.serialization.get("name", name)] = str(output[name])
            elif location == "statusCode":
                status = int(output[name])
            else:
                body[member.serialization.get("name", name)] = _to_wire(member, output[name])
    return WireResponse(status, headers, json.dumps(body, separators=(",", ":")).encode())


def _to_wire(shape: Shape, value: Any) -> Any:
    if shape.type_name == "structure":
        assert isinstance(shape, StructureShape)
        return {
            shape.members[k].serialization.get("name", k): _to_wire(shape.members[k], v)
            for k, v in value.items()
            if v is not None and k in shape.members
        }
    if shape.type_name == "list":
        return [_to_wire(shape.member, v) for v in value]  # type: ignore[attr-defined]
    if shape.type_name == "map":
        return {k: _to_wire(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if shape.type_name == "timestamp" and isinstance(value, dt.datetime):
        fmt = shape.serialization.get("timestampFormat", "unixTimestamp")
        if fmt == "iso8601":
            return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        return round(value.timestamp(), 3)
    if shape.type_name == "blob" and isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def serialize_error(error: ServiceError, request_id: str) -> WireResponse:
    """The service's error shape: status, ``x-amzn-ErrorType`` and a JSON body with the message."""
    headers = {
        "Content-Type": "application/json",
        "x-amzn-ErrorType": f"{error.code}:http://internal.amazon.com/coral/com.amazonaws.connect/",
        "x-amzn-RequestId": request_id,
    }
    body = {"message": error.message, "Message": error.message, **error.extra}
    return WireResponse(error.status, headers, json.dumps(body).encode())
