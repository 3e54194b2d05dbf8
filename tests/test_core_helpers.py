"""The core helpers every stage shares: intervals, hashes, and the build-once cache directory."""

import pytest

from seedling.artifacts import Interval
from seedling.errors import ConfigError, SeedlingError
from seedling.identity import claim, option_defaults, upgraded
from seedling.formats.atomic import build_once
from seedling.hashing import bucket, fingerprint
from seedling.stats import diff_ci, mean_ci, paired_diff, rate_vs_target, wilson, z_for


def test_mean_ci_is_students_t_with_n_minus_1_degrees_of_freedom():
    s = mean_ci([1.0, 2.0, 3.0])
    assert isinstance(s, Interval) and (s.n, s.mean, s.sd) == (3, 2.0, 1.0)
    assert s.ci95 == pytest.approx([2 - 4.302653 / 3**0.5, 2 + 4.302653 / 3**0.5])  # t(0.975, 2 df)
    assert mean_ci([5.0]).ci95 is None  # one value says nothing about its spread


def test_paired_diff_matches_scipys_paired_t_test():
    from scipy import stats

    a = [1.0, 1.1, 0.9, 1.2, 1.0, 0.8, 1.3, 0.95]
    b = [1.2, 1.3, 1.0, 1.2, 1.1, 1.0, 1.25, 1.0]
    d = paired_diff(a, b)
    expected = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert isinstance(d, Interval) and d.ci95 == pytest.approx([expected.low, expected.high])
    assert d.n == 8 and d.better == 6 and d.worse == 1 and d.differs
    assert not paired_diff([1.0, 2.0], [2.0, 1.0]).differs and paired_diff([], []) is None
    assert not paired_diff([1.0], [2.0]).differs  # one pair: no interval, so no claim
    assert d.detectable > d.ci95[1] - d.mean  # 80 % power needs more than the half-width
    with pytest.raises(ValueError, match="differ in length"):
        paired_diff([1.0], [1.0, 2.0])


def test_wilson_is_the_textbook_interval_and_never_zero_width():
    lo, hi = wilson(5, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
    assert wilson(0, 3)[0] == 0.0 and 0.5 < wilson(0, 3)[1] < 0.6
    assert rate_vs_target(10, 100, 0.5) == "under" and rate_vs_target(45, 100, 0.5) is None
    assert diff_ci(30, 40, 10, 40)["differs"] and not diff_ci(21, 40, 19, 40)["differs"]
    assert [round(z_for(t), 2) for t in (1, 5, 10)] == [1.96, 2.58, 2.81]
    assert rate_vs_target(36, 100, 0.5) == "under" and rate_vs_target(36, 100, 0.5, z_for(10)) is None


@pytest.mark.parametrize("tests", [1, 5])
def test_wilson_equals_scipys_at_every_count(tests):
    from scipy.stats import binomtest, norm

    z = z_for(tests)
    for n in (1, 7, 30):
        for k in range(n + 1):
            ci = binomtest(k, n).proportion_ci(confidence_level=1 - 2 * norm.sf(z), method="wilson")
            assert wilson(k, n, z) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_fingerprint_ignores_key_order_and_bucket_is_stable():
    assert fingerprint({"a": 1, "b": [2]}) == fingerprint({"b": [2], "a": 1}) != fingerprint({"a": 2, "b": [2]})
    assert bucket("x", 1) == bucket("x", 1) != bucket("x", 2) and 0 <= bucket("x", 1) < 1


def test_build_once_builds_once_and_leaves_nothing_on_failure(tmp_path):
    calls = []

    def build(tmp):
        calls.append(tmp)
        (tmp / "done").write_text("ok")

    final = tmp_path / "cache" / "model"
    assert build_once(final, "done", build) == final and build_once(final, "done", build) == final
    assert len(calls) == 1 and (final / "done").read_text() == "ok"

    def broken(tmp):
        raise SeedlingError("no")

    with pytest.raises(SeedlingError):
        build_once(tmp_path / "cache" / "other", "done", broken)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["model"]


def test_claim_resumes_the_same_run_refuses_another_and_moves_it_aside_when_asked(tmp_path):

    root = tmp_path / "run"
    assert claim(root, "id.json", {"a": 1, "b": 2}, advice="choose another") is False
    assert claim(root, "id.json", {"b": 2, "a": 1}, advice="choose another") is True
    with pytest.raises(ConfigError, match=r"different config \(changed: b\); choose another"):
        claim(root, "id.json", {"a": 1, "b": 3}, advice="choose another")
    assert claim(root, "id.json", {"a": 1, "b": 3}, advice="", move_aside=True) is False
    assert len(list(tmp_path.glob("run.*"))) == 1
    with pytest.raises(ConfigError, match="stray work"):
        claim(tmp_path / "other", "id.json", {}, advice="", stray="stray work")


def test_an_option_an_upgrade_added_is_no_change_at_its_default_only(tmp_path):
    from tune.options import TuneOptions

    defaults = {"a": 1, "new": 0.5, "group": {"x": 1, "y": "on"}}
    now = {"a": 1, "new": 0.5, "group": {"x": 1, "y": "on"}}
    assert upgraded({"a": 1, "group": {"x": 1}}, now, defaults) == now
    assert upgraded({"a": 1}, {**now, "new": 0.9}, defaults) == {"a": 1, "group": now["group"]}  # set: a change
    assert upgraded({"a": 2, "new": 0.4}, now, defaults) == {"a": 2, "new": 0.4, "group": now["group"]}
    assert upgraded({}, {"other": 1}, defaults) == {}  # no default known: a change

    root = tmp_path / "run"
    claim(root, "id.json", {"options": {"a": 1}}, advice="")
    fill = lambda saved: {"options": upgraded(saved["options"], {"a": 1, "new": 0.9}, defaults)}  # noqa: E731
    with pytest.raises(ConfigError, match=r"changed: options\)"):
        claim(root, "id.json", {"options": {"a": 1, "new": 0.9}}, advice="", upgrade=fill)
    fill = lambda saved: {"options": upgraded(saved["options"], {"a": 1, "new": 0.5}, defaults)}  # noqa: E731
    assert claim(root, "id.json", {"options": {"a": 1, "new": 0.5}}, advice="", upgrade=fill) is True
    assert claim(root, "id.json", {"options": {"a": 1, "new": 0.5}}, advice="") is True  # stored anew

    tune = option_defaults(TuneOptions)
    assert tune["lora_r"] == 16 and tune["seeds"] is None and isinstance(tune["judge"], dict)  # a group: its own dict
