"""``python -m local.connect_emulator --port N``: run the Connect chat emulator alone."""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from .app import Emulator
from .config import EmulatorConfig


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: where to listen and how the emulator behaves."""
    defaults = EmulatorConfig()
    parser = argparse.ArgumentParser(prog="python -m local.connect_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3002, help="port to listen on (default 3002)")
    parser.add_argument("--public-host", help="host:port written into handed-out URLs (default host:port)")
    parser.add_argument("--region", default=defaults.region)
    parser.add_argument("--no-agent", action="store_true", help="do not run the simulated agent")
    parser.add_argument("--agent-delay", type=float, default=defaults.agent_delay, help="seconds before joining")
    parser.add_argument("--agent-reply-delay", type=float, default=defaults.agent_reply_delay)
    parser.add_argument("--connection-token-ttl", type=float, default=defaults.connection_token_ttl)
    parser.add_argument("--websocket-ttl", type=float, default=defaults.websocket_ttl)
    parser.add_argument("--websocket-connect-timeout", type=float, default=defaults.websocket_connect_timeout)
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """The :class:`EmulatorConfig` the command line describes."""
    return EmulatorConfig(
        public_host=args.public_host or f"{args.host}:{args.port}",
        region=args.region,
        agent_enabled=not args.no_agent,
        agent_delay=args.agent_delay,
        agent_reply_delay=args.agent_reply_delay,
        connection_token_ttl=args.connection_token_ttl,
        websocket_ttl=args.websocket_ttl,
        websocket_connect_timeout=args.websocket_connect_timeout,
    )


def main(argv: list[str] | None = None) -> None:
    """Run the emulator until interrupted."""
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = config_from_args(args)
    app = Emulator(config).build_app()
    print(
        f"Connect emulator on http://{config.public_host} (agent {'on' if config.agent_enabled else 'off'})", flush=True
    )
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
