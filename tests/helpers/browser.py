"""Open an HTML file in headless Chromium and report its rendered DOM and console errors.

Chromium's own log (`--enable-logging=stderr`) prints every console message of a web page
at INFO, so console.error and console.log look the same there. The DevTools protocol over
`--remote-debugging-pipe` says each message's level: it reports console.error/assert calls,
uncaught exceptions (also in timers and promises) and browser errors such as a resource that
failed to load (what a page that reaches for a CDN shows offline)."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import pytest

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
         "--no-first-run", "--disable-extensions", "--mute-audio")
SETTLE = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, {ms}))))"


@dataclass
class Rendered:
    dom: str
    errors: list[str] = field(default_factory=list)


def chromium() -> str:
    """The browser's path; without one, skip locally and fail in CI (CI installs it)."""
    found = next((p for p in map(shutil.which, CHROMIUM) if p), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; CI must install it (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return found


class _Pipe:
    """DevTools messages are JSON texts ended by a NUL byte: commands on fd 3, events on fd 4."""

    def __init__(self, write_fd: int, read_fd: int, deadline: float):
        self.write_fd, self.read_fd, self.deadline = write_fd, read_fd, deadline
        self.buffer, self.next_id, self.events = b"", 0, []

    def _read(self) -> dict:
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.read_fd], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: str | None = None, **params) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, since: int) -> None:
        """Until an event `method` arrives after the first `since` events."""
        while not any(e.get("method") == method for e in self.events[since:]):
            self.events.append(self._read())


def _as_fds_3_and_4(read_fd: int, write_fd: int) -> None:
    """In the child: the pipe ends become fds 3 and 4, where --remote-debugging-pipe looks.
    Copies first, so one end sitting on 3 or 4 is not overwritten before it is moved; every
    other fd Python opened is close-on-exec (PEP 446) and does not reach chromium."""
    a, b = os.dup(read_fd), os.dup(write_fd)
    os.dup2(a, 3)
    os.dup2(b, 4)


def _errors(events: list[dict]) -> list[str]:
    out = []
    for e in events:
        p = e.get("params", {})
        if e.get("method") == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            out.append(d.get("exception", {}).get("description") or d.get("text", "exception"))
        elif e.get("method") == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p["args"]))
        elif e.get("method") == "Log.entryAdded" and p["entry"]["level"] == "error":
            out.append(p["entry"]["text"])
    return out


class Session:
    """One headless Chromium page driven over the DevTools pipe: go to a URL, run script in
    it, wait for a condition, read the errors it logged. A context manager: the browser ends
    with the block."""

    def __init__(self, timeout: float = 60, width: int = 1280):
        self.timeout, self.width = timeout, width

    def __enter__(self) -> Self:
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        self.profile = tempfile.mkdtemp(prefix="seedling-chromium-")
        self.proc = subprocess.Popen(
            [chromium(), *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={self.width},900", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=lambda: _as_fds_3_and_4(to_browser_r, from_browser_w))
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.fds = (to_browser_w, from_browser_r)
        try:
            self.pipe = _Pipe(to_browser_w, from_browser_r, time.monotonic() + self.timeout)
            target = self.pipe.call("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                self.pipe.call(f"{domain}.enable", self.session)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.proc.kill()
        self.proc.wait()
        for fd in self.fds:
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def goto(self, url: str) -> None:
        """Navigate and wait for the load event."""
        before = len(self.pipe.events)
        self.pipe.call("Page.navigate", self.session, url=url)
        self.pipe.wait_for("Page.loadEventFired", before)

    def eval(self, expression: str):
        """The value of a script expression (a promise is awaited)."""
        reply = self.pipe.call("Runtime.evaluate", self.session, expression=expression, awaitPromise=True,
                               returnByValue=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails'].get('exception', {}).get('description')}")
        return reply["result"].get("value")

    def wait(self, expression: str, timeout: float = 20) -> None:
        """Until `expression` is truthy in the page (a DOM node counts)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.eval(f"Boolean({expression})"):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page never made this true: {expression}")
            time.sleep(0.05)

    def errors(self) -> list[str]:
        return _errors(self.pipe.events)

    def screenshot(self, path: Path) -> None:
        shot = self.pipe.call("Page.captureScreenshot", self.session, format="png", captureBeyondViewport=True)
        Path(path).write_bytes(base64.b64decode(shot["data"]))


def render(path: Path, settle_ms: int = 300, timeout: float = 60, width: int = 1280,
           screenshot: Path | None = None) -> Rendered:
    """Load `path`, let timers run `settle_ms` after the load event, return the DOM and errors;
    with `screenshot`, also save a full-page PNG there."""
    with Session(timeout, width) as page:
        page.goto(Path(path).resolve().as_uri())
        page.eval(SETTLE.format(ms=settle_ms))
        dom = page.eval("document.documentElement.outerHTML")
        if screenshot is not None:
            page.screenshot(screenshot)
        return Rendered(dom, page.errors())
