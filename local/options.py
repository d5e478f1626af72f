"""The command line of ``python -m local``: every option mirrors an environment variable.

An option wins over its variable, a variable over the default. Every value is checked before anything starts,
and a bad one stops the start with one line naming the option or variable and what it should be. The handlers'
own variables (the ones the deployed functions read, such as ``RATE_LIMIT_PER_MINUTE``) are checked too.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from common import contract
from common.challenge import ChallengeSettings, ChallengeSettingsError
from common.hooks import HookError, load_hooks
from common.identity import IdentitySettings, IdentitySettingsError
from common.settings import Settings, SettingsError
from local import cli
from local.auth_fakes import CUSTOMER_TOKEN_MODES
from local.stack import HOST_VARIABLE, LocalPorts

PROG = "python -m local"
_ORIGIN = re.compile(r"^https?://[^/\s:?#]+(:\d{1,5})?$")


class OptionsError(ValueError):
    """A bad option or variable; the message names it and what it should hold."""


def allowed_origins(text: str) -> str:
    """``*`` or comma-separated origins (``scheme://host[:port]``, no path)."""
    origins = [part.strip() for part in text.split(",")]
    bad = [origin for origin in origins if origin != "*" and not _ORIGIN.match(origin)]
    if not text.strip() or bad:
        raise argparse.ArgumentTypeError(
            "must be * or comma-separated origins such as http://127.0.0.1:3000 (scheme://host[:port], no path), "
            f"got {text!r}"
        )
    return ",".join(origins)


@dataclass(frozen=True)
class Setting:
    """One setting: its option, its variable, its default and its check."""

    dest: str
    flag: str
    variable: str
    default: str | None
    check: Callable[[str], Any]
    metavar: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("host", "--host", HOST_VARIABLE, "127.0.0.1", cli.host, "HOST", "interface every server listens on"),
    Setting(
        "http_port",
        "--http-port",
        LocalPorts.ENV["http"],
        str(LocalPorts.http),
        cli.port,
        "PORT",
        "the widget demo page, POST /start-chat and the SNS delivery endpoint",
    ),
    Setting(
        "gateway_port",
        "--gateway-port",
        LocalPorts.ENV["gateway"],
        str(LocalPorts.gateway),
        cli.port,
        "PORT",
        "the API Gateway WebSocket emulator and its management API",
    ),
    Setting(
        "connect_port",
        "--connect-port",
        LocalPorts.ENV["connect"],
        str(LocalPorts.connect),
        cli.port,
        "PORT",
        "the Connect emulator (connect, connectparticipant, the participant websocket, /_emulator/)",
    ),
    Setting(
        "moto_port",
        "--moto-port",
        LocalPorts.ENV["moto"],
        str(LocalPorts.moto),
        cli.port,
        "PORT",
        "moto's server (DynamoDB, SNS, S3)",
    ),
    Setting(
        "agent",
        "--agent",
        "LOCAL_AGENT",
        "on",
        cli.switch,
        "on|off",
        "the simulated agent that joins and answers every chat (--no-agent: off)",
    ),
    Setting(
        "allowed_origins",
        "--allowed-origins",
        contract.ENV_ALLOWED_ORIGINS,
        None,
        allowed_origins,
        "ORIGINS",
        "comma-separated origins allowed to open the WebSocket and call start-chat, or * "
        "(default: the demo page's own, http://127.0.0.1:HTTP_PORT and http://localhost:HTTP_PORT)",
    ),
    Setting(
        "log_level",
        "--log-level",
        "POWERTOOLS_LOG_LEVEL",
        "WARNING",
        cli.log_level,
        "LEVEL",
        f"log level of the handlers (their Powertools logger) and of the local servers: {', '.join(cli.LOG_LEVELS)}",
    ),
    Setting(
        "customer_tokens",
        "--customer-tokens",
        "LOCAL_CUSTOMER_TOKENS",
        "off",
        cli.choice(*CUSTOMER_TOKEN_MODES),
        "|".join(CUSTOMER_TOKEN_MODES),
        "signed-in customers: start-chat verifies CustomerToken against the local site's JWKS "
        "(tokens from POST /_local/auth/token); required refuses starts without one",
    ),
    Setting(
        "challenge",
        "--challenge",
        "LOCAL_CHALLENGE",
        "off",
        cli.switch,
        "on|off",
        "the human check: start-chat needs a ChallengeToken from the local challenge service "
        "(POST /_local/challenge/token, or the page script /_local/challenge/api.js)",
    ),
)


@dataclass(frozen=True)
class LocalOptions:
    """What ``python -m local`` was asked to run."""

    host: str
    ports: LocalPorts
    agent: bool
    allowed_origins: str | None
    log_level: str
    customer_tokens: str = "off"
    challenge: bool = False

    def environment(self) -> dict[str, str]:
        """Variables to export before the stack starts, so the handlers see what the options chose."""
        exported = {"POWERTOOLS_LOG_LEVEL": self.log_level}
        if self.allowed_origins is not None:
            exported[contract.ENV_ALLOWED_ORIGINS] = self.allowed_origins
        return exported


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m local`` argument parser (``--help`` lists every option with its variable)."""
    parser = cli.OneLineParser(
        prog=PROG,
        description=(
            "Run the whole connect-chat system offline: the widget demo and start-chat endpoint, the API Gateway "
            "WebSocket emulator, the Connect emulator and moto, with the deployed Lambda handlers in-process."
        ),
        epilog=(
            "Each option can also be set by the environment variable shown with it; an option wins over its "
            "variable. The handlers read their own variables as deployed (CHAT_DURATION_MINUTES, "
            "RATE_LIMIT_PER_MINUTE, ALLOW_CONTACT_FLOW_OVERRIDE, MESSAGE_HOOKS, CONNECTION_AUTHORIZER); they are "
            "checked at start too."
        ),
    )
    for setting in SETTINGS:
        default = f"; default {setting.default}" if setting.default is not None else ""
        parser.add_argument(
            setting.flag,
            dest=setting.dest,
            type=setting.check,
            metavar=setting.metavar,
            help=f"{setting.help} [{setting.variable}{default}]",
        )
    parser.add_argument("--no-agent", dest="agent", action="store_const", const=False, help="same as --agent off")
    return parser


def _value(setting: Setting, given: Any, env: Mapping[str, str]) -> Any:
    if given is not None:
        return given
    raw = env.get(setting.variable, "")
    if raw.strip():
        try:
            return setting.check(raw)
        except argparse.ArgumentTypeError as exc:
            raise OptionsError(f"{setting.variable} {exc} (or pass {setting.flag})") from None
    return None if setting.default is None else setting.check(setting.default)


def parse_options(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> LocalOptions:
    """Read the command line (``sys.argv`` by default) and ``env`` (``os.environ`` by default).

    A bad option exits with a one-line error (status 2), as argparse does.

    Raises
    ------
    OptionsError
        When an environment variable (of the local stack or of the handlers) is bad.
    """
    env = os.environ if env is None else env
    args = build_parser().parse_args(argv)
    values = {setting.dest: _value(setting, getattr(args, setting.dest), env) for setting in SETTINGS}
    ports = LocalPorts(
        http=values["http_port"],
        gateway=values["gateway_port"],
        connect=values["connect_port"],
        moto=values["moto_port"],
    )
    _check_distinct(ports)
    options = LocalOptions(
        host=values["host"],
        ports=ports,
        agent=values["agent"],
        allowed_origins=values["allowed_origins"],
        log_level=values["log_level"],
        customer_tokens=values["customer_tokens"],
        challenge=values["challenge"],
    )
    check_handler_settings({**env, **options.environment()})
    return options


def with_option(message: str) -> str:
    """``message`` with each variable it names preceded by the option that sets it too: ``--flag (VARIABLE)``."""
    for setting in SETTINGS:
        message = re.sub(rf"\b{re.escape(setting.variable)}\b", f"{setting.flag} ({setting.variable})", message)
    return message


def _check_distinct(ports: LocalPorts) -> None:
    by_port: dict[int, str] = {}
    for setting in SETTINGS:
        if not setting.dest.endswith("_port"):
            continue
        number = getattr(ports, setting.dest.removesuffix("_port"))
        if number in by_port:
            raise OptionsError(
                f"{by_port[number]} and {setting.flag} ({setting.variable}) are both {number}; "
                "give each server its own port"
            )
        by_port[number] = f"{setting.flag} ({setting.variable})"


def check_handler_settings(env: Mapping[str, str]) -> None:
    """Check the handlers' own variables as they will read them (the local stack supplies the rest).

    Raises
    ------
    OptionsError
        Naming the variable and what it should hold.
    """
    supplied = {
        contract.ENV_INSTANCE_ID: "local",
        contract.ENV_CONTACT_FLOW_ID: "local",
        contract.ENV_TABLE_NAME: "local",
    }
    try:
        settings = Settings.from_env({**env, **supplied}, relay=False)
        load_hooks(settings.message_hooks)
    except SettingsError as exc:
        raise OptionsError(str(exc)) from None
    except HookError as exc:
        raise OptionsError(f"{contract.ENV_MESSAGE_HOOKS}: {exc}") from None
    try:
        IdentitySettings.from_env(env)
        challenge = ChallengeSettings.from_env(env)
        if challenge is not None and challenge.verifier:
            challenge.build()
    except (IdentitySettingsError, ChallengeSettingsError) as exc:
        raise OptionsError(str(exc)) from None
    authorizer = env.get(contract.ENV_CONNECTION_AUTHORIZER, "").strip()
    if authorizer:
        try:
            load_hooks([authorizer], kind="connection authorizer")
        except HookError as exc:
            raise OptionsError(f"{contract.ENV_CONNECTION_AUTHORIZER}: {exc}") from None
