"""Held-out rows stay out of training (exact and near copies, reported), a seeded row sample,
per-example NLL by id, and the tune stage as `seedling run` calls it: finished runs are
returned from disk, unfinished ones resume."""

import json
import random
import shutil

import pytest
import typer
from typer.testing import CliRunner

from seedling import Record, save
from seedling.hashing import bucket
from seedling.text import shingles
from tune import stage
from tune.cli import register
from tune.data import sample_rows
from tune.decontaminate import decontaminate
from tune.options import TuneOptions
from tune.run import IDENTITY_FILE, prepare
from tune.train import TuneError

BOILING = Record("What is the boiling point of water at sea level?", "100 degrees Celsius.")
POEM = Record("Write a short poem about autumn leaves falling in the quiet forest.", "Leaves drift down.")
FRENCH = Record("Translate the sentence into French.", "Le chat dort.",
                "The cat sleeps on the warm windowsill every afternoon.")
HELD = [BOILING, POEM, FRENCH]


def test_exact_instruction_only_and_near_copies_are_removed_and_distinct_rows_kept():
    variant = Record("what is the BOILING point of water,   at sea level", "One hundred degrees.")
    same_question = Record(BOILING.instruction, "212 F.", "Answer in Fahrenheit.")
    reworded = Record("Write a short poem about autumn leaves falling in the silent forest.", "Red and gold.")
    other_input = Record(FRENCH.instruction, "Ferme la porte.", "Please close the door before you leave the house.")
    distinct = [Record("Name three primary colours.", "Red, blue, yellow."), other_input,
                Record("What is the melting point of iron?", "1538 degrees Celsius.")]
    train = [variant, distinct[0], same_question, other_input, reworded, distinct[2]]

    result = decontaminate(train, HELD, threshold=0.5)

    assert result.kept == distinct  # in file order
    found = {(o.train_id, o.eval_id, o.kind) for o in result.removed}
    assert found == {(variant.id, BOILING.id, "exact"), (same_question.id, BOILING.id, "exact"),
                     (reworded.id, POEM.id, "near")}
    near = next(o for o in result.removed if o.kind == "near")
    assert near.score == pytest.approx(8 / 12, abs=1e-4) and "silent forest" in near.train
    report = result.report()
    assert (report.exact, report.near, report.threshold, report.shingle) == (2, 1, 0.5, "word 3-grams")
    assert {"train_id", "eval_id", "kind", "score", "train", "eval"} == set(report.model_dump()["examples"][0])


def test_an_instruction_matches_a_held_out_row_without_input_wherever_it_is_in_the_file():
    long_input = "A long passage about the history of tea trading in the nineteenth century."
    held = [Record("Summarise it.", "Tea.", long_input), Record("Summarise it.", "Nothing to summarise.")]
    asked = Record("summarise it", "Tea was traded.", "A different text on coffee farming in the highlands of Kenya.")
    assert [(o.eval_id, o.kind) for o in decontaminate([asked], held, 0.5).removed] == [(held[1].id, "exact")]
    assert decontaminate([asked], held[:1], 0.5).kept == [asked]


def test_the_threshold_decides_near_copies_and_short_texts_compare_by_words():
    reworded = Record("Write a short poem about autumn leaves falling in the silent forest.", "Red and gold.")
    assert len(decontaminate([reworded], [POEM], threshold=0.6).removed) == 1
    assert decontaminate([reworded], [POEM], threshold=0.7).kept == [reworded]
    assert shingles("Say hi!") == {"say", "hi"}
    say_hi = Record("Say hi", "Hi.")
    assert decontaminate([say_hi], [Record("Say bye", "Bye.")], 0.5).kept == [say_hi]  # Jaccard 1/3
    assert decontaminate([Record("Hi all", "Hi.")], [Record("Hi", "Hello.")], 0.5).removed[0].score == 0.5


def _words_row(rng, vocab, n=10):
    return [rng.choice(vocab) for _ in range(n)]


def test_near_copies_across_the_hash_split_are_removed(tmp_path):
    rng = random.Random(1)
    vocab = [f"word{i}" for i in range(2000)]
    pairs = []
    for _ in range(20):
        words = _words_row(rng, vocab)
        pairs.append((Record(" ".join(words), "a"), Record(" ".join(words[:-1] + ["changed"]), "b")))
    save([r for pair in pairs for r in pair], tmp_path / "data.jsonl")

    prep = prepare(tmp_path / "data.jsonl", TuneOptions(eval_fraction=0.5, seed=3))

    straddling = {a.id if bucket(a.id, 3) >= 0.5 else b.id for a, b in pairs
                  if (bucket(a.id, 3) < 0.5) != (bucket(b.id, 3) < 0.5)}
    d = prep.data.decontamination
    assert straddling and (d.exact, d.near) == (0, len(straddling))
    assert prep.data.removed_as_overlapping_eval == len(straddling)
    assert {r.id for r in prep.train} == {r.id for p in pairs for r in p} - straddling - {r.id for r in prep.held}


def test_train_rows_is_a_seeded_sample_in_file_order(tmp_path):
    rows = [Record(f"Task {i} about {i * 7919 % 101} things", f"Answer {i}") for i in range(50)]
    picked = sample_rows(rows, 10, seed=0)
    assert picked == sample_rows(rows, 10, seed=0) != sample_rows(rows, 10, seed=1)
    assert len(picked) == 10 and [rows.index(r) for r in picked] == sorted(rows.index(r) for r in picked)
    assert sample_rows(rows, 80, seed=0) == rows

    save(rows, tmp_path / "data.jsonl")
    a, b = (prepare(tmp_path / "data.jsonl", TuneOptions(train_rows=10, eval_fraction=0.2)) for _ in range(2))
    assert [r.id for r in a.train] == [r.id for r in b.train] and a.identity == b.identity
    assert (a.data.train_rows, a.data.train_rows_requested) == (10, 10)
    many = prepare(tmp_path / "data.jsonl", TuneOptions(train_rows=1000, eval_fraction=0.2)).data
    assert many.train_rows == many.train_rows_available == 50 - many.held_out_rows


def test_tune_command_reports_decontamination_train_rows_and_per_example_nll(tiny_model_dir, tmp_path):
    fruit = [Record(f"Name fruit number {i}.", f"Fruit {i} is a mango.") for i in range(30)]
    bread = Record("Describe the smell of fresh bread baking in a small village oven.", "Warm and sweet.")
    held = fruit[:3] + [bread]
    contaminated = [Record("NAME fruit number 1!!", "A pear."), Record("Name fruit number 2.", "A fig.", "Briefly."),
                    Record("Describe the smell of fresh bread baking in a small town oven.", "Yeasty.")]
    save(fruit + contaminated, tmp_path / "train.jsonl")
    save(held, tmp_path / "eval.jsonl")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("tune:\n  checks: 'off'\n  samples: 0\n  dtype: float32\n  max_length: 64\n  warmup_ratio: 0\n"
                   "  lora_r: 4\n  batch_size: 4\n")
    out = tmp_path / "run"
    app = typer.Typer()
    app.callback()(lambda: None)  # keep `tune` a subcommand, as under `seedling`
    register(app)
    result = CliRunner().invoke(app, ["tune", str(tmp_path / "train.jsonl"), "--out", str(out), "--student",
                                      str(tiny_model_dir), "--max-steps", "1", "--eval-file", str(tmp_path / "eval.jsonl"),
                                      "--train-rows", "10", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "removed 6 training rows that overlap the held-out set (5 exact, 1 near" in " ".join(result.output.split())

    ev = json.loads((out / "eval.json").read_text())
    d = ev["data"]
    assert (d["removed_as_overlapping_eval"], d["decontamination"]["exact"], d["decontamination"]["near"]) == (6, 5, 1)
    assert (d["train_rows"], d["train_rows_available"], d["train_rows_requested"]) == (10, 27, 10)
    assert len(d["decontamination"]["examples"]) == 6 and d["decontamination"]["threshold"] == 0.5
    per_example = ev["nll"]["per_example"]
    assert [p["id"] for p in per_example] == sorted(r.id for r in held)
    assert all(p["tokens"] > 0 and p["base"] > 0 and p["student"] > 0 for p in per_example)
    assert "Removed from training as overlapping a held-out row: 6" in (out / "eval.md").read_text()
    assert "6 rows removed from training" in (out / "adapter" / "README.md").read_text()


def test_stage_returns_a_finished_run_resumes_an_unfinished_one_and_refuses_another(tiny_model_dir, tmp_path,
                                                                                     monkeypatch):
    data = tmp_path / "data.jsonl"
    save([Record(f"Code word {i}?", f"The code word is apple{i}.") for i in range(16)], data)
    o = TuneOptions(student=str(tiny_model_dir), batch_size=4, max_length=64, lora_r=4, save_steps=1,
                    dtype="float32", warmup_ratio=0, checks="off", samples=0, eval_fraction=0.25)
    out = tmp_path / "run"
    first = stage.STAGE.run(data, out, o, max_steps=2, train_rows=8)
    assert first.train.steps == 2 and first.data.train_rows == 8
    assert [p.id for p in first.nll.per_example] == sorted(r.id for r in prepare(data, o).held)

    metrics = out / "metrics.jsonl"
    before = metrics.stat().st_mtime_ns
    monkeypatch.setattr("tune.run.train", lambda *a, **k: pytest.fail("a finished run was trained again"))
    assert stage.STAGE.run(data, out, o, max_steps=2, train_rows=8) == first
    assert metrics.stat().st_mtime_ns == before
    with pytest.raises(TuneError, match=r"different config \(changed: max_steps\)"):
        stage.STAGE.run(data, out, o, max_steps=3, train_rows=8)

    identity = (out / IDENTITY_FILE).read_text()
    older = json.loads(identity)  # as a version before `seeds` and `lora_dropout` existed wrote it
    assert older["options"].pop("seeds") is None and older["options"].pop("lora_r") == 4
    (out / IDENTITY_FILE).write_text(json.dumps(older))
    with pytest.raises(TuneError, match=r"changed: lora_r\)"):  # lora_r 4 is not its default: a change
        stage.STAGE.run(data, out, o, max_steps=2, train_rows=8)
    older["options"]["lora_r"] = 4
    (out / IDENTITY_FILE).write_text(json.dumps(older))
    assert stage.STAGE.run(data, out, o, max_steps=2, train_rows=8) == first  # an upgrade alone is no change
    assert (out / IDENTITY_FILE).read_text() == identity
    monkeypatch.undo()

    (out / "eval.json").unlink()  # interrupted after checkpoint-1
    for path in ("adapter", "checkpoints/checkpoint-2"):
        shutil.rmtree(out / path)
    resumed = stage.STAGE.run(data, out, o, max_steps=2, train_rows=8)
    assert resumed.train.resumed_from == 1 and resumed.train.steps == 2
    assert [json.loads(line)["step"] for line in metrics.read_text().splitlines()] == [1, 2]

    described = stage.STAGE.describe(o)
    assert described["path"] == str(tiny_model_dir) and described["revision"]

    (out / IDENTITY_FILE).unlink()
    with pytest.raises(TuneError, match="holds checkpoints but no"):
        stage.STAGE.run(data, out, o, max_steps=2, train_rows=8)


def test_rows_that_share_only_a_template_are_kept_and_the_same_task_is_not():
    frame = "Identify which instrument is string or percussion: {}"
    held = [Record(frame.format("Cuica"), "Percussion"), Record(frame.format("Veena"), "String")]
    siblings = [Record(frame.format(name), answer) for name, answer in (("Sanshin", "String"), ("Tabla", "Percussion"))]
    result = decontaminate(siblings, held, threshold=0.5)
    assert result.kept == siblings and not result.removed  # one frame, four fillers: a template
    assert result.report().template_kept == 2 and result.template_kept[0].kind == "template"

    answer = "The cuica is a Brazilian friction drum, so it is a percussion instrument."
    same = Record(frame.format("the Cuica"), answer)  # the same question reworded, the same answer
    held_long = [Record(frame.format("Cuica"), answer), held[1]]
    assert [o.kind for o in decontaminate([same, *siblings], held_long, 0.5).removed] == ["near"]
    lone = Record("Write a short poem about autumn leaves falling in the silent forest.", "Red and gold.")
    assert decontaminate([lone], [POEM], 0.5).removed  # no template around it: a rewording of the held-out task
