"""Which steering hints narrowed their round: rows that add less width than random rows do are
flagged, and their hints leave the next round's steering."""

import numpy as np

from curate.diversity.hint_effect import drop_narrowing, hint_effects
from seedling.run.rounds import HintEffect
from seedling.record import Record


def rows_and_vectors():
    rng = np.random.default_rng(0)
    wide = rng.normal(size=(12, 16))
    narrow = np.repeat(rng.normal(size=(1, 16)), 4, axis=0) + 0.01 * rng.normal(size=(4, 16))
    x = np.vstack([wide, narrow]).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    hints = [["spread"]] * 4 + [[]] * 8 + [["copies", "spread"]] + [["copies"]] * 3
    rows = [Record(f"task {i}", "out", meta={"steering": {"hints": h}} if h else {}) for i, h in enumerate(hints)]
    return rows, x


def test_rows_that_are_near_copies_narrowed_and_spread_rows_did_not():
    rows, x = rows_and_vectors()
    effects = {e.hint: e for e in hint_effects(rows, x)}
    assert effects["copies"].narrowed and effects["copies"].rows == 4
    assert not effects["spread"].narrowed and effects["spread"].rows == 5
    assert effects["copies"].vendi_per_row_without > effects["copies"].vendi_per_row_with


def test_a_hint_with_one_row_is_never_called_narrowing():
    rows, x = rows_and_vectors()
    rows[0] = Record("task 0", "out", meta={"steering": {"hints": ["alone", "spread"]}})
    assert {e.hint: e.narrowed for e in hint_effects(rows, x)}["alone"] is False


def test_narrowing_hints_leave_the_steering_and_are_listed():
    from seedling.steering import SteeringFile

    steering = SteeringFile(version=2, pronouns=None, sparse_clusters=[],
                            missing_topics=[{"request": "copies"}, {"request": "keep"}],
                            under_represented_groups=[{"request": "copies"}, {"request": "group"}])
    effects = [HintEffect(hint="copies", rows=4, vendi_per_row_with=0.5, vendi_per_row_without=0.6, narrowed=True),
               HintEffect(hint="keep", rows=3)]
    dropped = drop_narrowing(steering, effects)
    assert [t.request for t in steering.missing_topics] == ["keep"]
    assert [g.request for g in steering.under_represented_groups] == ["group"]
    assert [d.model_dump() for d in dropped] == [d.model_dump() for d in steering.dropped_hints] == [
        {"hint": "copies", "rows": 4, "vendi_per_row_with": 0.5, "vendi_per_row_without": 0.6}]
