"""A small OpenAI-compatible server on 127.0.0.1, run in a thread, for tests and benches.

It answers /v1/chat/completions with scripted text after a fixed latency, and
/v1/completions (raw text) unless `chat_only`, as a chat-only API would not; `fail` can refuse
any request with an HTTP status. It serves at most `slots` requests at once (the rest queue,
like a GPU server's batch), records the requests it answered, their Authorization headers and
the most it held at once, and can be killed mid-run: it stops listening and drops the
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


def last_message(body: dict) -> str:
    """What a request asks: a chat's last message, or a raw completion's prompt."""
    return body["messages"][-1]["content"] if "messages" in body else body["prompt"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 drops connections under a burst of requests


class FakeOpenAIServer:
    def __init__(self, latency: float = 0.0, slots: int | None = None, answer: Callable[[dict], str] = echo,
                 kill_after: int | None = None, port: int = 0,
                 fail: Callable[[dict], int | None] = lambda body: None, chat_only: bool = False):
        """`answer`: a chat's reply text, or (text, finish_reason); `fail`: an HTTP status to
        refuse a request with, or None to answer it; `kill_after`: die by itself once it has
        answered that many requests; `port`: 0 for any free one, or a killed server's port."""
        self.latency, self.answer, self.kill_after, self.fail = latency, answer, kill_after, fail
        self.chat_only = chat_only
        self.seen: list[dict] = []  # the bodies of the requests answered, in order
        self.auth: list[str | None] = []  # every request's Authorization header
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
                    owner.auth.append(self.headers.get("Authorization"))
                status = 404 if owner.chat_only and not self.path.endswith("/chat/completions") else owner.fail(body)
                if status is not None:
                    return owner._refuse(self, status)
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
            data = json.dumps(self._reply(body)).encode()
            with self.lock:  # answered in full before a kill, or not at all
                if self.dead.is_set():
                    return self._drop(handler)
                self._send(handler, 200, data)
                self.answered.append(last_message(body))
                self.seen.append(body)
                if self.kill_after is not None and len(self.answered) >= self.kill_after:
                    self.dead.set()
                    threading.Thread(target=self.close, daemon=True).start()
        finally:
            if self.slots is not None:
                self.slots.release()

    def _reply(self, body: dict) -> dict:
        """A chat completion from `answer`, or a raw completion that continues the prompt."""
        if "messages" not in body:
            return {"id": "fake", "object": "text_completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "length", "text": " more " + body["prompt"]}],
                    "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}}
        answer = self.answer(body)
        text, finish = (answer, "stop") if isinstance(answer, str) else answer
        return {"id": "fake", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": 7, "completion_tokens": len(text.split()),
                          "total_tokens": 7 + len(text.split())}}

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict | None = None) -> None:
        handler.send_response(status)
        for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        handler.wfile.flush()

    def _refuse(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        self._send(handler, status, json.dumps({"error": {"message": f"refused with {status}"}}).encode(),
                   {"retry-after-ms": "5"})

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
