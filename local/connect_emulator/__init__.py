"""A local emulator of the Amazon Connect chat services (``connect`` and ``connectparticipant``).

Run it alone with ``python -m local.connect_emulator --port N``; embed it with :class:`Emulator`.
"""

from __future__ import annotations

from .app import Emulator
from .config import EmulatorConfig

__all__ = ["Emulator", "EmulatorConfig"]
