"""Scorers: IFD separates matched from mismatched answers on a model taught the pairs, values
are cached by settings + row text (a rerun scores nothing), and flags come from the values."""

import json

import pytest

from curate.options import CurateOptions
from curate.scores import Scores, active, run_scorer, score_pool
from curate.scores.ifd import FLAG, IFDScorer, UNFINISHED
from seedling.record import Record

TAUGHT = [Record("What colour is the sky?", "The sky is blue."),
          Record("Translate the cat sleeps into French.", "Le chat dort."),
          Record("What is the capital of Japan?", "Tokyo is the capital of Japan."),
          Record("Give three tips for staying healthy.", "Eat well, sleep, and exercise.")]


@pytest.fixture(scope="module")
def taught_model(tiny_model_dir, tmp_path_factory):
    """The tiny model taught each instruction's answer, and the answers after an empty user
    turn (a marginal over them, as a pretrained model has): full batches, one second or so."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from seedling.nll import encode_pair

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    examples = TAUGHT + [Record("", r.output) for r in TAUGHT]
    sequences = [encode_pair(tokenizer, r, 128) for r in examples]
    width = max(len(ids) for ids, _ in sequences)
    ids = torch.tensor([s + [0] * (width - len(s)) for s, _ in sequences])
    mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s, _ in sequences])
    labels = torch.tensor([[-100] * n + s[n:] + [-100] * (width - len(s)) for s, n in sequences])
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-2)
    for _ in range(50):
        model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
        optimiser.step()
        optimiser.zero_grad()
    out = tmp_path_factory.mktemp("taught")
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def test_ifd_of_a_matched_answer_is_below_a_mismatched_one(taught_model):
    scorer = IFDScorer(str(taught_model), dtype="float32")
    mismatched = [Record(r.instruction, TAUGHT[(i + 1) % len(TAUGHT)].output) for i, r in enumerate(TAUGHT)]
    matched, swapped = scorer.score(TAUGHT), scorer.score(mismatched)
    for good, bad in zip(matched, swapped):
        assert good["ifd"] < 1 <= bad["ifd"]
        assert good["answer_nll"] < bad["answer_nll"]
        assert scorer.flags(bad) == [FLAG] and scorer.flags(good) == []


def test_an_answer_cut_mid_way_is_less_expected_to_end_than_the_whole(taught_model):
    scorer = IFDScorer(str(taught_model), dtype="float32")
    long = [r for r in TAUGHT if len(r.output.split()) > 4]
    cut = [Record(r.instruction, " ".join(r.output.split()[:4])) for r in long]
    whole, halves = scorer.score(long), scorer.score(cut)
    for good, bad in zip(whole, halves):
        assert good["end_nll"] < bad["end_nll"]
    assert UNFINISHED not in scorer.flags(whole[0])
    assert scorer.flags({"ifd": 0.5, "end_nll": 12.0}) == [UNFINISHED]


def test_a_short_answer_or_one_longer_than_max_answer_has_no_end_to_score(tiny_model_dir):
    scorer = IFDScorer(str(tiny_model_dir), dtype="float32", max_answer=3)
    long, short = scorer.score([Record("Say it.", "one two three four five six seven"), Record("Name it.", "Tokyo")])
    assert long["end_nll"] is None and long["ifd"] is not None
    assert short["end_nll"] is None and short["ifd"] is not None


def test_a_rerun_reads_every_value_from_the_cache(tiny_model_dir, tmp_path):
    scorer = IFDScorer(str(tiny_model_dir), dtype="float32")
    first, summary = run_scorer(scorer, TAUGHT + TAUGHT[:1], tmp_path)
    assert (summary["scored"], summary["cached"]) == (4, 1)  # the repeated row is scored once

    def refuse(records, advance):
        raise AssertionError("a cached row was scored again")

    scorer.score = refuse
    again, summary = run_scorer(scorer, TAUGHT + TAUGHT[:1], tmp_path)
    assert again == first and (summary["scored"], summary["cached"]) == (0, 5)
    settings = [json.loads(p.read_text()) for p in tmp_path.glob("*/settings.json")]
    assert settings[0]["revision"] == scorer.revision


def test_changed_settings_never_read_another_settings_values(tiny_model_dir, tmp_path):
    run_scorer(IFDScorer(str(tiny_model_dir), dtype="float32"), TAUGHT, tmp_path)
    _, summary = run_scorer(IFDScorer(str(tiny_model_dir), dtype="float32", max_answer=4), TAUGHT, tmp_path)
    assert summary["scored"] == 4 and len(list(tmp_path.iterdir())) == 2


def test_score_pool_adds_columns_and_flags(taught_model, tmp_path):
    rows = TAUGHT + [Record(TAUGHT[0].instruction, TAUGHT[1].output)]
    scores = score_pool(rows, CurateOptions(score_cache=str(tmp_path)),
                        scorers={"ifd": IFDScorer(str(taught_model), dtype="float32")})
    assert isinstance(scores, Scores) and all({"ifd", "answer_nll"} <= set(c) for c in scores.columns)
    assert scores.flags[-1] == [FLAG] and scores.summary["ifd"]["flagged"] >= 1


def test_the_learned_score_is_on_whenever_rows_are_selected():
    assert active(CurateOptions()) == []
    assert active(CurateOptions(select=0.3)) == ["learned"]
    assert active(CurateOptions(select=0.3, scores=["ifd"])) == ["ifd"]
    assert active(CurateOptions(select=10, scores=[])) == []
    with pytest.raises(ValueError):
        CurateOptions(select=2.5)
