"""A small OpenAI-compatible chat server on 127.0.0.1, run in a thread, for tests and benches.

It answers /v1/chat/completions with scripted text after a fixed latency, serves at most
`slots` requests at once (the rest queue, like a GPU server's batch), records the most
requests it held at once, and can be killed mid-run: it stops listening and drops the
connections of the requests it holds, without answering them, as a crashed server would.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


def echo(body: dict) -> str:
    return "echo: " + body["messages"][-1]["content"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 drops connections under a burst of requests


class FakeOpenAIServer:
    def __init__(self, latency: float = 0.0, slots: int | None = None, answer: Callable[[dict], str] = echo,
                 kill_after: int | None = None, port: int = 0):
        """`kill_after`: die by itself once it has answered that many requests; `port`: 0 for
        any free one, or the port of a killed server to bring it back."""
        self.latency, self.answer, self.kill_after = latency, answer, kill_after
        self.slots = threading.BoundedSemaphore(slots) if slots else None
        self.dead = threading.Event()
        self.lock = threading.RLock()
        self.answered: list[str] = []  # the last user message of each request answered, in order
        self.held = self.peak = self.dropped = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with owner.lock:
                    owner.held += 1
                    owner.peak = max(owner.peak, owner.held)
                try:
                    owner._serve(self, body)
                finally:
                    with owner.lock:
                        owner.held -= 1

            def log_message(self, *args):
                pass

        self.httpd = _Server(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _serve(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        if self.slots is not None:
            while not self.slots.acquire(timeout=0.01):
                if self.dead.is_set():
                    return self._drop(handler)
        try:
            if self.dead.wait(self.latency):
                return self._drop(handler)
            text = self.answer(body)
            reply = {"id": "fake", "object": "chat.completion", "created": 0, "model": body["model"],
                     "choices": [{"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": text}}],
                     "usage": {"prompt_tokens": 7, "completion_tokens": len(text.split()),
                               "total_tokens": 7 + len(text.split())}}
            data = json.dumps(reply).encode()
            with self.lock:  # answered in full before a kill, or not at all
                if self.dead.is_set():
                    return self._drop(handler)
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data)
                handler.wfile.flush()
                self.answered.append(body["messages"][-1]["content"])
                if self.kill_after is not None and len(self.answered) >= self.kill_after:
                    self.dead.set()
                    threading.Thread(target=self.close, daemon=True).start()
        finally:
            if self.slots is not None:
                self.slots.release()

    def _drop(self, handler: BaseHTTPRequestHandler) -> None:
        """Close the connection without a response, as a crashed process would."""
        with self.lock:
            self.dropped += 1
        handler.close_connection = True
        try:
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def kill(self) -> None:
        with self.lock:
            self.dead.set()
        self.close()

    def close(self) -> None:
        self.dead.set()
        self.httpd.shutdown()
        self.httpd.server_close()
