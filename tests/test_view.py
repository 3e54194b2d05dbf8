"""seedling view's store and server on a small hand-written curate output: every filter, the
search, the sort, a row's why, decisions, and a server that serves nothing outside its
directory and takes no decision from a form or another host name."""

from __future__ import annotations

import http.client
import json

import numpy as np
import pytest

from seedling import overrides
from view.build import open_store
from view.nearest import Nearest
from view.query import BadQuery, Store, parse
from view.server import Served, bind, build_app, map_points
from view.source import resolve
from view.why import diff, explain
from tests.helpers.view_output import INPUT_ORDER, row, write_curated, write_links


@pytest.fixture()
def curated(tmp_path, monkeypatch):
    monkeypatch.setenv("SEEDLING_CACHE", str(tmp_path / "cache"))
    return write_curated(tmp_path)


@pytest.fixture()
def store(curated):
    return Store(open_store(resolve(curated)))


def _ids(store, **params):
    return [r["id"] for r in store.page(parse({k: str(v) for k, v in params.items()}, store.scores))["rows"]]


def test_filters_search_and_sort(store):
    assert store.page(parse({}, store.scores))["total"] == 6
    assert _ids(store, status="removed") == ["r4", "r5"]
    assert _ids(store, tier="semantic") == ["r5"]
    assert _ids(store, reason="exact: same normalised prompt and answer") == ["r4"]
    assert _ids(store, cluster=0) == ["r0", "r3"]
    assert _ids(store, flag="conflicting_answers") == ["r3"]
    assert _ids(store, source="qa") == ["r1", "r3", "r5"]
    assert _ids(store, q="PRIMARY colours") == ["r0", "r3", "r4"]
    assert _ids(store, q="prim") == ["r0", "r3", "r4", "r5"]  # words that begin so
    assert _ids(store, q="colours, primary") == ["r0", "r3", "r4"]  # every word, in any order
    assert _ids(store, q="100%") == ["r1"]
    assert _ids(store, q="%") == ["r1"]  # only punctuation: found as written, not as a wildcard
    assert _ids(store, q="rimary") == []
    assert _ids(store, min_quality=0.2, max_quality=0.4) == ["r2", "r3", "r4"]
    assert _ids(store, sort="quality", desc=1)[:2] == ["r5", "r4"]
    assert _ids(store, sort="score", desc=1) == ["r4", "r5", "r0", "r1", "r2", "r3"]  # rows without it last
    page = store.page(parse({"limit": "2", "offset": "2"}, store.scores))
    assert [r["id"] for r in page["rows"]] == ["r2", "r3"] and page["total"] == 6


def test_bad_queries_are_refused(store):
    with pytest.raises(BadQuery, match="sort: no score column 'id; drop'"):
        parse({"sort": "id; drop"}, store.scores)
    with pytest.raises(BadQuery, match="unknown filter 'min_secret'"):
        parse({"min_secret": "1"}, store.scores)
    with pytest.raises(BadQuery, match="cluster: not a number"):
        parse({"cluster": "x"}, store.scores)


def test_facets_count_each_value(store):
    f = store.facets()
    assert dict(map(tuple, f["status"])) == {"kept": 4, "removed": 2}
    assert dict(map(tuple, f["tier"])) == {"exact": 1, "semantic": 1}
    assert dict(map(tuple, f["flag"])) == {"short_output": 1, "conflicting_answers": 1}
    assert f["scores"]["quality"] == [0.0, 0.5]


def test_why_shows_the_duplicate_side_by_side_and_the_groups(store, curated):
    nearest = Nearest(curated / "vectors.npy")
    why = explain(store, nearest, 5)
    assert why["row"]["id"] == "r5" and why["duplicates"]["other"]["id"] == "r0"
    marked = [text for kind, text in why["duplicates"]["fields"]["instruction"]["row"] if kind == "diff"]
    assert "List" in marked[0] and "Name" not in "".join(marked)
    assert why["scores"] == {"quality": 0.5, "score": 0.93}
    groups = {g["title"].split(":")[0]: g for g in explain(store, nearest, 0)["groups"]}
    assert groups["removed as copies of this row"]["members"] == [["r4", 0], ["r5", 0]]
    assert groups["a conflict"]["members"] == [["r0", 0], ["r3", 0]]
    assert [r["id"] for r in groups["a conflict"]["rows"]] == ["r3"]
    passage = explain(store, nearest, 1)["groups"]
    assert [g["title"] for g in passage] == [("rows sharing this passage (each asks something else; all kept by "
                                              "default): a passage both ask about")]
    assert [r["id"] for r in passage[0]["rows"]] == ["r2"]
    assert explain(store, nearest, 99) is None


def test_a_row_shows_its_nearest_rows_with_their_cosines(store, curated):
    found = explain(store, Nearest(curated / "vectors.npy"), 0)["nearest"]
    assert [r["row"]["id"] for r in found][:3] == ["r4", "r5", "r3"]  # r1 and r2 tie at 0
    assert [r["cosine"] for r in found] == pytest.approx([1.0, 0.9939, 0.7071, 0.0, 0.0], abs=2e-3)
    assert Nearest(curated / "none.npy").of(0) == []


def test_an_output_older_than_its_links_shows_rows_without_them(curated):
    (curated / "positions.npy").unlink()
    store = Store(open_store(resolve(curated)))
    why = explain(store, Nearest(curated / "vectors.npy"), 0)
    assert why["row"]["input_row"] is None and why["nearest"] == [] and not why["linked"]
    assert [g["title"] for g in why["groups"]] == ["removed as copies of this row"]


def test_diff_marks_only_the_changed_words():
    a, b = diff("the cat sat on the mat", "the dog sat on the mat")
    assert a == [["same", "the "], ["diff", "cat"], ["same", " sat on the mat"]]
    assert b[1] == ["diff", "dog"]


def test_map_points_carry_their_row_and_status(curated):
    copy = {**row(6, "Name three primary colours.", "Red, yellow and blue are primary."), "id": "r0",
            "removed_by": "exact", "reason": "exact: same normalised prompt and answer", "dup_of": "r0"}
    with open(curated / "removed.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(copy) + "\n")  # an exact copy: the same content id as the row kept
    store = Store(open_store(resolve(curated)))
    assert map_points(store, curated / "map.json") == {"x": [], "y": [], "cluster": [], "n": [], "status": [],
                                                       "bias": []}
    points = {"id": ["r0", "gone", "r5", "r0"], "removed": [False, False, True, True], "x": [0.1, 0.2, 0.3, 0.4],
              "y": [1.0, 2.0, 3.0, 4.0], "cluster": [0, 1, 2, 0],
              "bias": [[["gender", "women"]], [], [], [["gender", "men"], ["age", "old"]]]}
    (curated / "map.json").write_text(json.dumps(points), encoding="utf-8")
    assert map_points(store, curated / "map.json") == {"x": [0.1, 0.3, 0.4], "y": [1.0, 3.0, 4.0], "cluster": [0, 2, 0],
                                                       "n": [0, 5, 6], "status": ["kept", "removed", "removed"],
                                                       "bias": [[["gender", "women"]], [],
                                                                [["gender", "men"], ["age", "old"]]]}


@pytest.fixture()
def served(curated, store):
    server = Served(build_app(resolve(curated), store), bind("127.0.0.1", 0)).start()
    yield server
    server.stop()


def _request(served, method, path, body=None, headers=None):
    host, port = served.sock.getsockname()[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})  # the path goes out as written
    response = conn.getresponse()
    return response.status, response.read()


@pytest.mark.parametrize("path", ["/files/../secret.txt", "/files/%2e%2e/secret.txt", "/files/..%2fsecret.txt",
                                  "/files//etc/passwd", "/files/%2fetc%2fpasswd", "/static/../server.py",
                                  "/static/%2e%2e/server.py"])
def test_server_refuses_paths_outside_its_directory(served, path):
    status, body = _request(served, "GET", path)
    assert status == 404 and b"not yours" not in body and b"root:" not in body


def test_server_serves_files_inside_its_directory(served):
    assert _request(served, "GET", "/files/kept.jsonl")[0] == 200


def test_decisions_come_only_as_json_from_this_host(served, curated):
    target = curated / overrides.OVERRIDES
    assert _request(served, "POST", "/api/decide", "ids=r4&action=keep",
                    {"Content-Type": "application/x-www-form-urlencoded"})[0] == 415
    assert _request(served, "GET", "/api/facets", headers={"Host": "attacker.example"})[0] == 400
    assert _request(served, "POST", "/api/decide", json.dumps({"ids": ["r4"], "action": "delete"}),
                    {"Content-Type": "application/json"})[0] == 400
    assert _request(served, "POST", "/api/decide", json.dumps({"ids": ["r4"], "occurrences": [-1], "action": "keep"}),
                    {"Content-Type": "application/json"})[0] == 400
    assert not target.exists()
    decision = {"ids": ["r4"], "occurrences": [0], "action": "keep", "note": "ok"}
    status, body = _request(served, "POST", "/api/decide", json.dumps(decision), {"Content-Type": "application/json"})
    assert status == 200 and json.loads(body)["r4#0"]["action"] == "keep"
    assert overrides.read(target)["r4#0"].note == "ok"
    page = json.loads(_request(served, "GET", "/api/rows?status=decided")[1])
    assert [r["id"] for r in page["rows"]] == ["r4"]


def test_rows_api_answers_bad_filters_with_400(served):
    status, body = _request(served, "GET", "/api/rows?sort=nope")
    assert status == 400 and b"no score column" in body


def test_a_run_directory_shows_its_curate_output_and_keeps_decisions_at_its_top(curated, tmp_path):
    run = tmp_path / "run"
    (run / "curate").mkdir(parents=True)
    (run / "manifest.json").write_text("{}", encoding="utf-8")
    for name in ("kept.jsonl", "removed.jsonl"):
        (run / "curate" / name).write_bytes((curated / name).read_bytes())
    for path in (run, run / "curate"):
        source = resolve(path)
        assert (source.kept, source.overrides, source.title) == (run / "curate" / "kept.jsonl", run / "overrides.jsonl",
                                                                 "run")


def test_view_command_says_what_it_cannot_show(tmp_path):
    import typer
    from typer.testing import CliRunner

    from view.cli import register

    app = typer.Typer()
    app.callback()(lambda: None)  # a group, as seedling's app is, so `view` is a subcommand
    register(app)
    result = CliRunner().invoke(app, ["view", str(tmp_path)])
    assert result.exit_code != 0
    assert "neither a run directory nor a curate output" in str(result.exception)


def test_selection_joins_its_score_parts_and_nearest_chosenrow(curated):
    lines = [{"id": "r0", "selected": True, "score": 0.9, "rank": 0, "parts": {"quality": 0.5, "learned": 0.8},
              "nearest_chosen": None, "nearest_cosine": None, "reason": "chosen: best score"},
             {"id": "r1", "selected": False, "score": 0.4, "rank": 1, "parts": {"quality": 0.1, "learned": 0.3},
              "nearest_chosen": "r0", "nearest_cosine": 0.93, "reason": "left: within 0.9 of a chosen row"}]
    (curated / "selection.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    store = Store(open_store(resolve(curated)))
    assert _ids(store, status="selected") == ["r0"]
    assert _ids(store, sort="sel_score", desc=1)[:2] == ["r0", "r1"]
    why = explain(store, Nearest(curated / "vectors.npy"), 1)
    assert why["parts"] == {"quality": 0.1, "learned": 0.3}
    assert why["nearest_chosen"]["row"]["id"] == "r0" and why["nearest_chosen"]["cosine"] == 0.93


def test_exact_copies_sharing_an_id_are_each_one_row_with_a_selection(curated):
    copy = row(0, "Name three primary colours.", "Red, yellow and blue are primary.")  # r0 again, removed
    with open(curated / "removed.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({**copy, "removed_by": "exact", "dup_of": "r0"}) + "\n")
    write_links(curated, extra_lines=1)  # the copy is the last row curate read
    lines = [{"id": "r0", "selected": False, "score": 0.9, "rank": 1, "parts": {}, "nearest_chosen": "r0",
              "nearest_cosine": 1.0, "reason": "left: exact copy"},
             {"id": "r0", "selected": True, "score": 0.9, "rank": 0, "parts": {}, "nearest_chosen": None,
              "nearest_cosine": None, "reason": "chosen"}]
    (curated / "selection.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    store = Store(open_store(resolve(curated)))
    assert store.page(parse({}, store.scores))["total"] == 7  # 4 kept + 3 removed, none repeated by the join
    assert _ids(store, status="selected") == ["r0"]  # the kept row; its removed copy reads its own line
    removed_copy = next(r for r in store.page(parse({"status": "removed"}, store.scores))["rows"] if r["id"] == "r0")
    assert removed_copy["selected"] is False
    copies = [(r["n"], r["occurrence"]) for r in store.page(parse({"q": "primary"}, store.scores))["rows"]
              if r["id"] == "r0"]
    assert copies == [(0, 0), (6, 1)]
    decided = parse({"status": "decided"}, store.scores)
    decided.decided = ["r0#1"]  # a person kept the copy, not the row the rule kept
    assert [r["n"] for r in store.page(decided)["rows"]] == [6]


def test_selection_lines_join_by_input_row_so_a_kept_copy_reads_its_own(curated):
    """curate writes one selection line per input row: two kept copies of one id (a person kept the
    copy) each show their own choice, not both the chosen one."""
    copy = row(0, "Name three primary colours.", "Red, yellow and blue are primary.")
    with open(curated / "kept.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(copy) + "\n")
    order = INPUT_ORDER + ["r0"]  # the copy is the last row curate read; kept lines r0-r3, copy, then r4 r5
    np.save(curated / "positions.npy", np.array([0, 2, 3, 5, 6, 1, 4]))

    def line(i, selected, reason):
        return {"id": order[i], "selected": selected, "score": 1 - i / 10, "rank": i, "parts": {},
                "nearest_chosen": None, "nearest_cosine": None, "reason": reason}

    lines = [line(0, True, "chosen"), line(1, False, "removed"), line(2, False, "left"), line(3, True, "chosen"),
             line(4, False, "removed"), line(5, False, "left"), line(6, False, "left: exact copy of a chosen row")]
    (curated / "selection.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    store = Store(open_store(resolve(curated)))
    assert _ids(store, status="selected") == ["r0", "r2"]
    kept_copy = store.row(4)
    assert (kept_copy["id"], kept_copy["selected"], kept_copy["sel_reason"]) == ("r0", False,
                                                                               "left: exact copy of a chosen row")


@pytest.mark.slow
def test_a_dataset_file_is_curated_once_with_the_defaults_and_cached(tmp_path, monkeypatch, capfd):
    from seedling.embedders import distilled_static_path
    from tests.helpers.static_model import build_tiny_static

    monkeypatch.setenv("SEEDLING_CACHE", str(tmp_path / "cache"))
    build_tiny_static(distilled_static_path())  # the default embedder, without distilling it here
    data = tmp_path / "data.jsonl"
    rows = [{"instruction": f"Name a colour that starts with the letter {c}.", "output": f"{c}: a colour."}
            for c in "ABCDEFGH"]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows + rows[:1]), encoding="utf-8")
    source = resolve(data)
    assert "curating" in capfd.readouterr().err and source.title == "data.jsonl"
    assert source.data.is_relative_to(tmp_path / "cache") and source.overrides.parent == source.data
    store = Store(open_store(source))
    assert dict(map(tuple, store.facets()["status"])) == {"kept": 8, "removed": 1}
    copy = store.row(8)
    assert (copy["removed_by"], copy["input_row"], copy["occurrence"]) == ("exact", 8, 1)
    assert explain(store, Nearest(source.vectors), 8)["nearest"][0]["row"]["input_row"] == 0
    assert resolve(data) == source and "curating" not in capfd.readouterr().err  # cached: curated once
