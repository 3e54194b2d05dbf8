"""How a tune run reports its evaluation: figures named for what they are, intervals with their n."""

from tune.cli import difference_line


def test_the_terminal_names_the_paired_figure_and_calls_only_what_its_interval_shows():
    unclear = {"mean": -0.0381, "ci95": [-0.09, 0.01], "n": 5, "improved": 3, "differs": False}
    line = difference_line(unclear)
    assert "mean over examples" in line and "n = 5" in line and "no clear difference" in line
    clear = {**unclear, "ci95": [-0.06, -0.01], "differs": True}
    assert difference_line(clear).endswith("student better; better on 3 of 5")
    assert "no interval" in difference_line({**unclear, "ci95": None, "n": 1, "differs": False})
