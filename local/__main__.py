"""``python -m local``: the local stack, what ``make local`` runs.

For now it is the Connect emulator with its simulated agent, on ``CONNECT_EMULATOR_PORT`` (default 3002).
"""

from __future__ import annotations

import os

from local.connect_emulator.__main__ import main as run_connect_emulator


def main() -> None:
    """Start the local stack on its documented ports."""
    host = os.environ.get("LOCAL_HOST", "127.0.0.1")
    port = os.environ.get("CONNECT_EMULATOR_PORT", "3002")
    run_connect_emulator(["--host", host, "--port", port])


if __name__ == "__main__":
    main()
