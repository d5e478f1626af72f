"""``python -m local.connect_emulator --port N``: run the Connect chat emulator alone."""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Callable
from typing import Final, NamedTuple

from aiohttp import web

from local import cli

from .app import Emulator
from .config import EmulatorConfig

PROG = "python -m local.connect_emulator"
_PUBLIC_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


class _Duration(NamedTuple):
    """An option in seconds: ``--`` and the :class:`EmulatorConfig` field it sets (dashed), its check, its meaning."""

    field: str
    check: Callable[[str], float]
    meaning: str


_DURATIONS: Final = (
    _Duration("agent_delay", cli.seconds, "seconds before the agent joins a chat"),
    _Duration("agent_reply_delay", cli.seconds, "seconds the agent types before answering"),
    _Duration("connection_token_ttl", cli.positive_seconds, "lifetime of a connection token"),
    _Duration(
        "websocket_ttl", cli.positive_seconds, "lifetime of a websocket URL and its socket, its ConnectionExpiry"
    ),
    _Duration("websocket_connect_timeout", cli.positive_seconds, "seconds within which a websocket URL must be opened"),
)


def public_host(text: str) -> str:
    """``host:port`` as clients reach the emulator."""
    if not _PUBLIC_HOST.match(text.strip()):
        raise argparse.ArgumentTypeError(f"must be host:port, such as 127.0.0.1:3002, got {text!r}")
    return text.strip()


def region(text: str) -> str:
    """An AWS region name."""
    if not _REGION.match(text.strip()):
        raise argparse.ArgumentTypeError(f"must be an AWS region such as us-west-2, got {text!r}")
    return text.strip()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: where to listen and how the emulator behaves; a bad value exits with one line."""
    defaults = EmulatorConfig()
    parser = cli.OneLineParser(
        prog=PROG,
        description="Run the Amazon Connect chat emulator alone: one base URL for the connect and "
        "connectparticipant APIs, the participant websocket and the /_emulator/ control API.",
    )
    parser.add_argument("--host", type=cli.host, default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=cli.port, default=3002, help="port to listen on (default 3002)")
    parser.add_argument(
        "--public-host",
        type=public_host,
        metavar="HOST:PORT",
        help="host:port written into handed-out URLs (default host:port)",
    )
    parser.add_argument("--region", type=region, default=defaults.region, help="region in ARNs (default us-west-2)")
    parser.add_argument("--no-agent", action="store_true", help="do not run the simulated agent")
    for duration in _DURATIONS:
        parser.add_argument(
            f"--{duration.field.replace('_', '-')}",
            type=duration.check,
            default=getattr(defaults, duration.field),
            metavar="SECONDS",
            help=f"{duration.meaning} (default %(default)s)",
        )
    parser.add_argument(
        "--log-level",
        type=cli.log_level,
        default="INFO",
        metavar="LEVEL",
        help=f"log level of the emulator: {', '.join(cli.LOG_LEVELS)} (default INFO)",
    )
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """The :class:`EmulatorConfig` the command line describes."""
    return EmulatorConfig(
        public_host=args.public_host or f"{args.host}:{args.port}",
        region=args.region,
        agent_enabled=not args.no_agent,
        **{duration.field: getattr(args, duration.field) for duration in _DURATIONS},
    )


def main(argv: list[str] | None = None) -> None:
    """Run the emulator until interrupted."""
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = config_from_args(args)
    app = Emulator(config).build_app()
    print(
        f"Connect emulator on http://{config.public_host} (agent {'on' if config.agent_enabled else 'off'})", flush=True
    )
    try:
        web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)
    except OSError as exc:
        if exc.errno in cli.LISTEN_ERRNOS:
            cli.fail(PROG, cli.cannot_listen(args.host, args.port, exc, ("--port", "--host")))
        raise


if __name__ == "__main__":
    main()
