"""What the checks before a chat starts raise when they refuse it: one base both entry points answer alike.

``POST /start-chat`` answers a :class:`RefusedError` with ``status`` and ``{"error": {"code", "message"}}``; a
WebSocket entry point answers it with an error frame carrying ``code`` and ``message``. The message is safe to show
the caller: it names the field and the reason, never a token or a secret.
"""

from __future__ import annotations


class RefusedError(Exception):
    """A start refused by a check; ``status`` (HTTP), ``code`` and ``message`` are safe to show the caller.

    Parameters
    ----------
    status : int
        The HTTP status ``POST /start-chat`` answers with.
    code : str
        The protocol's error code (``CHALLENGE_FAILED``, ``INVALID_CUSTOMER_TOKEN``, ...).
    message : str
        What went wrong, in the protocol's words.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
