"""The relay: API Gateway WebSocket routes and the streaming (SNS) handler."""
