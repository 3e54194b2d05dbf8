"""The bias audit: findings only where a Wilson interval excludes a target the user gave, "too
few to tell" below the minimum, associations and sentiment by group with examples and intervals."""

from __future__ import annotations

from curate.bias.audit import audit, scan_all
from curate.bias.reference import compare
from curate.bias.steering import suggestions as steering_file
from seedling.record import Record

EVEN = {"gender": {"female": 0.5, "male": 0.5}}


def rows(text: str, n: int, start: int = 0) -> list[Record]:
    return [Record(f"Task {start + i}: {text}", f"Answer {start + i}.") for i in range(n)]


def skewed(male: int, female: int) -> list[Record]:
    return (rows("Write a bio of the engineer. He designs bridges and his team admires him.", male)
            + rows("Write a bio of the nurse. She is kind and her patients love her.", female, 1000))


def test_a_real_skew_is_a_finding_with_the_right_sign():
    figures = audit(skewed(60, 20), targets=EVEN)
    gender = figures["axes"]["gender"]
    assert gender["skew"]["under_represented"] == ["female"] and gender["skew"]["over_represented"] == ["male"]
    female = gender["groups"]["female"]
    assert female["share"] == 0.25 and female["share_ci95"][1] < female["target"] == 0.5
    assert figures["pronouns"]["under_represented"] == "female"
    assert figures["pronouns"]["rows_female_leaning"] == 20 and figures["pronouns"]["rows_male_leaning"] == 60


def test_few_rows_say_too_few_and_balanced_rows_no_finding():
    small = audit(skewed(8, 1), targets=EVEN)
    assert small["axes"]["gender"]["verdict"].startswith("too few to tell (9 of the 30 independent examples")
    assert small["axes"]["gender"]["skew"]["under_represented"] == []
    assert small["pronouns"]["under_represented"] is None and small["pronouns"]["verdict"].startswith("too few")
    assert small["axes"]["religion"]["verdict"].startswith("too few to tell (0 of")
    balanced = audit(skewed(40, 40), targets=EVEN)
    assert balanced["axes"]["gender"]["verdict"] == "no finding"
    assert balanced["pronouns"]["verdict"] == "no finding"


def test_a_given_target_moves_the_verdict():
    figures = audit(skewed(60, 20), targets={"gender": {"female": 0.25, "male": 0.75}})
    assert figures["axes"]["gender"]["verdict"] == "no finding"
    assert figures["axes"]["gender"]["target_from"] == "bias_targets"


def test_occupation_gender_link_is_tested_against_the_rest():
    data = (rows("The engineer said he would come.", 36) + rows("The engineer said she would come.", 4, 100)
            + rows("The teacher said he would come.", 20, 200) + rows("The teacher said she would come.", 20, 300))
    occ = audit(data)["occupations"]
    assert occ["engineer"]["finding"] == "leans male" and occ["engineer"]["gendered_rows"] == 40
    assert occ["teacher"]["finding"] == "leans female"  # 50 % against 10 % in the engineer rows
    assert occ["engineer"]["difference"]["ci95"][1] < 0


def test_ambiguous_words_need_a_person():
    figures = audit([Record("Suggest a white wine for fish.", "A dry white wine such as Chablis."),
                     Record("Describe a day in the life of a Buddhist monk.", "He wakes early.")])
    assert figures["axes"]["race_ethnicity"]["groups"]["white"]["rows"] == 0
    assert figures["axes"]["religion"]["groups"]["Buddhist"]["rows"] == 1


def test_associations_name_the_over_used_words_with_example_rows():
    data = (rows("She is a nurse and she loves knitting.", 30) + rows("He is a pilot and he loves football.", 30, 100))
    assoc = audit(data)["associations"]["gender"]["groups"]
    female_words = [w["word"] for w in assoc["female"]["words"]]
    assert {"nurse", "knitting"} <= set(female_words) and "she" not in female_words
    assert {"pilot", "football"} <= {w["word"] for w in assoc["male"]["words"]}
    nurse = next(w for w in assoc["female"]["words"] if w["word"] == "nurse")
    assert nurse["rows_in_group"] == 30 and nurse["rows_in_others"] == 0 and "nurse" in nurse["examples"][0]
    few = audit(data[:5] + data[30:35])["associations"]["gender"]
    assert few["verdict"].startswith("too few to tell") and few["groups"] == {}


def test_sentiment_by_group_has_intervals_and_flags_a_real_gap():
    data = (rows("She is wonderful, kind and brilliant.", 35) + rows("He is awful, cruel and stupid.", 35, 100))
    sent = audit(data)["sentiment"]["axes"]["gender"]
    assert sent["female"]["finding"] == "more positive" and sent["male"]["finding"] == "more negative"
    assert sent["female"]["ci95"][0] > 0 > sent["male"]["ci95"][1]
    assert audit(data[:3] + data[35:38])["sentiment"]["axes"]["gender"]["female"]["finding"] is None


def test_sentiment_scored_on_two_cores_is_the_same(monkeypatch):
    from curate import parallel
    from curate.bias import sentiment

    data = (rows("She is wonderful, kind and brilliant. Her day was fine.", 35)
            + rows("He is awful, cruel and stupid.", 35, 100) + rows("The man was sad. He cried.", 31, 200))
    one = audit(data)["sentiment"]
    monkeypatch.setattr(sentiment, "SENTENCES_A_CORE", 1)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    assert audit(data)["sentiment"] == one
    assert one["axes"]["gender"]["male"]["rows"] == 66


def suggestions(*args, **kwargs) -> dict:
    """steering.json's content."""
    return steering_file(*args, **kwargs).model_dump()


def test_steering_follows_findings_not_noise():
    trans = [Record("Describe a trans woman's day.", "She works.")]
    noise = suggestions(audit(skewed(8, 1) + trans, EVEN), [], rows=10)
    assert noise["pronouns"] is None and noise["under_represented_groups"] == []
    assert suggestions(audit(skewed(60, 20)), [], rows=80)["pronouns"] is None  # no target: nothing to steer to
    steer = suggestions(audit(skewed(60, 20), EVEN), [], rows=80)
    assert steer["pronouns"]["under_represented"] == "female"
    assert steer["pronouns"]["female_row_share_ci95"][1] < 0.5
    assert all(r.startswith('write a variant of this task about women and girls') and "engineer" in r
               for r in steer["pronouns"]["requests"])
    (hint,) = [h for h in steer["under_represented_groups"] if not h["occupation"]]
    assert (hint["axis"], hint["group"]) == ("gender", "female") and hint["share_ci95"][1] < hint["target"]
    assert hint["quoted_row"].startswith("Task 0: Write a bio of the engineer") and f'"{hint["quoted_row"]}"' in hint["request"]
    assert hint["example_terms"] == []  # no descriptor lists


def test_steering_asks_to_vary_an_occupation_that_leans_to_one_gender():
    data = (rows("The engineer said he would come.", 36) + rows("The engineer said she would come.", 4, 100)
            + rows("The teacher said he would come.", 20, 200) + rows("The teacher said she would come.", 20, 300))
    hints = {h["occupation"]: h for h in suggestions(audit(data), [], rows=80)["under_represented_groups"] if h["occupation"]}
    assert hints["engineer"]["request"] == ('write a variant of this task in which the engineer is a woman: '
                                            '"Task 0: The engineer said he would come."')
    assert hints["teacher"]["group"] == "male"


def test_steering_carries_whole_instructions_and_the_reference_topics_we_miss():
    long = "Write a sonnet about the sea that rhymes in the classic Shakespearean pattern, " * 3
    clusters = [{"cluster": 0, "label": ["sonnet"], "size": 1, "flag": "sparse", "examples": [long[:120]]}]
    coverage = {"missed_clusters": [{"cluster": 2, "label": ["sql", "query", "table"], "size": 4, "covered_share": 0.25,
                                     "uncovered_examples": ["Write a SQL query"], "uncovered": ["Write a SQL query that counts rows."],
                                     "central": "Write a SQL query that counts rows.", "rows_landed": 1}]}
    steer = suggestions(audit(skewed(8, 1)), clusters, rows=9, members={0: [long]}, coverage=coverage)
    assert steer["version"] == 2
    assert steer["sparse_clusters"][0]["instructions"] == [long]
    assert steer["sparse_clusters"][0]["request"].startswith("write more tasks like")
    assert steer["missing_topics"] == [{"label": ["sql", "query", "table"], "size": 4, "covered_share": 0.25,
                                        "instructions": ["Write a SQL query that counts rows."],
                                        "central": "Write a SQL query that counts rows.", "rows_landed": 1, "targets": [],
                                        "request": 'tasks like "Write a SQL query that counts rows."'}]


def test_reference_comparison_has_intervals_and_finds_only_real_differences():
    data = skewed(90, 30)
    scans = scan_all(data)
    figures = audit(data, scans=scans)
    assert figures["axes"]["gender"]["verdict"] == "no target given: shares and gaps only"
    against_balanced = compare(scans, skewed(60, 60), figures, 30)
    female = against_balanced["axes"]["gender"]["groups"]["female"]
    assert female["share"] == 0.25 and female["reference_share"] == 0.5 and female["share_difference"]["ci95"][1] < 0
    assert female["finding"] == "less than the reference" and against_balanced["pronouns"]["verdict"] == "differs"
    assert against_balanced["associations"]["gender"]["female"][0]["reference_z"] is not None
    against_same = compare(scans, skewed(90, 30), figures, 30)
    assert against_same["axes"]["gender"]["verdict"] == "no finding"
    assert compare(scans, skewed(5, 5), figures, 30)["axes"]["gender"]["verdict"].startswith("too few to tell")


def test_the_dataset_card_states_findings_and_thin_axes_not_noise():
    from seedling.curate_audit import Bias
    from seedling.run.report.card import bias_limits

    limits = bias_limits(Bias.model_validate(audit(skewed(60, 20), EVEN)))
    assert any(line.startswith("gender: female is under-represented, 25% of the axis' mentions") for line in limits)
    assert any(line.startswith("Too few to tell for race_ethnicity, religion") for line in limits)
    assert not any("female is" in line for line in bias_limits(Bias.model_validate(audit(skewed(8, 1), EVEN))))
    untargeted = bias_limits(Bias.model_validate(audit(skewed(60, 20))))
    assert not any("is under-represented" in line or "is over-represented" in line for line in untargeted)
    assert any(line.startswith("No target was given") for line in untargeted)


def test_association_counts_from_sets_of_groups_named_match_the_rows():
    both = rows("She and he both play chess with the vicar.", 12, 500)  # names female AND male
    data = (rows("She is a nurse and she loves knitting.", 60) + rows("He is a pilot and he loves football.", 60, 100)
            + both)
    scans = scan_all(data)
    assert set(scans.near_named["gender"]) == {frozenset({"female"}), frozenset({"male"}),
                                               frozenset({"female", "male"})}
    groups = audit(data, scans=scans)["associations"]["gender"]["groups"]
    assert (groups["female"]["rows"], groups["female"]["other_rows"]) == (72, 60)  # the 12 count on her side only
    words = {w["word"]: w for w in groups["female"]["words"]}
    assert [w["word"] for w in groups["female"]["words"]] == ["knitting", "nurse"]  # equal z: alphabetical
    assert (words["knitting"]["rows_in_group"], words["knitting"]["rows_in_others"]) == (60, 0)
    assert words["knitting"]["examples"] == ["She is a nurse and she loves knitting."] * 2
    male = {w["word"]: w for w in groups["male"]["words"]}
    assert (male["football"]["rows_in_group"], male["football"]["rows_in_others"]) == (60, 0)


def test_the_request_lines_put_missing_topics_before_people():
    coverage = {"missed_clusters": [{"cluster": 2, "label": ["sql"], "size": 4, "covered_share": 0.25,
                                     "uncovered_examples": [], "uncovered": ["Write a SQL query."],
                                     "central": "Write a SQL query.", "rows_landed": 1}]}
    steer = steering_file(audit(skewed(60, 20), EVEN), [], rows=80, coverage=coverage)
    assert steer.requests() == ['tasks like "Write a SQL query."', *steer.people_requests()]
    assert steer.people_requests()


def test_the_audit_is_the_same_under_any_hash_seed():
    import json
    import os
    import subprocess
    import sys

    code = ("import json; from curate.bias.audit import audit; from seedling.record import Record; "
            "data = [Record(f'Task {i}: the nurse, the pilot, the chef and the farmer met; he left.', 'Ok.') "
            "for i in range(12)]; print(json.dumps(audit(data)))")
    orders = {seed: json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout)
              for seed in ("1", "2", "3")}
    assert len(orders["1"]["occupations"]) == 4  # four tied on rows: their order came from a set's
    assert all(json.dumps(order) == json.dumps(orders["1"]) for order in orders.values())


def test_the_sentences_kept_from_the_scan_are_those_a_second_scan_finds(monkeypatch):
    from curate import parallel

    monkeypatch.setattr(parallel, "MIN_ROWS", 10)
    monkeypatch.setattr(parallel, "cores", lambda: 3)  # three workers: their spans are joined in order
    data = (skewed(20, 15) + rows("No one here. Her aunt: a chef!\n\nHe said so.", 5, 300)
            + [Record("Plain text.", "Nothing.", input="The mother and the father.  Met the gay couple.")] * 3)
    scans = scan_all(data)
    assert all(scans.sentences(i) == scans.rescan(i).sentences for i in range(len(data)))
    assert scans.sentences(len(data) - 1)[0][0] == "The mother and the father."  # the input's sentence
    assert sum(len(scans.sentences(i)) > 1 for i in range(len(data))) == 8
