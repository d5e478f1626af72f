"""``python -m local``: the whole system offline (what ``make local`` runs); ``--help`` lists the options.

Ports (each overridable): 3000 widget + start-chat (``--http-port``, ``LOCAL_HTTP_PORT``), 3001 WebSocket gateway
(``--gateway-port``, ``LOCAL_GATEWAY_PORT``), 3002 Connect emulator (``--connect-port``, ``LOCAL_CONNECT_PORT``),
3003 moto (``--moto-port``, ``LOCAL_MOTO_PORT``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Sequence
from contextlib import AsyncExitStack

from local.cli import fail
from local.options import PROG, LocalOptions, OptionsError, parse_options, with_option
from local.stack import PortInUseError, describe, start_local_stack


async def run(options: LocalOptions) -> None:
    """Start everything, print the URLs, and stop cleanly on Ctrl-C or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with AsyncExitStack() as stack:
        running = await start_local_stack(
            stack,
            host=options.host,
            ports=options.ports,
            agent=options.agent,
            customer_tokens=options.customer_tokens,
            challenge=options.challenge,
        )
        print(describe(running), flush=True)
        await stop.wait()
        print("Stopping…", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Check the options and variables, then run until interrupted; every error is one line."""
    try:
        options = parse_options(argv)
    except OptionsError as exc:
        fail(PROG, str(exc))
    os.environ.update(options.environment())
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("local").setLevel(options.log_level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request at INFO
    try:
        asyncio.run(run(options))
    except PortInUseError as exc:
        fail(PROG, with_option(str(exc)))


if __name__ == "__main__":
    main()
