"""The deployment contract: what the functions, the CDK stack and the local stack agree on, declared once.

Plain data with nothing but the standard library, shipped in the functions' asset: the handlers read their
environment variable names, table keys and limits from here, the CDK stack (``infra/``) builds the APIs,
table, subscription and functions from it, and the local stack (``local/``) emulates the same. It holds

* the functions (their handler paths, what they may touch),
* the WebSocket routes (route key -> function) and the route selection expression,
* the HTTP routes (method and path -> function),
* the stage settings (names, throttling) and API Gateway's WebSocket limits,
* the session table's key schema and the streaming subscription's filter policy,
* the environment variables the handlers read, with the bounds of the numeric ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, NamedTuple

TableAccess = Literal["none", "read", "read_write"]


class FunctionSpec(NamedTuple):
    """One Lambda function: its handler inside the ``lambdas/`` asset and what it is allowed to do.

    Attributes
    ----------
    id
        Stable identifier (also the CDK construct id and the key the routes refer to).
    handler
        ``module.function`` inside ``lambdas/`` (Lambda's ``Handler`` setting).
    description
        What the function does (Lambda's ``Description``).
    service
        ``POWERTOOLS_SERVICE_NAME`` of the function.
    table_access
        What it may do with the session table.
    connect_actions
        Amazon Connect actions it calls (scoped to the instance's contacts and the contact flow).
    manage_connections
        Whether it posts to / deletes WebSocket connections through the management API.
    contact_flow_override
        Whether callers may choose the contact flow (when the deployment allows it, the function may then start
        chats in any flow of the instance).
    queries_index
        Whether it queries the session table's idle-chat index (a grant on the table's indexes).
    schedule_minutes
        Run every so many minutes (a schedule, not an API, invokes it).
    continuation
        Whether it issues or checks persistent chat's continuation tokens (it reads their key).
    timeout_seconds, memory_mb
        Lambda settings (WebSocket integrations time out after 29 s at API Gateway).
    """

    id: str
    handler: str
    description: str
    service: str
    table_access: TableAccess = "none"
    connect_actions: tuple[str, ...] = ()
    manage_connections: bool = False
    contact_flow_override: bool = False
    queries_index: bool = False
    schedule_minutes: int | None = None
    continuation: bool = False
    timeout_seconds: int = 15
    memory_mb: int = 256

    @property
    def starts_chats(self) -> bool:
        """Whether it starts chats (calls StartChatContact), so runs the checks before a chat starts."""
        return _START_CHAT_CONTACT in self.connect_actions


class WebSocketRoute(NamedTuple):
    """A WebSocket API route: the route key API Gateway selects and the function it invokes.

    ``function_id`` ``None`` is a mock integration: API Gateway answers the route itself and invokes nothing
    (the keepalive frame that keeps an idle connection open).
    """

    route_key: str
    function_id: str | None


class HttpRoute(NamedTuple):
    """An HTTP API route: method and path and the function it invokes."""

    method: str
    path: str
    function_id: str


class Bounds(NamedTuple):
    """An integer setting: its default and the inclusive range it must lie in."""

    default: int
    low: int
    high: int


START_CHAT: Final = "StartChat"
RELAY_CONNECT: Final = "RelayConnect"
RELAY_DISCONNECT: Final = "RelayDisconnect"
RELAY_MESSAGE: Final = "RelayMessage"
RELAY_STREAM: Final = "RelayStream"
RELAY_SWEEPER: Final = "RelaySweeper"

_START_CHAT_CONTACT: Final = "connect:StartChatContact"
_START_STREAMING: Final = "connect:StartContactStreaming"
_STOP_CONTACT: Final = "connect:StopContact"

#: Every function the stack deploys, by id.
FUNCTIONS: Final[Mapping[str, FunctionSpec]] = {
    spec.id: spec
    for spec in (
        FunctionSpec(
            id=START_CHAT,
            handler="start_chat.app.handler",
            description="POST /start-chat: StartChatContact for the direct flow",
            service="start-chat",
            table_access="read_write",  # the chat budgets' counters
            continuation=True,
            connect_actions=(_START_CHAT_CONTACT,),
            contact_flow_override=True,
        ),
        FunctionSpec(
            id=RELAY_CONNECT,
            handler="relay.connect.handler",
            description="WebSocket $connect: checks the Origin and records the connection",
            service="relay-connect",
            table_access="read_write",
        ),
        FunctionSpec(
            id=RELAY_DISCONNECT,
            handler="relay.disconnect.handler",
            description="WebSocket $disconnect: forgets the connection, keeps the chat resumable",
            service="relay-disconnect",
            table_access="read_write",
        ),
        FunctionSpec(
            id=RELAY_MESSAGE,
            handler="relay.message.handler",
            description="WebSocket client actions: start, resume, send, transcript, attachments, end",
            service="relay-message",
            table_access="read_write",
            # StopContact: a chat the relay started but could not set up is stopped, not left in the queue.
            connect_actions=(_START_CHAT_CONTACT, _START_STREAMING, _STOP_CONTACT),
            manage_connections=True,
            continuation=True,
            timeout_seconds=29,
            memory_mb=512,
        ),
        FunctionSpec(
            id=RELAY_STREAM,
            handler="relay.stream.handler",
            description="Connect message streaming (SNS) -> every WebSocket connection of the contact",
            service="relay-stream",
            table_access="read_write",
            manage_connections=True,
            continuation=True,
            timeout_seconds=60,
            memory_mb=512,
        ),
        FunctionSpec(
            id=RELAY_SWEEPER,
            handler="relay.sweeper.handler",
            description="Every minute: ends chats nobody uses any more and keeps the active-chat count true",
            service="relay-sweeper",
            table_access="read_write",
            connect_actions=(_STOP_CONTACT,),
            manage_connections=True,
            queries_index=True,
            schedule_minutes=1,
            continuation=True,
            timeout_seconds=60,
        ),
    )
}

#: API Gateway's route selection expression for the WebSocket API.
ROUTE_SELECTION_EXPRESSION: Final = "$request.body.action"
#: The body field the expression reads.
ROUTE_SELECTION_FIELD: Final = "action"

CONNECT_ROUTE: Final = "$connect"
DISCONNECT_ROUTE: Final = "$disconnect"
DEFAULT_ROUTE: Final = "$default"

#: Client actions (custom route keys) of the relay protocol that a function carries out.
CLIENT_ACTIONS: Final[tuple[str, ...]] = (
    "startChat",
    "resumeChat",
    "sendMessage",
    "sendEvent",
    "getTranscript",
    "sendAttachment",
    "getAttachment",
    "endChat",
)
#: The keepalive frame: API Gateway answers it itself (mock integration), so it costs no invocation.
KEEPALIVE_ACTION: Final = "keepalive"

#: Every WebSocket route, in the order API Gateway lists them.
WEBSOCKET_ROUTES: Final[tuple[WebSocketRoute, ...]] = (
    WebSocketRoute(CONNECT_ROUTE, RELAY_CONNECT),
    WebSocketRoute(DISCONNECT_ROUTE, RELAY_DISCONNECT),
    *(WebSocketRoute(action, RELAY_MESSAGE) for action in CLIENT_ACTIONS),
    WebSocketRoute(KEEPALIVE_ACTION, None),
    WebSocketRoute(DEFAULT_ROUTE, RELAY_MESSAGE),
)

#: Every HTTP API route (the direct flow).
HTTP_ROUTES: Final[tuple[HttpRoute, ...]] = (HttpRoute("POST", "/start-chat", START_CHAT),)

#: The function that consumes the streaming topic (not behind an API).
STREAM_FUNCTION: Final = RELAY_STREAM

#: Stage names: the deployed WebSocket stage defaults to ``prod``; the local gateway serves ``local``.
DEFAULT_STAGE_NAME: Final = "prod"
LOCAL_STAGE_NAME: Final = "local"

#: Stage throttling defaults (requests per second, burst), overridable from the CDK context.
THROTTLE_RATE_LIMIT: Final = 50
THROTTLE_BURST_LIMIT: Final = 100

#: API Gateway WebSocket limits (the local gateway applies the same).
MAX_FRAME_BYTES: Final = 32 * 1024
MAX_MESSAGE_BYTES: Final = 128 * 1024
IDLE_TIMEOUT_SECONDS: Final = 10 * 60
MAX_CONNECTION_SECONDS: Final = 2 * 60 * 60
INTEGRATION_TIMEOUT_SECONDS: Final = 29

#: The session table: key schema and TTL attribute.
TABLE_PARTITION_KEY: Final = "pk"
TABLE_SORT_KEY: Final = "sk"
TABLE_TTL_ATTRIBUTE: Final = "expiresAt"
#: The sparse index of active chats by the time the sweeper should look at them next (keys only).
IDLE_INDEX: Final = "idle"
IDLE_INDEX_PARTITION_KEY: Final = "idleKey"
IDLE_INDEX_SORT_KEY: Final = "idleAt"

#: Content types a participant sends only for the other side: the customer's own never come back to the relay.
OWN_ONLY_CONTENT_TYPES: Final[tuple[str, ...]] = (
    "application/vnd.amazonaws.connect.event.typing",
    "application/vnd.amazonaws.connect.event.message.read",
    "application/vnd.amazonaws.connect.event.message.delivered",
)
#: The streaming subscription's attribute filter: what the customer may see (MessageVisibility CUSTOMER or ALL),
#: minus the customer's own typing events and receipts (every tab of the customer still gets their messages).
STREAM_FILTER_POLICY: Final[Mapping[str, Any]] = {
    "MessageVisibility": ["CUSTOMER", "ALL"],
    "$or": [
        {"ParticipantRole": [{"anything-but": ["CUSTOMER"]}]},
        {"ContentType": [{"anything-but": list(OWN_ONLY_CONTENT_TYPES)}]},
    ],
}

#: Environment variables the handlers read.
ENV_INSTANCE_ID: Final = "CONNECT_INSTANCE_ID"
ENV_CONTACT_FLOW_ID: Final = "CONTACT_FLOW_ID"
ENV_TABLE_NAME: Final = "SESSION_TABLE_NAME"
ENV_STREAMING_TOPIC_ARN: Final = "STREAMING_TOPIC_ARN"
ENV_ALLOWED_ORIGINS: Final = "ALLOWED_ORIGINS"
ENV_CHAT_DURATION_MINUTES: Final = "CHAT_DURATION_MINUTES"
ENV_RATE_LIMIT_PER_MINUTE: Final = "RATE_LIMIT_PER_MINUTE"
ENV_ALLOW_CONTACT_FLOW_OVERRIDE: Final = "ALLOW_CONTACT_FLOW_OVERRIDE"
ENV_MESSAGE_HOOKS: Final = "MESSAGE_HOOKS"
ENV_CONNECTION_AUTHORIZER: Final = "CONNECTION_AUTHORIZER"
ENV_SERVICE_NAME: Final = "POWERTOOLS_SERVICE_NAME"
ENV_METRICS_NAMESPACE: Final = "POWERTOOLS_METRICS_NAMESPACE"
ENV_LOG_LEVEL: Final = "LOG_LEVEL"
#: ``true`` wraps the handlers in Powertools' Tracer (X-Ray subsegments for every AWS call); off by default
#: because loading the X-Ray SDK costs about as much CPU at cold start as boto3 itself.
ENV_TRACE_AWS_CALLS: Final = "TRACE_AWS_CALLS"

#: Contact attributes a customer may set when starting a chat (a pre-chat form's fields), each with its longest
#: value; the variable holds ``name:max`` pairs, comma-separated. Anything else is refused with the allowed names.
ENV_CONTACT_ATTRIBUTES: Final = "CONTACT_ATTRIBUTES"
DEFAULT_CONTACT_ATTRIBUTES: Final[Mapping[str, int]] = {
    "customerName": 256,
    "email": 254,
    "topic": 100,
    "page": 256,
    "locale": 35,
}
#: StartChatContact's limits: a key of letters, digits, ``-`` and ``_``; all keys and values within 32 KB.
MAX_ATTRIBUTE_NAME: Final = 128
MAX_ATTRIBUTES_BYTES: Final = 32768
#: Signed-in customers (off unless the JWKS URL is set): the site's JWKS, the issuer and audience its tokens must
#: carry, whether every start needs one, the accepted algorithms, the clock leeway, the claim that becomes the
#: display name, and ``claim=attribute`` pairs that become contact attributes.
ENV_CUSTOMER_JWKS_URL: Final = "CUSTOMER_JWKS_URL"
ENV_CUSTOMER_TOKEN_ISSUER: Final = "CUSTOMER_TOKEN_ISSUER"
ENV_CUSTOMER_TOKEN_AUDIENCE: Final = "CUSTOMER_TOKEN_AUDIENCE"
ENV_CUSTOMER_TOKEN_REQUIRED: Final = "CUSTOMER_TOKEN_REQUIRED"
ENV_CUSTOMER_TOKEN_ALGORITHMS: Final = "CUSTOMER_TOKEN_ALGORITHMS"
ENV_CUSTOMER_TOKEN_LEEWAY_SECONDS: Final = "CUSTOMER_TOKEN_LEEWAY_SECONDS"
ENV_CUSTOMER_NAME_CLAIM: Final = "CUSTOMER_NAME_CLAIM"
ENV_CUSTOMER_ATTRIBUTE_CLAIMS: Final = "CUSTOMER_ATTRIBUTE_CLAIMS"
#: A folder the JWT library and its crypto are imported from, ahead of everything else, when a token is first
#: verified (the dependency layer's folder, off the functions' import path); empty: the normal import path.
ENV_JWT_LIBRARY_PATH: Final = "JWT_LIBRARY_PATH"
#: The human check (off unless a verify URL or a verifier is set): the siteverify URL, where its secret is kept
#: (``secretsmanager:NAME`` or ``ssm:NAME``), how long the secret is cached, or a ``module:function`` verifier.
ENV_CHALLENGE_VERIFY_URL: Final = "CHALLENGE_VERIFY_URL"
ENV_CHALLENGE_SECRET: Final = "CHALLENGE_SECRET"
ENV_CHALLENGE_SECRET_MAX_AGE_SECONDS: Final = "CHALLENGE_SECRET_MAX_AGE_SECONDS"
ENV_CHALLENGE_VERIFIER: Final = "CHALLENGE_VERIFIER"
#: Algorithms a customer token may be signed with (asymmetric only: ``none`` and HS* are never accepted).
CUSTOMER_TOKEN_ALGORITHMS: Final[tuple[str, ...]] = ("RS256", "ES256")
#: Clock leeway for ``exp``/``nbf``/``iat`` of customer tokens, in seconds.
CUSTOMER_TOKEN_LEEWAY_SECONDS: Final = Bounds(default=30, low=0, high=300)
#: How long the challenge secret is cached, in seconds.
CHALLENGE_SECRET_MAX_AGE_SECONDS: Final = Bounds(default=300, low=0, high=86400)

#: SupportedMessagingContentTypes of new chats: what Connect may deliver to customers (comma-separated in the
#: variable; text/plain always). Customers themselves send text, markdown and interactive responses.
ENV_SUPPORTED_CONTENT_TYPES: Final = "SUPPORTED_CONTENT_TYPES"
DEFAULT_SUPPORTED_CONTENT_TYPES: Final[tuple[str, ...]] = (
    "text/plain",
    "text/markdown",
    "application/vnd.amazonaws.connect.message.interactive",
    "application/vnd.amazonaws.connect.message.interactive.response",
)
#: What StartChatContact accepts in SupportedMessagingContentTypes.
SUPPORTABLE_CONTENT_TYPES: Final[tuple[str, ...]] = (
    *DEFAULT_SUPPORTED_CONTENT_TYPES,
    "application/json",
)

#: Persistent chat: where the continuation tokens' key is (a Secrets Manager secret, or an SSM SecureString).
ENV_CONTINUATION_KEY_SECRET: Final = "CONTINUATION_KEY_SECRET"
ENV_CONTINUATION_KEY_PARAMETER: Final = "CONTINUATION_KEY_PARAMETER"
#: PersistentChat's RehydrationType values; the first is the default.
REHYDRATION_TYPES: Final[tuple[str, ...]] = ("ENTIRE_PAST_SESSION", "FROM_SEGMENT")

#: ChatDurationInMinutes of new chats (StartChatContact's range); also the session records' lifetime.
CHAT_DURATION_MINUTES: Final = Bounds(default=1500, low=60, high=10080)
#: Frames one WebSocket connection may send per minute.
RATE_LIMIT_PER_MINUTE: Final = Bounds(default=60, low=1, high=10000)

#: Chat budgets: chats one source IP may start per window (relay and POST /start-chat), relay chats one source IP
#: may have active at once, and relay chats active at once in all (a share of the instance's concurrent chat quota).
ENV_CHAT_STARTS_PER_IP: Final = "CHAT_STARTS_PER_IP"
ENV_CHAT_START_WINDOW_SECONDS: Final = "CHAT_START_WINDOW_SECONDS"
ENV_ACTIVE_CHATS_PER_IP: Final = "ACTIVE_CHATS_PER_IP"
ENV_ACTIVE_CHAT_CAP: Final = "ACTIVE_CHAT_CAP"
CHAT_STARTS_PER_IP: Final = Bounds(default=10, low=1, high=100000)
CHAT_START_WINDOW_SECONDS: Final = Bounds(default=3600, low=60, high=86400)
ACTIVE_CHATS_PER_IP: Final = Bounds(default=3, low=1, high=10000)
ACTIVE_CHAT_CAP: Final = Bounds(default=80, low=1, high=1000000)
#: Idle chats end themselves: no customer message this long after the start, or no connection this long.
ENV_IDLE_NO_MESSAGE_SECONDS: Final = "IDLE_NO_MESSAGE_SECONDS"
ENV_IDLE_DISCONNECTED_SECONDS: Final = "IDLE_DISCONNECTED_SECONDS"
IDLE_NO_MESSAGE_SECONDS: Final = Bounds(default=600, low=60, high=86400)
IDLE_DISCONNECTED_SECONDS: Final = Bounds(default=1800, low=60, high=86400)

#: Metric namespace of the handlers' Powertools metrics.
METRICS_NAMESPACE: Final = "ConnectChat"


def session_table_definition(table_name: str) -> dict[str, Any]:
    """The session table as boto3's ``dynamodb.create_table`` takes it (the local stack creates it so; the CDK
    stack declares the same keys). TTL is set separately: ``update_time_to_live`` on ``TABLE_TTL_ATTRIBUTE``."""
    return {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": TABLE_PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": TABLE_SORT_KEY, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": TABLE_PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": TABLE_SORT_KEY, "AttributeType": "S"},
            {"AttributeName": IDLE_INDEX_PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": IDLE_INDEX_SORT_KEY, "AttributeType": "N"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": IDLE_INDEX,
                "KeySchema": [
                    {"AttributeName": IDLE_INDEX_PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": IDLE_INDEX_SORT_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


def route_for_key(route_key: str) -> WebSocketRoute:
    """The WebSocket route of a route key (``KeyError`` for an unknown key)."""
    for route in WEBSOCKET_ROUTES:
        if route.route_key == route_key:
            return route
    raise KeyError(route_key)


def function_for_route(route_key: str) -> FunctionSpec | None:
    """The function behind a WebSocket route key (``None`` for a mock route; ``KeyError`` for an unknown key)."""
    function_id = route_for_key(route_key).function_id
    return None if function_id is None else FUNCTIONS[function_id]


def select_route(action: object) -> str:
    """The route key API Gateway selects for a message whose ``action`` field holds ``action``.

    A value that names a custom route selects it; anything else (missing, not a string, unknown) selects
    ``$default``, as API Gateway does when the expression matches no route.
    """
    if isinstance(action, str) and (action in CLIENT_ACTIONS or action == KEEPALIVE_ACTION):
        return action
    return DEFAULT_ROUTE


def format_attribute_allowlist(allowed: Mapping[str, int]) -> str:
    """The ``CONTACT_ATTRIBUTES`` value for ``{name: longest value}``."""
    return ",".join(f"{name}:{length}" for name, length in allowed.items())


def parse_attribute_allowlist(text: str) -> dict[str, int]:
    """``name:max,name:max`` -> ``{name: max}``; ``ValueError`` naming the first entry that is not one."""
    allowed: dict[str, int] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        name, _, length = entry.partition(":")
        valid_name = 0 < len(name) <= MAX_ATTRIBUTE_NAME and all(c.isalnum() or c in "-_" for c in name)
        if not valid_name or not length.strip().isdigit() or not 1 <= int(length) <= MAX_ATTRIBUTES_BYTES:
            raise ValueError(
                f"{entry!r} is not name:max (a name of letters, digits, - and _; a length from 1 to "
                f"{MAX_ATTRIBUTES_BYTES})"
            )
        allowed[name] = int(length)
    return allowed
