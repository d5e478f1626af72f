"""A local API Gateway WebSocket API: routes frames to the relay handlers, serves the management API."""

from __future__ import annotations

from .app import GatewayConfig, WebSocketGateway

__all__ = ["GatewayConfig", "WebSocketGateway"]
