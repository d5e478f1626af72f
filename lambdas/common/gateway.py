"""Posting frames to WebSocket connections through the API Gateway management API."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from common.frames import encode
from common.reuse import built_per_key

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3})
_GONE = ("GoneException", "410")


def management_endpoint(request_context: Mapping[str, Any]) -> str:
    """The management API URL of the API that sent the event: ``https://{domainName}/{stage}``.

    ``AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI``, boto3's standard endpoint variable, takes precedence.
    """
    configured = os.environ.get("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI")
    if configured:
        return configured
    return f"https://{request_context['domainName']}/{request_context['stage']}"


class ConnectionPoster:
    """Sends JSON frames to connections; tells the caller when a connection is gone."""

    def __init__(self, endpoint_url: str, *, client: Any | None = None) -> None:
        self.endpoint_url = endpoint_url
        self.client = client or boto3.client("apigatewaymanagementapi", endpoint_url=endpoint_url, config=_CONFIG)

    def post(self, connection_id: str, frame: Mapping[str, Any]) -> bool:
        """Send ``frame``; ``False`` when the connection no longer exists (410 GoneException)."""
        try:
            self.client.post_to_connection(ConnectionId=connection_id, Data=encode(frame))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _GONE:
                return False
            raise
        return True


@built_per_key(maxsize=16)
def poster_for(endpoint_url: str) -> ConnectionPoster:
    """One poster (and boto3 client) per management endpoint, reused across invocations."""
    return ConnectionPoster(endpoint_url)
