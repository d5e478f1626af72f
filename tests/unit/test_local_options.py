"""``python -m local``'s options and variables: precedence, defaults, and one clear error for each bad value."""

from __future__ import annotations

import socket

import pytest

from local.options import SETTINGS, OptionsError, build_parser, parse_options, with_option
from local.process import free_port
from local.stack import LocalPorts, PortInUseError, check_ports_free


def test_defaults_are_the_documented_ports_and_settings() -> None:
    options = parse_options([], {})
    assert options.host == "127.0.0.1"
    assert options.ports == LocalPorts(http=3000, gateway=3001, connect=3002, moto=3003)
    assert options.agent is True
    assert options.allowed_origins is None  # the handlers' environment then allows the demo page's origins
    assert options.log_level == "WARNING"
    assert options.environment() == {"POWERTOOLS_LOG_LEVEL": "WARNING"}


def test_every_option_has_its_variable() -> None:
    env = {
        "LOCAL_HOST": "0.0.0.0",
        "LOCAL_HTTP_PORT": "4000",
        "LOCAL_GATEWAY_PORT": "4001",
        "LOCAL_CONNECT_PORT": "4002",
        "LOCAL_MOTO_PORT": "4003",
        "LOCAL_AGENT": "off",
        "ALLOWED_ORIGINS": "https://shop.example.com, http://localhost:4000",
        "POWERTOOLS_LOG_LEVEL": "debug",
        "LOCAL_CUSTOMER_TOKENS": "Required",
        "LOCAL_CHALLENGE": "on",
    }
    options = parse_options([], env)
    assert options.host == "0.0.0.0"
    assert options.ports == LocalPorts(http=4000, gateway=4001, connect=4002, moto=4003)
    assert options.agent is False
    assert (options.customer_tokens, options.challenge) == ("required", True)
    assert options.environment() == {
        "POWERTOOLS_LOG_LEVEL": "DEBUG",
        "ALLOWED_ORIGINS": "https://shop.example.com,http://localhost:4000",
    }
    assert {setting.variable for setting in SETTINGS} == set(env)


def test_an_option_wins_over_its_variable() -> None:
    argv = [
        "--host=localhost",
        "--http-port=5000",
        "--gateway-port=5001",
        "--connect-port=5002",
        "--moto-port=5003",
        "--agent=on",
        "--allowed-origins=*",
        "--log-level=ERROR",
    ]
    env = {"LOCAL_HTTP_PORT": "not even a number", "LOCAL_AGENT": "off", "POWERTOOLS_LOG_LEVEL": "INFO"}
    options = parse_options(argv, env)
    assert options.host == "localhost"
    assert options.ports == LocalPorts(http=5000, gateway=5001, connect=5002, moto=5003)
    assert options.agent is True
    assert options.environment() == {"POWERTOOLS_LOG_LEVEL": "ERROR", "ALLOWED_ORIGINS": "*"}


def test_no_agent_is_agent_off() -> None:
    assert parse_options(["--no-agent"], {"LOCAL_AGENT": "on"}).agent is False


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "LOCAL_HTTP_PORT",
            "http",
            "LOCAL_HTTP_PORT must be a port number from 1 to 65535, got 'http' (or pass --http-port)",
        ),
        ("LOCAL_MOTO_PORT", "70000", "LOCAL_MOTO_PORT must be a port number from 1 to 65535, got '70000'"),
        ("LOCAL_CONNECT_PORT", "0", "LOCAL_CONNECT_PORT must be a port number"),
        ("LOCAL_HOST", "http://127.0.0.1", "LOCAL_HOST must be a host name or IP address"),
        ("LOCAL_AGENT", "sometimes", "LOCAL_AGENT must be on or off, got 'sometimes' (or pass --agent)"),
        ("ALLOWED_ORIGINS", "shop.example.com", "ALLOWED_ORIGINS must be * or comma-separated origins"),
        ("ALLOWED_ORIGINS", "https://shop.example.com/", "(scheme://host[:port], no path)"),
        ("POWERTOOLS_LOG_LEVEL", "chatty", "POWERTOOLS_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR"),
        ("RATE_LIMIT_PER_MINUTE", "many", "RATE_LIMIT_PER_MINUTE must be an integer between 1 and "),
        ("CHAT_DURATION_MINUTES", "5", "CHAT_DURATION_MINUTES must be between 60 and 10080, got 5"),
        ("ALLOW_CONTACT_FLOW_OVERRIDE", "perhaps", "ALLOW_CONTACT_FLOW_OVERRIDE must be true or false"),
        ("MESSAGE_HOOKS", "redact", "MESSAGE_HOOKS: message hook 'redact' must look like 'module:function'"),
        ("MESSAGE_HOOKS", "common.hooks:nothing", "MESSAGE_HOOKS: message hook 'common.hooks:nothing' cannot be"),
        ("CONNECTION_AUTHORIZER", "nowhere:allow", "CONNECTION_AUTHORIZER: connection authorizer 'nowhere:allow'"),
    ],
)
def test_a_bad_variable_is_named_with_what_it_should_be(variable: str, value: str, expected: str) -> None:
    with pytest.raises(OptionsError) as caught:
        parse_options([], {variable: value})
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


def test_two_servers_on_one_port_are_refused() -> None:
    with pytest.raises(
        OptionsError, match=r"--http-port \(LOCAL_HTTP_PORT\) and --moto-port \(LOCAL_MOTO_PORT\) are both 3000"
    ):
        parse_options(["--moto-port", "3000"], {})


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--gateway-port", "x"],
            "argument --gateway-port: must be a port number from 1 to 65535, got 'x' (see --help)",
        ),
        (["--log-level", "loud"], "argument --log-level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        (["--agent", "maybe"], "argument --agent: must be on or off, got 'maybe'"),
        (["--allowed-origins", ""], "argument --allowed-origins: must be * or comma-separated origins"),
        (["--port", "3000"], "unrecognized arguments: --port 3000 (see --help)"),
    ],
)
def test_a_bad_option_exits_with_one_line(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        parse_options(argv, {})
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m local: ")
    assert err.count("\n") == 1
    assert expected in err


def test_help_names_every_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["--help"])
    assert caught.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for setting in SETTINGS:
        assert setting.flag in text
        assert setting.variable in text
    for handler_variable in ("RATE_LIMIT_PER_MINUTE", "MESSAGE_HOOKS", "CONNECTION_AUTHORIZER"):
        assert handler_variable in text


def test_a_port_in_use_names_the_options_and_variables_to_change() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ports = LocalPorts(http=free_port(), gateway=port, connect=free_port(), moto=free_port())
        with pytest.raises(PortInUseError) as caught:
            check_ports_free("127.0.0.1", ports)
    assert with_option(str(caught.value)) == (
        f"cannot listen on 127.0.0.1:{port} (address already in use); "
        "pick another --gateway-port (LOCAL_GATEWAY_PORT) or --host (LOCAL_HOST)"
    )
