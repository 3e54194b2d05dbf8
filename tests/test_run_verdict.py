"""The report's verdict on curation: students paired example by example (by id), and a call
that claims no difference its interval does not show."""

import pytest

from seedling.artifacts import ExampleNLL
from seedling.run.report.selection import paired
from seedling.run.report.verdict import _verdict


def _nll(values: dict[str, float]) -> list[ExampleNLL]:
    return [ExampleNLL(id=i, tokens=1, base=0.0, student=v) for i, v in values.items()]


def test_paired_difference_matches_examples_by_id():
    d = paired(_nll({"a": 1.0, "b": 2.0, "c": 5.0}), _nll({"c": 4.0, "a": 1.5, "z": 9.0}))
    assert d.n == 2 and d.better == 1 and d.worse == 1
    assert d.mean == pytest.approx(0.25)
    assert d.ci95[0] < d.mean < d.ci95[1]


def test_the_verdict_claims_no_difference_its_interval_does_not_show():
    models = {"base": {"nll_per_token": 2.0}, "curated": {"n": 4, "nll_per_token": 1.50},
              "raw": {"nll_per_token": 1.52}}
    noisy = paired(_nll(dict(zip("abcd", [1.0, 2.0, 1.1, 1.9]))), _nll(dict(zip("abcd", [1.2, 1.9, 1.0, 2.0]))))
    assert noisy.mean < 0 and not noisy.differs
    tone, sentence = _verdict(None, models, noisy, None)
    assert tone == "neutral" and sentence.startswith("No clear difference") and "n = 4" in sentence
    clear = paired(_nll(dict(zip("abcd", [1.0, 2.0, 1.1, 1.9]))),
                   _nll({i: v + 0.3 + 0.01 * k for k, (i, v) in enumerate(zip("abcd", [1.0, 2.0, 1.1, 1.9]))}))
    assert _verdict(None, models, clear, None)[0] == "good"
