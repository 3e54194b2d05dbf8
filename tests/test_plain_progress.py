"""Progress when output goes to a file: lines as the work goes, none running into the next."""

import io

from rich.console import Console

from generate.progress import LiveProgress, summary_table
from generate.tally import Tally
from seedling.artifacts import GenerateStats


def file_console():
    return Console(file=io.StringIO(), force_terminal=False, width=100)


def test_generate_progress_in_a_log_is_a_line_per_batch_ending_before_the_summary():
    console = file_console()
    tally = Tally()
    tally.reject("duplicate_prompt")
    with LiveProgress(console, target=2) as progress:
        progress.update(1, tally, 1)
        progress.update(2, tally, 2)
    console.print(summary_table(GenerateStats(accepted=2, target=2, batches=2, method="self_instruct", tokens_in=10,
                                              tokens_out=20, tokens_per_s=5.0, wall_s=4.0, teacher_s=3.0,
                                              rejected={"duplicate_prompt": 1})))
    lines = console.file.getvalue().splitlines()
    assert lines[0].startswith("accepted 1/2   batch 1") and lines[0].endswith("rejected: duplicate_prompt 1")
    assert lines[1].startswith("accepted 2/2   batch 2")
    assert lines[2].strip() == "generate"


class CountingScorer:
    name = "count"

    def settings(self):
        return {"v": 1}

    def score(self, records, advance):
        advance(len(records))
        return [{"count": len(r.instruction)} for r in records]

    def summary(self, values):
        return {}


def test_scoring_progress_in_a_log_shows_before_the_end(tmp_path):
    from curate.scores import progress_bar, run_scorer
    from seedling import Record
    from seedling.progress import PlainProgress

    console = file_console()
    assert isinstance(progress_bar(console), PlainProgress)
    records = [Record(f"task {i}", "answer") for i in range(5)]
    values, _ = run_scorer(CountingScorer(), records, tmp_path, console, chunk=2)
    assert values[0] == {"count": 6}
    lines = console.file.getvalue().splitlines()
    assert lines[0] == "count: 5 rows: started" and lines[-1].startswith("count: 5 rows: 5/5")


def test_scoring_without_a_console_keeps_stdout_for_results(tmp_path, capsys):
    from curate.scores import run_scorer
    from seedling import Record

    run_scorer(CountingScorer(), [Record(f"task {i}", "answer") for i in range(3)], tmp_path)
    captured = capsys.readouterr()
    assert captured.out == "" and "count: 3 rows" in captured.err
