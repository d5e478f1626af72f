"""What the handlers read from API Gateway WebSocket events: a few fields, read directly.

Powertools' event data classes would do the same, but importing their package costs about 30 ms of CPU at cold
start (it loads every event type), more than the whole budget these functions have beyond boto3.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WebSocketEvent:
    """One ``$connect``, message or ``$disconnect`` event of an API Gateway WebSocket API.

    Attributes
    ----------
    connection_id, route_key, request_id
        From ``requestContext``.
    domain_name, stage
        Where the API's management endpoint is (``https://{domain_name}/{stage}``).
    source_ip
        ``requestContext.identity.sourceIp``.
    headers
        ``$connect`` headers, names lower-cased.
    body
        A message's body as text (base64 bodies decoded).
    """

    connection_id: str
    route_key: str
    request_id: str
    domain_name: str
    stage: str
    source_ip: str | None
    headers: Mapping[str, str]
    body: str | None

    @classmethod
    def parse(cls, event: Mapping[str, Any]) -> WebSocketEvent:
        context = event["requestContext"]
        body = event.get("body")
        if isinstance(body, str) and event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8", errors="replace")
        headers = event.get("headers") or {}
        return cls(
            connection_id=str(context["connectionId"]),
            route_key=str(context.get("routeKey", "")),
            request_id=str(context.get("requestId", "")),
            domain_name=str(context.get("domainName", "")),
            stage=str(context.get("stage", "")),
            source_ip=(context.get("identity") or {}).get("sourceIp"),
            headers={str(name).lower(): str(value) for name, value in headers.items()},
            body=body if isinstance(body, str) else None,
        )

    @property
    def origin(self) -> str | None:
        """The ``Origin`` header (browsers always send one)."""
        return self.headers.get("origin")

    @property
    def request_context(self) -> dict[str, str]:
        """The fields :func:`common.gateway.management_endpoint` reads."""
        return {"domainName": self.domain_name, "stage": self.stage}
