"""What the local command lines share: one-line errors and the checks of their values.

Each check takes the text of an option or variable and returns its value, or raises
:class:`argparse.ArgumentTypeError` with a message saying what the value should be.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Final, NoReturn

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: Why a server cannot listen: its port is taken or privileged, or its host is not an address of this machine.
LISTEN_ERRNOS: Final = frozenset({errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL})
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:]+\]?$")


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage block, no traceback)."""

    def error(self, message: str) -> NoReturn:
        fail(self.prog, f"{message} (see --help)")


def fail(prog: str, message: str) -> NoReturn:
    """Print ``prog: message`` on stderr and exit with status 2, as argparse does."""
    print(f"{prog}: {message}", file=sys.stderr)
    raise SystemExit(2)


def cannot_listen(host: str, port: int, error: OSError, change: Sequence[str]) -> str:
    """What every local server says when it cannot listen on ``host:port``: why, and what to ``change`` instead.

    ``change`` names the options or variables that move the server elsewhere, the port's first.
    """
    reason = os.strerror(error.errno) if error.errno and error.errno > 0 else error.strerror or str(error)
    return f"cannot listen on {host}:{port} ({reason.lower()}); pick another {' or '.join(change)}"


def port(text: str) -> int:
    """A TCP port: an integer from 1 to 65535."""
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535, got {text!r}")
    return value


def host(text: str) -> str:
    """A host name or IP address to listen on (no scheme, no port)."""
    value = text.strip()
    if not _HOST.match(value):
        raise argparse.ArgumentTypeError(f"must be a host name or IP address such as 127.0.0.1, got {text!r}")
    return value


def log_level(text: str) -> str:
    """A logging level name, in upper case."""
    value = text.strip().upper()
    if value not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(LOG_LEVELS)}, got {text!r}")
    return value


def seconds(text: str) -> float:
    """A duration in seconds, zero or more."""
    try:
        value = float(text.strip())
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds (0 or more), got {text!r}")
    return value


def positive_seconds(text: str) -> float:
    """A duration in seconds, more than zero."""
    value = seconds(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds greater than 0, got {text!r}")
    return value


def switch(text: str) -> bool:
    """``on``/``off`` (also ``true``/``false``, ``1``/``0``, ``yes``/``no``)."""
    value = text.strip().lower()
    if value in ("on", "true", "1", "yes"):
        return True
    if value in ("off", "false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"must be on or off, got {text!r}")


def choice(*allowed: str) -> Callable[[str], str]:
    """A check that the value (lower-cased) is one of ``allowed``."""

    def check(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise argparse.ArgumentTypeError(f"must be one of {', '.join(allowed)}, got {text!r}")
        return value

    return check
