"""Posting frames to WebSocket connections through the API Gateway management API."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3})


def management_endpoint(request_context: dict[str, Any]) -> str:
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

    @classmethod
    def for_event(cls, event: dict[str, Any]) -> ConnectionPoster:
        return poster_for(management_endpoint(event["requestContext"]))

    def post(self, connection_id: str, frame: dict[str, Any]) -> bool:
        """Send ``frame``; ``False`` when the connection no longer exists (410 GoneException)."""
        try:
            self.client.post_to_connection(ConnectionId=connection_id, Data=json.dumps(frame).encode())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("GoneException", "410"):
                return False
            raise
        return True

    def close(self, connection_id: str) -> None:
        """Close a connection from the server side (ignores one that is already gone)."""
        try:
            self.client.delete_connection(ConnectionId=connection_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("GoneException", "410"):
                raise


@lru_cache(maxsize=16)
def poster_for(endpoint_url: str) -> ConnectionPoster:
    """One poster (and boto3 client) per management endpoint, reused across invocations."""
    return ConnectionPoster(endpoint_url)
