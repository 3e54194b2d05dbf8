"""seedling view in a real browser (headless Chromium over the DevTools pipe): load, filter,
search, open a removed row beside the row it duplicates, keep it, re-run `seedling curate`,
and see the row move to the kept rows as a person's decision; a click on the cluster map
opens a row. Rows holding markup render as text and run nothing."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from curate.cli import register
from seedling.formats import save
from seedling.record import Record
from tests.helpers.browser import Session, chromium
from tests.helpers.static_model import build_tiny_static
from view.build import open_store
from view.query import Store
from view.server import Served, bind, build_app
from view.source import resolve

SCRIPT_ROW = "<script>window.__pwned = 1</script> What does HTML stand for?"
IMG_ROW = '<img src=x onerror="window.__pwned = 2">'
CONFLICT = "What does the nurse tell her mother after the night shift at the hospital?"


def _rows() -> list[Record]:
    rows = [Record(f"Write one sentence about the number {i} and why it is interesting.",
                   f"The number {i} is interesting because it has its own story in mathematics.") for i in range(12)]
    rows.append(Record(SCRIPT_ROW, IMG_ROW + " HyperText Markup Language, the language of web pages."))
    rows.append(Record("Describe how bees make honey from the nectar of flowers.",
                       "Bees collect nectar, keep it in their honey stomach and fan it in the hive until it thickens."))
    rows.append(Record("describe how bees make honey from the nectar of flowers!",
                       "Bees collect nectar, keep it in their honey stomach and fan it in the hive until it thickens."))
    rows += [Record(CONFLICT, "She asks about the shift, then goes home."),  # one prompt, two answers
             Record(CONFLICT, "He says the ward is quiet tonight.")]
    return rows


def _curate(src, out, model) -> None:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["curate", str(src), "--out", str(out), "--embedder", str(model),
                                      "--tiers", "exact,near", "--cache", str(out.parent / "emb")])
    assert result.exit_code == 0, result.output


def _serve(out) -> Served:
    source = resolve(out)
    return Served(build_app(source, Store(open_store(source))), bind("127.0.0.1", 0)).start()


def _rows_shown(page) -> list[str]:
    return page.eval("[...document.querySelectorAll('#rows tbody tr')].map(tr => tr.innerText)")


def _choose(page, select_id: str, value: str) -> None:
    page.eval(f"(() => {{ const s = document.getElementById('{select_id}'); s.value = {json.dumps(value)};"
              " window.lastQueryMs = null; s.dispatchEvent(new Event('change')); })()")
    page.wait("window.lastQueryMs !== null")


def _colour(page, by: str) -> None:
    page.eval(f"(() => {{ const s = document.getElementById('colour'); s.value = {json.dumps(by)};"
              " s.dispatchEvent(new Event('change')); })()")


@pytest.mark.slow
def test_browse_filter_open_a_pair_keep_it_and_see_it_move(tmp_path, monkeypatch):
    chromium()
    monkeypatch.setenv("SEEDLING_CACHE", str(tmp_path / "cache"))
    src, out = tmp_path / "rows.jsonl", tmp_path / "out"
    save(_rows(), src)
    model = build_tiny_static(tmp_path / "static")
    _curate(src, out, model)
    served = _serve(out)
    try:
        with Session() as page:
            page.goto(served.url)
            page.wait("document.body.dataset.ready === '1'")
            assert len(_rows_shown(page)) == 17
            shown = page.eval("document.querySelector('#rows tbody').innerText")
            assert SCRIPT_ROW in shown and IMG_ROW in shown  # the markup as text
            help_of = page.eval("Object.fromEntries([...document.querySelectorAll('#head th')]"
                                ".map(h => [h.textContent, h.title]))")
            assert help_of["quality"].startswith("1 unless a check flagged the row")  # a gate, not a ranking
            _choose(page, "status", "removed")
            removed = _rows_shown(page)
            assert len(removed) == 1 and "describe how bees" in removed[0]

            page.eval("document.querySelector('#rows tbody tr').click()")
            page.wait("document.querySelector('#detail .pair.dup')")
            marked = page.eval("[...document.querySelectorAll('#detail .diff')].map(s => s.textContent)")
            assert "describe" in marked and "Describe" in marked
            nearest = page.eval("[...document.querySelectorAll('#detail table.nearest tr')].map(tr => tr.innerText)")
            assert "Describe how bees" in nearest[0] and float(nearest[0].split()[0]) > 0.9  # the kept twin first
            page.eval("document.querySelector('#detail button.keep').click()")
            page.wait("document.getElementById('saved').textContent.startsWith('saved')")
            removed_n = page.eval("state.open")
            page.eval("document.querySelector('#detail table.nearest tr').click()")  # opens the nearest row
            twin_open = ("document.getElementById('detail').innerText.includes('Describe how bees')"
                         " && !document.getElementById('detail').innerText.includes('kept instead')")
            page.wait(twin_open)

            # answers can arrive out of order: the removed row's slow answer must not draw over the twin opened after it
            page.eval("(() => { const fetched = window.fetch; let slow = true; window.fetch = (url, o) => {"
                      " if (slow && String(url).startsWith('/api/row/')) { slow = false;"
                      " return new Promise((done) => setTimeout(done, 800)).then(() => fetched(url, o)); }"
                      " return fetched(url, o); }; })()")
            twin_n = page.eval("state.open")
            page.eval(f"openRow({removed_n}); openRow({twin_n}).then(() => setTimeout(() => window.settled = 1, 1600))")
            page.wait("window.settled === 1")
            assert page.eval(f"Boolean({twin_open})")

            _choose(page, "status", "")
            page.eval("document.getElementById('q').value = 'HTML'; document.getElementById('q')"
                      ".dispatchEvent(new Event('input'))")
            page.wait("document.querySelectorAll('#rows tbody tr').length === 1")
            page.eval("document.querySelector('#rows tbody tr').click()")
            page.wait("document.getElementById('detail').innerText.includes('HTML stand for')")
            assert SCRIPT_ROW in page.eval("document.getElementById('detail').innerText")
            assert page.eval("window.__pwned") is None
            assert page.eval("document.querySelectorAll('#detail script, #detail img, #rows script, #rows img')"
                             ".length") == 0

            page.eval("document.getElementById('q').value = 'nurse'; document.getElementById('q')"
                      ".dispatchEvent(new Event('input'))")
            page.wait("document.querySelectorAll('#rows tbody tr').length === 2")
            page.eval("document.querySelector('#rows tbody tr').click()")
            page.wait("document.getElementById('detail').innerText.includes('a conflict')")
            group = page.eval("[...document.querySelectorAll('#detail h3')].map(h => h.innerText)"
                              ".find(t => t.includes('a conflict'))")
            assert group.startswith("a conflict: the same prompt with other answers") and "1 other row" in group
            assert page.errors() == []
    finally:
        served.stop()

    decided = [json.loads(line) for line in (out / "overrides.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(d["action"], d["occurrence"]) for d in decided] == [("keep", 0)]
    _curate(src, out, model)  # the next curate applies the decision
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert audit["overrides"]["kept_by_person"] == 1 and audit["removed"] == 0
    assert "Decisions made by a person" in (out / "audit.html").read_text(encoding="utf-8")

    served = _serve(out)
    try:
        with Session() as page:
            page.goto(served.url + "#row=16")  # kept rows first: the one a person kept comes last
            page.wait("document.querySelector('#detail h2')")
            title = page.eval("document.querySelector('#detail h2').innerText")
            assert "kept" in title and "person: keep" in title
            _choose(page, "status", "removed")
            assert page.eval("document.getElementById('shown').textContent") == "no rows match"

            page.eval("closeRow(); document.getElementById('show-map').click()")
            page.wait("document.getElementById('map-note').textContent.startsWith('17 points')")
            _colour(page, "status")
            assert page.eval("document.getElementById('legend').innerText").split() == ["kept", "removed"]
            axes = page.eval("[...document.getElementById('colour').options].map(o => o.value)"
                             ".filter(v => v.startsWith('bias:'))")
            assert axes  # the nurse rows name groups of the bias audit
            _colour(page, axes[0])
            assert "names none" in page.eval("document.getElementById('legend').innerText")
            page.eval("(() => { const m = state.map, canvas = document.getElementById('canvas');"
                      " const box = canvas.getBoundingClientRect(), k = box.width / canvas.width;"
                      " canvas.dispatchEvent(new MouseEvent('click', {bubbles: true,"
                      " clientX: box.left + m.px[3] * k, clientY: box.top + m.py[3] * k})); })()")
            page.wait("state.open !== null && !document.getElementById('detail').hidden")
            assert page.eval("state.map.n.includes(state.open) && document.querySelector('#detail h2').innerText"
                             ".includes(`row ${state.open} `)")
            assert page.errors() == []
    finally:
        served.stop()
