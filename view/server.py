"""The local app: a Starlette application over the store, serving the page, its JSON and the
files of the curate output it was given (and nothing outside that directory). Starlette is a
small, well-kept ASGI toolkit with path-safe static files and a test client; uvicorn runs it."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from seedling import overrides
from view.nearest import Nearest
from view.query import BadQuery, Store, parse
from view.source import Source
from view.why import explain

STATIC = Path(__file__).with_name("static")
MAX_IDS = 100_000  # rows one decision may name (a whole group)
LOCAL = ("127.0.0.1", "localhost")


def _inside(root: Path, rel: str) -> Path | None:
    """`rel` under `root`, or None when it leads outside (.., an absolute path, a link out)."""
    target = (root / rel).resolve()
    return target if target.is_file() and target.is_relative_to(root.resolve()) else None


def _which(rows: list[tuple[int, str]], removed: bool | None) -> tuple[int, str]:
    """Of the rows sharing a point's id, the one the rules removed or kept as the point was."""
    wanted = {True: "removed", False: "kept"}.get(removed)
    return next((r for r in rows if r[1] == wanted), rows[0])


def map_points(store: Store, path: Path) -> dict:
    """The cluster map's points (curate's projected sample) with each point's row and status."""
    points = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    rows = store.locate(points.get("id", []))
    keep = [i for i, row_id in enumerate(points.get("id", [])) if row_id in rows]
    removed = points.get("removed") or [None] * len(points.get("id", []))
    located = [_which(rows[points["id"][i]], removed[i]) for i in keep]
    bias = points.get("bias") or [[] for _ in points.get("id", [])]
    return {"x": [points["x"][i] for i in keep], "y": [points["y"][i] for i in keep],
            "cluster": [points["cluster"][i] for i in keep], "n": [n for n, _ in located],
            "status": [s for _, s in located], "bias": [bias[i] for i in keep]}


def _decisions_json(source: Source) -> dict:
    return {k: d.model_dump() for k, d in overrides.read(source.overrides).items()}


def _decision(body: dict) -> tuple[list[str], list[int | None], str, str] | None:
    """ids, their occurrences (null: every copy), action and note from a posted decision, or None."""
    if not isinstance(body, dict):
        return None
    ids, action, note = body.get("ids"), body.get("action"), body.get("note", "")
    nth = body.get("occurrences") or [None] * (len(ids) if isinstance(ids, list) else 0)
    if (not isinstance(ids, list) or not ids or len(ids) > MAX_IDS or not all(isinstance(i, str) for i in ids)
            or not isinstance(nth, list) or len(nth) != len(ids)
            or not all(k is None or (isinstance(k, int) and k >= 0) for k in nth)
            or action not in ("keep", "remove", "note") or not isinstance(note, str)):
        return None
    return ids, nth, action, note


def build_app(source: Source, store: Store, host: str = "127.0.0.1") -> Starlette:
    nearest = Nearest(source.vectors)

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    def facets(request: Request) -> Response:
        return JSONResponse({**store.facets(), "title": source.title, "overrides": str(source.overrides),
                             "audit_page": source.audit_page.name if source.audit_page.exists() else None})

    def rows(request: Request) -> Response:
        try:
            f = parse(request.query_params, store.scores)
            f.decided = list(overrides.read(source.overrides)) if f.status == "decided" else []
            return JSONResponse(store.page(f))
        except BadQuery as e:
            return JSONResponse({"error": str(e)}, status_code=400)

    def row(request: Request) -> Response:
        found = explain(store, nearest, request.path_params["n"])
        return JSONResponse(found) if found else JSONResponse({"error": "no such row"}, status_code=404)

    def cluster_map(request: Request) -> Response:
        return JSONResponse(map_points(store, source.map))

    def decisions(request: Request) -> Response:
        return JSONResponse(_decisions_json(source))

    async def decide(request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return JSONResponse({"error": "send JSON"}, status_code=415)  # a form from another site cannot
        decision = _decision(await request.json())
        if decision is None:
            return JSONResponse({"error": "expected ids (a list of row ids), occurrences (one a row: which copy, "
                                          "or null), action keep|remove|note, note"}, status_code=400)
        ids, nth, action, note = decision
        overrides.record(source.overrides, ids, action, note, nth)
        return JSONResponse(_decisions_json(source))

    def files(request: Request) -> Response:
        target = _inside(source.data, request.path_params["rel"])
        return FileResponse(target) if target else JSONResponse({"error": "not found"}, status_code=404)

    routes = [Route("/", index), Route("/api/facets", facets), Route("/api/rows", rows),
              Route("/api/row/{n:int}", row), Route("/api/decisions", decisions), Route("/api/map", cluster_map),
              Route("/api/decide", decide, methods=["POST"]), Route("/files/{rel:path}", files),
              Mount("/static", StaticFiles(directory=STATIC))]
    hosts = ["*"] if host not in LOCAL else [*LOCAL]  # a page on another name (DNS rebinding) gets nothing
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)])


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 takes a free one."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


class Served:
    """A server on its own thread (for `seedling view` and the tests); stop() ends it."""

    def __init__(self, app: Starlette, sock: socket.socket):
        self.sock = sock
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host if ':' not in host else f'[{host}]'}:{port}/"

    def start(self) -> Served:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
