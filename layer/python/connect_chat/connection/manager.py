"""The asyncio websocket manager: one healthy participant socket, kept open for the life of the chat.

It opens the socket, subscribes (with retries), sends heartbeat + deep ping on a timer and treats an
unanswered heartbeat as a dead socket, refreshes the connection token before it expires and rotates to a
fresh URL by opening a second socket before closing the first, and recovers from losses with jittered
exponential backoff. It knows nothing about sessions: it reports to a :class:`ConnectionListener`.
``websockets`` is imported only when the default connector is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from connect_chat.clock import Clock, SystemClock
from connect_chat.connection.backoff import Timing, fetch_retry_delay, reopen_delay
from connect_chat.errors import (
    AccessDeniedError,
    ConnectChatError,
    InternalServerError,
    NetworkError,
    ParticipantServiceError,
    ThrottlingError,
)
from connect_chat.log import register_secret
from connect_chat.loggers import get_logger
from connect_chat.metrics import MetricsRecorder
from connect_chat.protocol.frames import (
    ChatFrame,
    FailureFrame,
    FrameDecodeError,
    HeartbeatFrame,
    PingFrame,
    SubscribeFrame,
    decode_frame,
    encode_heartbeat,
    encode_ping,
    encode_subscribe,
)
from connect_chat.protocol.items import Item
from connect_chat.protocol.state import Reason, ReasonCode

__all__ = ["ConnectionDetails", "ConnectionListener", "WebSocketLike", "WebSocketManager"]

_log = get_logger("websocket")


@dataclass(frozen=True, slots=True)
class ConnectionDetails:
    """What CreateParticipantConnection gave: the socket URL and the connection token, with expiries."""

    url: str = field(repr=False)
    connection_token: str = field(repr=False)
    url_expiry: datetime | None = None
    token_expiry: datetime | None = None
    fetched_at: float = 0.0
    """``clock.monotonic()`` when fetched."""


class ConnectionListener(Protocol):
    """Receives what the manager observes.

    A listener may also define ``on_chat_frame(frame: ChatFrame)``: it is then called instead of
    :meth:`on_item` with the whole :class:`~connect_chat.protocol.frames.ChatFrame` (the item and its fields
    as received), so nothing has to be rebuilt from the item.
    """

    def on_item(self, item: Item) -> None:
        """An ``aws/chat`` item arrived (possibly twice during a rotation: dedupe on Id)."""

    def on_established(self) -> None:
        """A socket is open and subscribed (after the first connect, after recovery, or after a rotation)."""

    def on_lost(self, reason: Reason) -> None:
        """The socket went away; recovery starts."""

    def on_broken(self, reason: Reason) -> None:
        """Recovery is impossible."""

    def on_ended(self, reason: Reason) -> None:
        """A 403 while recovering: the chat ended in the background."""

    def on_deep_heartbeat(self, ok: bool) -> None:
        """An ``aws/ping`` answer."""

    def on_details(self, details: ConnectionDetails) -> None:
        """New connection details (token refresh, URL rotation)."""


class WebSocketLike(Protocol):
    """The part of a ``websockets`` client connection the manager uses."""

    def __aiter__(self) -> AsyncIterator[str | bytes]: ...
    async def send(self, message: str) -> None: ...
    async def close(self, code: int = 1000, reason: str = "") -> None: ...


Connector = Callable[[str, float], Awaitable[WebSocketLike]]
FetchDetails = Callable[[], Awaitable[ConnectionDetails]]


async def _websockets_connect(url: str, open_timeout: float) -> WebSocketLike:
    from websockets.asyncio.client import connect

    ws: Any = await connect(url, open_timeout=open_timeout, ping_interval=None, max_size=2**22)
    return ws  # type: ignore[no-any-return]


def _is_forbidden(exc: BaseException) -> bool:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status in (401, 403)


class _Terminal(Exception):
    def __init__(self, reason: Reason, *, ended: bool) -> None:
        super().__init__(reason.message)
        self.reason = reason
        self.ended = ended


class _OpenFailed(Exception):
    def __init__(self, reason: Reason, *, forbidden: bool = False) -> None:
        super().__init__(reason.message)
        self.reason = reason
        self.forbidden = forbidden


_ids = itertools.count(1)


class _Socket:
    """One websocket and its reader task."""

    def __init__(self, ws: WebSocketLike, manager: WebSocketManager) -> None:
        self.id = next(_ids)
        self.ws = ws
        self.manager = manager
        self.closed = asyncio.Event()
        self.close_detail = ""
        self.heartbeat_pending = False
        self.subscribe_waiter: asyncio.Future[bool] | None = None
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self.manager._on_text(self, raw)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.close_detail = f"{type(exc).__name__}: {exc}"
        finally:
            if not self.close_detail:
                code = getattr(self.ws, "close_code", None)
                self.close_detail = f"closed with code {code}" if code is not None else "closed"
            self.closed.set()
            if self.subscribe_waiter is not None and not self.subscribe_waiter.done():
                self.subscribe_waiter.set_result(False)

    async def send(self, text: str) -> None:
        await self.ws.send(text)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), timeout=2)
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.reader
        self.closed.set()


class WebSocketManager:
    """Keeps one participant websocket healthy.

    Parameters
    ----------
    fetch : Callable[[], Awaitable[ConnectionDetails]]
        Calls CreateParticipantConnection and returns fresh details; raises ``connect_chat`` errors.
    listener : ConnectionListener
        Receives items and connection changes.
    timing : Timing, optional
        Timers (defaults follow ChatJS).
    clock : Clock, optional
        Time source for expiries.
    connector : Callable[[str, float], Awaitable[WebSocketLike]], optional
        Opens a websocket (default: ``websockets``).
    is_network_online : Callable[[], bool], optional
        While it returns False, reconnects wait.
    metrics : MetricsRecorder, optional
        Websocket metrics sink.
    rng : random.Random, optional
        Jitter source.
    """

    def __init__(
        self,
        fetch: FetchDetails,
        listener: ConnectionListener,
        *,
        timing: Timing | None = None,
        clock: Clock | None = None,
        connector: Connector | None = None,
        is_network_online: Callable[[], bool] | None = None,
        metrics: MetricsRecorder | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._fetch_fn = fetch
        self._listener = listener
        on_chat_frame: Callable[[ChatFrame], None] | None = getattr(listener, "on_chat_frame", None)
        self._deliver: Callable[[ChatFrame], None] = on_chat_frame or (lambda frame: listener.on_item(frame.item))
        self.timing = timing or Timing()
        self.clock: Clock = clock or SystemClock()
        self._connector: Connector = connector or _websockets_connect
        self._online = is_network_online
        self._metrics = metrics
        self._rng = rng or random.Random()
        self._task: asyncio.Task[None] | None = None
        self._first: asyncio.Future[None] | None = None
        self._current: _Socket | None = None
        self._retiring: set[_Socket] = set()
        self._details: ConnectionDetails | None = None
        self._ever_established = False
        self._stopping = False
        self._messages = 0  # aws/chat frames not yet counted in a metric
        self.connected = asyncio.Event()

    # ------------------------------------------------------------------ public
    @property
    def details(self) -> ConnectionDetails | None:
        """The latest connection details."""
        return self._details

    @property
    def running(self) -> bool:
        """True while the manager's task runs."""
        return self._task is not None and not self._task.done()

    async def start(self, initial: ConnectionDetails | None = None) -> None:
        """Connect; returns once the first socket is subscribed.

        Raises
        ------
        ConnectChatError
            ``ConnectionBrokenError`` (or the fetch error) when the first connection cannot be made.
        """
        from connect_chat.errors import ChatEndedError, ConnectionBrokenError

        loop = asyncio.get_running_loop()
        self._first = loop.create_future()
        self._stopping = False
        self._task = loop.create_task(self._run(initial))
        try:
            await self._first
        except _Terminal as term:
            cls = ChatEndedError if term.ended else ConnectionBrokenError
            error = term.reason.error
            if isinstance(error, ConnectChatError) and not term.ended:
                raise error from None
            raise cls(f"{term.reason.code.value}: {term.reason.message}") from error

    def request_stop(self) -> None:
        """Mark the manager as stopping (safe to call from a listener callback)."""
        self._stopping = True

    async def stop(self) -> None:
        """Close every socket and stop recovering."""
        self._stopping = True
        task = self._task
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for sock in [self._current, *self._retiring]:
            if sock is not None:
                await sock.close()
        self._current = None
        self._retiring.clear()
        self.connected.clear()
        self._flush_message_count()

    async def drop_current_socket(self) -> None:
        """Close the current socket as if the network dropped it (for tests and diagnostics)."""
        if self._current is not None:
            await self._current.close()

    def _flush_message_count(self) -> None:
        """Record the ``Messages`` metric for the frames received since the last flush (one line, not one per frame)."""
        count, self._messages = self._messages, 0
        if count and self._metrics is not None:
            self._metrics.record_websocket("Messages", count)

    # ------------------------------------------------------------------ frames
    def _on_text(self, sock: _Socket, raw: str | bytes) -> None:
        try:
            frame = decode_frame(raw)
        except FrameDecodeError as exc:
            _log.warn("socket %s: ignoring bad frame: %s", sock.id, exc)
            return
        except Exception as exc:  # a frame the decoder did not foresee must not close the socket either
            _log.error("socket %s: ignoring a frame that failed to decode: %s: %s", sock.id, type(exc).__name__, exc)
            return
        if type(frame) is ChatFrame:
            self._messages += 1
            try:
                self._deliver(frame)
            except Exception as exc:  # one bad item must not close the socket
                _log.error(
                    "socket %s: handling item %s failed: %s: %s", sock.id, frame.item.id, type(exc).__name__, exc
                )
        elif isinstance(frame, HeartbeatFrame):
            sock.heartbeat_pending = False
        elif isinstance(frame, PingFrame):
            self._listener.on_deep_heartbeat(frame.ok)
        elif isinstance(frame, SubscribeFrame):
            if sock.subscribe_waiter is not None and not sock.subscribe_waiter.done():
                sock.subscribe_waiter.set_result(frame.success)
        elif isinstance(frame, FailureFrame):
            _log.warn("socket %s: service reported: %s", sock.id, frame.message)
            if sock.subscribe_waiter is not None and not sock.subscribe_waiter.done():
                sock.subscribe_waiter.set_result(False)

    # ------------------------------------------------------------------ helpers
    async def _wait_online(self) -> None:
        while self._online is not None and not self._online() and not self._stopping:  # noqa: ASYNC110
            await asyncio.sleep(self.timing.network_poll)  # polled: the predicate has no change signal

    def _resolve_first(self, error: BaseException | None = None) -> None:
        if self._first is not None and not self._first.done():
            if error is None:
                self._first.set_result(None)
            else:
                self._first.set_exception(error)

    async def _fetch(self) -> ConnectionDetails:
        attempt = 0
        while True:
            await self._wait_online()
            retry_reason: ConnectChatError
            try:
                details = await self._fetch_fn()
            except AccessDeniedError as exc:
                reason = Reason(ReasonCode.ACCESS_DENIED, exc.message, exc)
                raise _Terminal(reason, ended=self._ever_established) from exc
            except (ThrottlingError, InternalServerError, NetworkError) as exc:
                retry_reason = exc
            except ParticipantServiceError as exc:
                raise _Terminal(Reason(ReasonCode.FETCH_FAILED, exc.message, exc), ended=False) from exc
            except ConnectChatError as exc:
                retry_reason = exc
            else:
                register_secret(details.url)
                register_secret(details.connection_token)
                self._details = details
                self._listener.on_details(details)
                return details
            attempt += 1
            if not self._ever_established and attempt >= self.timing.first_connect_attempts:
                reason = Reason(ReasonCode.FETCH_FAILED, retry_reason.message, retry_reason)
                raise _Terminal(reason, ended=False)
            delay = fetch_retry_delay(attempt - 1, self.timing)
            _log.info("connection fetch failed (%s); retrying in %.1f s", retry_reason.code, delay)
            await asyncio.sleep(delay)

    def _url_age(self, details: ConnectionDetails) -> float:
        return self.clock.monotonic() - details.fetched_at

    def _seconds_until(self, when: datetime | None) -> float | None:
        if when is None:
            return None
        return (when - self.clock.now()).total_seconds()

    def _next_refresh_in(self, details: ConnectionDetails) -> float:
        candidates = [self.timing.rotate_after - self._url_age(details)]
        token_left = self._seconds_until(details.token_expiry)
        if token_left is not None:
            candidates.append(token_left - self.timing.token_refresh_margin)
        url_left = self._seconds_until(details.url_expiry)
        if url_left is not None:
            candidates.append(url_left - self.timing.token_refresh_margin)
        return max(min(candidates), 1.0)

    async def _open(self, url: str) -> _Socket:
        try:
            ws = await self._connector(url, self.timing.open_timeout)
        except Exception as exc:
            forbidden = _is_forbidden(exc)
            reason = Reason(ReasonCode.NETWORK_ERROR, f"{type(exc).__name__}: {exc}", exc)
            raise _OpenFailed(reason, forbidden=forbidden) from exc
        sock = _Socket(ws, self)
        loop = asyncio.get_running_loop()
        for attempt in range(self.timing.subscribe_attempts):
            sock.subscribe_waiter = loop.create_future()
            try:
                await sock.send(encode_subscribe())
                ok = await asyncio.wait_for(
                    asyncio.shield(sock.subscribe_waiter), timeout=max(2.0, 4 * self.timing.subscribe_retry)
                )
            except Exception:
                ok = False
            if ok:
                break
            if sock.closed.is_set():
                raise _OpenFailed(Reason(ReasonCode.SOCKET_CLOSED, sock.close_detail))
            _log.info("subscribe attempt %d failed on socket %s", attempt + 1, sock.id)
            await asyncio.sleep(self.timing.subscribe_retry)
        else:
            await sock.close()
            raise _OpenFailed(Reason(ReasonCode.SUBSCRIPTION_FAILED, "aws/subscribe failed repeatedly"))
        await self._beat(sock)
        return sock

    async def _beat(self, sock: _Socket) -> None:
        sock.heartbeat_pending = True
        await sock.send(encode_heartbeat())
        await sock.send(encode_ping())

    # ------------------------------------------------------------------ main loop
    async def _run(self, initial: ConnectionDetails | None) -> None:
        details = initial
        reopen_attempt = 0
        open_failures = 0
        try:
            while not self._stopping:
                if details is None or self._url_age(details) >= self.timing.rotate_after:
                    details = await self._fetch()
                await self._wait_online()
                try:
                    sock = await self._open(details.url)
                except _OpenFailed as failed:
                    open_failures += 1
                    if not self._ever_established and open_failures >= self.timing.first_connect_attempts:
                        raise _Terminal(failed.reason, ended=False) from None
                    if failed.forbidden or self._url_age(details) >= self.timing.url_fresh_for:
                        details = None  # fetch a new URL
                        reopen_attempt = 0
                        continue
                    delay = reopen_delay(reopen_attempt, self.timing, self._rng)
                    reopen_attempt += 1
                    _log.info("socket open failed (%s); reopening in %.2f s", failed.reason.message, delay)
                    await asyncio.sleep(delay)
                    continue
                reopen_attempt = 0
                open_failures = 0
                self._current = sock
                self._ever_established = True
                self.connected.set()
                if self._metrics is not None:
                    self._metrics.record_websocket("Gained")
                self._listener.on_established()
                self._resolve_first()
                reason = await self._serve()
                self.connected.clear()
                self._flush_message_count()
                details = self._details
                if self._stopping:
                    break
                if self._metrics is not None:
                    self._metrics.record_websocket("Lost")
                _log.info("socket lost: %s", reason.message)
                self._listener.on_lost(reason)
        except _Terminal as term:
            self.connected.clear()
            if self._first is not None and not self._first.done():
                self._resolve_first(term)
            elif not self._stopping:
                if term.ended:
                    self._listener.on_ended(term.reason)
                else:
                    self._listener.on_broken(term.reason)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not leave the session hanging
            _log.error("websocket manager failed: %s: %s", type(exc).__name__, exc)
            reason = Reason(ReasonCode.NETWORK_ERROR, str(exc), exc)
            if self._first is not None and not self._first.done():
                self._resolve_first(_Terminal(reason, ended=False))
            elif not self._stopping:
                self._listener.on_broken(reason)
        finally:
            for leftover in [self._current, *self._retiring]:
                if leftover is not None:
                    await leftover.close()
            self._current = None
            self._retiring.clear()

    async def _serve(self) -> Reason:
        """Run heartbeats and refreshes until the current socket dies; return why.

        The refresh (fetch + rotation) runs in the background so heartbeats and loss detection go on while a
        slow or retried CreateParticipantConnection is in flight.
        """
        assert self._details is not None
        loop = asyncio.get_running_loop()
        next_beat = loop.time() + self.timing.heartbeat_interval
        next_refresh = loop.time() + self._next_refresh_in(self._details)
        refresh: asyncio.Task[None] | None = None
        try:
            while not self._stopping:
                watched = self._current
                if watched is None:
                    return Reason(ReasonCode.SOCKET_CLOSED, "no socket")
                deadline = min(next_beat, next_refresh)
                closed = loop.create_task(watched.closed.wait())
                waiting: set[asyncio.Future[Any]] = {closed}
                if refresh is not None:
                    waiting.add(refresh)
                try:
                    await asyncio.wait(
                        waiting, timeout=max(0.0, deadline - loop.time()), return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    closed.cancel()
                if refresh is not None and refresh.done():
                    finished, refresh = refresh, None
                    error = finished.exception()
                    if error is not None:
                        raise error  # a _Terminal (chat ended / broken) or a bug
                    assert self._details is not None
                    next_refresh = loop.time() + self._next_refresh_in(self._details)
                if watched.closed.is_set() and watched is self._current:
                    return Reason(ReasonCode.SOCKET_CLOSED, watched.close_detail)
                sock = self._current
                if sock is None or sock.closed.is_set():
                    continue
                now = loop.time()
                if now >= next_beat:
                    self._flush_message_count()
                    if sock.heartbeat_pending:
                        await sock.close()
                        return Reason(ReasonCode.HEARTBEAT_TIMEOUT, "heartbeat not answered")
                    try:
                        await self._beat(sock)
                    except Exception as exc:
                        await sock.close()
                        return Reason(ReasonCode.SOCKET_CLOSED, f"send failed: {exc}", exc)
                    next_beat = now + self.timing.heartbeat_interval
                if now >= next_refresh and refresh is None:
                    refresh = loop.create_task(self._refresh())
                    next_refresh = float("inf")
            return Reason(ReasonCode.CLIENT_CLOSED, "stopped")
        finally:
            if refresh is not None and not refresh.done():
                refresh.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await refresh

    async def _refresh(self) -> None:
        """Fetch new details, then rotate: open + subscribe a new socket before closing the old one."""
        details = await self._fetch()
        try:
            new = await self._open(details.url)
        except _OpenFailed as failed:
            _log.info("rotation failed (%s); keeping the current socket", failed.reason.message)
            return
        old = self._current
        self._current = new
        if old is not None:
            self._retiring.add(old)
            # keep reading the old socket briefly so nothing in flight is lost, then close it
            asyncio.get_running_loop().create_task(self._retire(old))
        _log.info("rotated to socket %s", new.id)

    async def _retire(self, sock: _Socket) -> None:
        await asyncio.sleep(min(1.0, self.timing.heartbeat_interval))
        await sock.close()
        self._retiring.discard(sock)
