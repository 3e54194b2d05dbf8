"""The bias audit finds a planted skew with the right sign and says what is under-represented."""

from __future__ import annotations

from curate.bias.mentions import audit
from curate.bias.steering import suggestions
from seedling.record import Record


def biased() -> list[Record]:
    male = [Record(f"Write a short bio of the engineer {n}.", "He is an engineer. His work on bridges made him famous.")
            for n in ("Tom", "Bob", "Sam", "Joe", "Max", "Ben", "Dan", "Tim")]
    female = [Record("Write a short bio of the nurse Ann.", "She is a nurse. Her patients love her.")]
    other = [Record("Describe a day in the life of a Buddhist monk.", "He wakes early and meditates."),
             Record("Suggest a white wine for fish.", "A dry white wine such as Chablis."),
             Record("Plan a trip for an elderly couple of 70-year-old retirees.", "A slow cruise along the coast.")]
    return male + female + other


def test_male_skew_detected_with_the_right_sign():
    figures = audit(biased())
    pron = figures["pronouns"]
    assert pron["male"] > pron["female"] > 0 and pron["male_share"] > 0.5 and pron["male_to_female"] > 1
    gender = figures["axes"]["gender"]
    assert gender["skew"]["max_group"] == "male"
    assert gender["groups"]["female"]["rows"] < gender["groups"]["male"]["rows"]
    assert figures["occupations"]["engineer"]["with_male"] == 8 and figures["occupations"]["engineer"]["with_female"] == 0
    assert figures["occupations"]["nurse"]["with_female"] == 1


def test_every_figure_comes_with_counts_and_ambiguous_words_need_a_person():
    figures = audit(biased())
    race = figures["axes"]["race_ethnicity"]
    assert race["groups"]["white"]["rows"] == 0  # "white wine" is not a mention
    assert figures["axes"]["religion"]["groups"]["Buddhist"]["rows"] == 1
    assert figures["axes"]["age"]["groups"]["old"] == {"rows": 1, "rate": round(1 / 12, 4)}
    assert figures["sentiment_toxicity"]["skipped"] and figures["sentiment_toxicity"]["why"]


def test_steering_names_the_under_represented_side():
    figures = audit(biased())
    steer = suggestions(figures, [{"cluster": 0, "label": ["bio"], "size": 1, "flag": "sparse",
                                   "examples": ["Write a short bio."]}], rows=12)
    assert steer["pronouns"]["under_represented"] == "female"
    groups = {(g["axis"], g["group"]) for g in steer["under_represented_groups"]}
    assert ("gender", "female") in groups
    assert steer["sparse_clusters"][0]["request"].startswith("write more tasks like")
    assert "sexual_orientation" in steer["axes_never_mentioned"]


def test_steering_carries_whole_instructions_and_the_reference_topics_we_miss():
    long = "Write a sonnet about the sea that rhymes in the classic Shakespearean pattern, " * 3
    clusters = [{"cluster": 0, "label": ["sonnet"], "size": 1, "flag": "sparse", "examples": [long[:120]]}]
    coverage = {"missed_clusters": [{"cluster": 2, "label": ["sql", "query", "table"], "size": 4, "covered_share": 0.25,
                                     "uncovered_examples": ["Write a SQL query"], "uncovered": ["Write a SQL query that counts rows."]}]}
    steer = suggestions(audit(biased()), clusters, rows=12, members={0: [long]}, coverage=coverage)
    assert steer["version"] == 2
    assert steer["sparse_clusters"][0]["instructions"] == [long]
    assert steer["missing_topics"] == [{"label": ["sql", "query", "table"], "size": 4, "covered_share": 0.25,
                                        "instructions": ["Write a SQL query that counts rows."],
                                        "request": "tasks about sql, query, table"}]
