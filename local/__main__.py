"""``python -m local``: the whole system offline (what ``make local`` runs).

Ports (each overridable): 3000 widget + start-chat (``LOCAL_HTTP_PORT``), 3001 WebSocket gateway
(``LOCAL_GATEWAY_PORT``), 3002 Connect emulator (``LOCAL_CONNECT_PORT``), 3003 moto (``LOCAL_MOTO_PORT``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from contextlib import AsyncExitStack

from local.stack import PortInUseError, describe, start_local_stack


async def run() -> None:
    """Start everything, print the URLs, and stop cleanly on Ctrl-C or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    host = os.environ.get("LOCAL_HOST", "127.0.0.1")
    async with AsyncExitStack() as stack:
        running = await start_local_stack(stack, host=host, agent=os.environ.get("LOCAL_AGENT", "on") != "off")
        print(describe(running), flush=True)
        await stop.wait()
        print("Stopping…", flush=True)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request at INFO
    try:
        asyncio.run(run())
    except PortInUseError as exc:
        print(f"make local: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
