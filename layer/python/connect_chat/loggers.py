"""The library's component loggers, each following the logger settings of ``set_global_config``."""

from __future__ import annotations

from connect_chat.config import get_global_config
from connect_chat.log import Logger

__all__ = ["get_logger"]


def get_logger(name: str) -> Logger:
    """Return the library logger for component ``name``.

    Parameters
    ----------
    name : str
        The component (``session``, ``websocket``, ...); records go to the ``connect_chat.<name>`` logger.

    Returns
    -------
    Logger
        A logger that reads the current ``set_global_config`` logger settings on every record.
    """
    return Logger(name, lambda: get_global_config().logger_config)
