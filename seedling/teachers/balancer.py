"""Send each request to the best of several OpenAI-compatible servers, and survive one dying.

The best server is the live one with the fewest requests outstanding, below its cap (its
share of the work grows with its speed, which round-robin ignores). A server that refuses
connections, drops one or times out is marked out: its requests, in flight or later, move to
the others at once, and it is probed again, one request at a time, after a back-off that
doubles while it stays down. Only when no server is live does a request wait for a probe,
`retries` times at most. A 429 or 5xx belongs to the request (a busy server, or a prompt the
server chokes on): it is retried `retries` times with backoff, preferring another server,
and the server stays in. Each request is answered exactly once: the caller's coroutine gets
one result or one error, `RequestFailed` when it ran out of tries.

The openai clients run with no retries of their own, so that a dead server costs one
refused connection, not a back-off loop, before its requests move.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, TypeVar

from seedling.errors import SeedlingError

log = logging.getLogger(__name__)

T = TypeVar("T")

class RequestFailed(SeedlingError):
    """A request that failed on every try; the message names the last error's class only."""


RETRYABLE_STATUS = frozenset({408, 409, 429}) | frozenset(range(500, 600))
FIRST_BACKOFF = 0.5  # seconds a server stays out after its first failure
MAX_BACKOFF = 30.0


@dataclass
class Server:
    url: str
    client: Any  # openai.AsyncOpenAI
    cap: int
    outstanding: int = 0
    sent: int = 0  # requests taken so far: among equally busy servers, the least used wins
    failures: int = 0  # consecutive; > 0 puts the server on probation (one request at a time)
    out_until: float = 0.0

    def free_slots(self, now: float) -> int:
        if self.out_until > now:
            return 0
        return (1 if self.failures else self.cap) - self.outstanding


class Balancer:
    def __init__(self, base_urls: list[str], *, api_key: str, per_server: int, retries: int, timeout: float):
        from openai import AsyncOpenAI

        self.servers = [Server(url, AsyncOpenAI(base_url=url, api_key=api_key, max_retries=0, timeout=timeout),
                               per_server) for url in base_urls]
        self.retries = retries
        self._changed: asyncio.Condition | None = None
        self._wakes: set[asyncio.Task] = set()

    async def send(self, call: Callable[[Any], Awaitable[T]]) -> T:
        """Run `call(client)` on the best server; move it to another when that server fails.

        Errors that belong to the request, not the server (400 Bad Request, 401, 404...),
        are raised to the caller unchanged."""
        import openai

        waits = busy = 0
        last: Exception | None = None
        avoid: Server | None = None
        while True:
            server = await self._acquire(avoid)
            if server is None:  # every server is out
                if waits >= self.retries:
                    raise RequestFailed(f"every server failed for a request after {waits} retries; "
                                        f"last error: {_describe(last)}")
                waits += 1
                await self._until_probe()
                continue
            try:
                result = await call(server.client)
            except openai.APIConnectionError as exc:  # refused, dropped, timed out: the server is gone
                failed: Exception | None = exc
            except openai.APIStatusError as exc:
                if exc.status_code not in RETRYABLE_STATUS:
                    await self._release(server, None)
                    raise
                failed = exc
            except BaseException:
                await self._release(server, None)
                raise
            else:
                failed = None
            if isinstance(failed, openai.APIStatusError):
                await self._release(server, None)
                last, avoid = failed, server
                busy += 1
                if busy > self.retries:
                    raise RequestFailed(f"a request failed after {self.retries} retries; "
                                        f"last error: {_describe(last)}")
                await asyncio.sleep(_retry_after(failed) or _backoff(busy))
                continue
            await self._release(server, failed)
            if failed is not None:
                last = failed
                continue
            return result

    async def aclose(self) -> None:
        for server in self.servers:
            await server.client.close()

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:  # created inside the running loop
            self._changed = asyncio.Condition()
        return self._changed

    async def _acquire(self, avoid: Server | None = None) -> Server | None:
        """A slot on the live server with the fewest outstanding requests (`avoid` only when
        no other has one free); None when every server is out. Waits while the live ones are
        all at their cap."""
        changed = self._condition()
        async with changed:
            while True:
                now = time.monotonic()
                free = [s for s in self.servers if s.free_slots(now) > 0]
                if free:
                    best = min(free, key=lambda s: (s is avoid, s.outstanding, s.sent))
                    best.outstanding += 1
                    best.sent += 1
                    return best
                live = [s for s in self.servers if s.out_until <= now]
                if not live:
                    return None
                await changed.wait()  # woken by a release, or when an out server may be probed

    async def _release(self, server: Server, failed: Exception | None) -> None:
        """Free the slot; a failure marks the server out, a success ends its probation."""
        changed = self._condition()
        async with changed:
            server.outstanding -= 1
            if failed is not None:
                self._mark_out(server, failed)
            elif server.failures:
                log.info("teacher server %s is back", server.url)
                server.failures = 0
            else:
                changed.notify(1)  # one slot freed: one waiter can use it
                return
            changed.notify_all()  # the set of live servers changed: every waiter looks again

    def _start_wake(self) -> None:
        """When a server's back-off ends, the requests waiting for a slot look again."""
        task = asyncio.ensure_future(self._wake_all())
        self._wakes.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._wakes.discard)

    async def _wake_all(self) -> None:
        changed = self._condition()
        async with changed:
            changed.notify_all()

    async def _until_probe(self) -> None:
        soonest = min(s.out_until for s in self.servers)
        await asyncio.sleep(max(soonest - time.monotonic(), 0.0))

    def _mark_out(self, server: Server, exc: Exception) -> None:
        if server.out_until > time.monotonic():  # another request of the same outage
            return
        server.failures += 1
        pause = min(FIRST_BACKOFF * 2 ** (server.failures - 1), MAX_BACKOFF)
        server.out_until = max(server.out_until, time.monotonic() + pause)
        asyncio.get_running_loop().call_later(pause, self._start_wake)
        log.warning("teacher server %s marked out for %.1f s (%s); its requests move to the others",
                    server.url, pause, _describe(exc))


def _backoff(attempt: int) -> float:
    return min(FIRST_BACKOFF * 2 ** (attempt - 1), 8.0) * random.uniform(0.75, 1.0)


def _retry_after(exc: Exception) -> float | None:
    """The server's own wait (retry-after-ms or retry-after seconds), when it gives a short one."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            wait = float(headers.get(name, "")) / scale
        except ValueError:
            continue
        if 0 <= wait <= 60:
            return wait
    return None


def _describe(exc: Exception | None) -> str:
    """The error's class and status only: messages may echo request headers."""
    status = getattr(exc, "status_code", None)
    return f"{type(exc).__name__}" + (f" (HTTP {status})" if status else "")
