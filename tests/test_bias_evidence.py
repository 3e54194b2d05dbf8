"""What the bias audit counts as evidence and what it will say: independent examples (a passage
asked many questions is one), no verdict without a chosen target, content words near the
mention (never stopwords or the group's own name), and no interval of width zero."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import ValidationError

from curate.bias.audit import audit, scan_all
from curate.bias.context_words import content_words, snippet, tokens
from curate.bias.intervals import scale_mean_ci
from curate.bias.units import independent_units
from curate.options import CurateOptions
from curate.pipeline import _bias_groups, curate
from seedling.record import Record
from tests.data.curate.planted import seed_records
from tests.helpers.embedders import BagOfWords


def rows(text: str, n: int, start: int = 0) -> list[Record]:
    return [Record(f"Task {start + i}: {text}", f"Answer {start + i}.") for i in range(n)]


def test_units_join_groups_and_pairs_transitively_in_row_order():
    units = independent_units(7, groups=[[4, 6]], pairs=[(1, 2), (2, 5)])
    assert units.tolist() == [0, 1, 1, 2, 3, 1, 3]
    assert independent_units(3).tolist() == [0, 1, 2]


def test_rows_of_one_example_count_once_everywhere():
    passage = rows("Mary said she would sail alone across the wide cold sea to find her brother.", 40)
    others = rows("He fixed the old engine in the shed.", 30, 100) + rows("She planted tomatoes in spring.", 30, 200)
    data = passage + others
    units = independent_units(len(data), groups=[range(40)])
    counted = audit(data, units=units)
    assert counted["evidence"]["independent_examples"] == 61 and counted["evidence"]["largest_unit_rows"] == 40
    female = counted["axes"]["gender"]["groups"]["female"]
    assert female["rows"] == 31 and counted["pronouns"]["rows_female_leaning"] == 31
    assert counted["sentiment"]["axes"]["gender"]["female"]["rows"] == 31
    as_rows = audit(data)
    assert as_rows["axes"]["gender"]["groups"]["female"]["rows"] == 70 and as_rows["evidence"]["source"] == "rows"
    assert scan_all(data).near_group[("gender", "female")]["sail"] == 40  # forty rows as forty votes ...
    assert scan_all(data, units=units).near_group[("gender", "female")]["sail"] == 1.0  # ... one example as one


def test_curate_counts_a_shared_passage_once_in_the_bias_audit(tmp_path):
    passage = ("Margaret Hale was a quiet woman who lived with her father in the northern mill town of Milton, "
               "where she taught the daughters of the workers to read and write and she walked to the river "
               "every evening alone.")
    questions = ["Where did she live?", "Whom did she teach?", "Where did she walk?", "With whom did she live?",
                 "What did she teach?"]
    shared = [Record(instruction=q, input=passage, output=f"Answer {i}.", source="generated")
              for i, q in enumerate(questions)]
    seeds = seed_records()[:20]
    result = curate(shared + seeds, CurateOptions(cache=str(tmp_path), tiers=["exact"]), embedder=BagOfWords())
    bias = result.audit.bias
    assert result.audit.dedup.shared_context["groups"] == 1
    assert bias.evidence["independent_examples"] == bias.rows - 4 and bias.evidence["source"] == "dedup"
    alone = audit(seeds)["axes"]["gender"]["groups"]["female"]["rows"]
    assert bias.axes["gender"].groups["female"].rows == alone + 1


def test_curate_counts_one_prompt_answered_many_times_once(tmp_path):
    prompt = "I want you to act as a babysitter for my three active boys tonight. What will you do?"
    answers = [Record(instruction=prompt, output=f"I will play {game} with your boys and he will sleep by nine.",
                      source=f"model-{i}") for i, game in enumerate(["chess", "tag", "cards", "football", "lego"])]
    seeds = seed_records()[:20]
    result = curate(answers + seeds, CurateOptions(cache=str(tmp_path), tiers=["exact"]), embedder=BagOfWords())
    bias = result.audit.bias
    assert result.audit.dedup.conflicts["groups"] == 1
    assert bias.evidence["independent_examples"] == bias.rows - 4 and "answer one prompt" in bias.evidence["rule"]
    alone = audit(seeds)["axes"]["gender"]["groups"]["male"]["rows"]
    assert bias.axes["gender"].groups["male"].rows == alone + 1


def test_no_target_means_shares_and_gaps_without_a_verdict():
    data = rows("He fixed the engine.", 70) + rows("She fixed the engine.", 30, 100)
    gender = audit(data)["axes"]["gender"]
    assert gender["verdict"] == "no target given: shares and gaps only" and gender["target_from"] is None
    assert "target" not in gender["groups"]["female"] and gender["groups"]["female"].get("finding") is None
    (gap,) = [g for g in gender["gaps"] if {g["more"], g["fewer"]} == {"male", "female"}]
    assert (gap["more"], gap["examples_more"], gap["examples_fewer"], gap["ratio"]) == ("male", 70, 30, 2.33)
    assert gap["differs"] and gap["ratio_ci_adjusted"][0] > 1
    assert audit(data)["pronouns"]["verdict"] == "no target given"


def test_a_gap_whose_share_is_all_but_certain_has_a_finite_odds_bound():
    """100K examples name one group, and the few naming the other name both: the share's lower
    bound is 0.99996, which rounds to 1; its odds bound is read from the unrounded share (it
    divided by zero, and curate of 500K built rows stopped there)."""
    from curate.bias.representation import gaps

    named = {"male": np.arange(100_000), "female": np.arange(5)}
    scans = SimpleNamespace(rows=lambda axis, group: named.get(group, np.zeros(0, dtype=np.int64)))
    (gap,) = gaps("gender", ["male", "female"], scans, 10)
    assert gap["share_ci_adjusted"][0] == 1.0 and gap["ratio"] is None
    assert gap["ratio_ci_adjusted"][0] > 10_000 and gap["ratio_ci_adjusted"][1] is None


def test_words_keep_their_hyphens_and_drop_stopwords_numbers_and_possessives():
    assert tokens("An e-mail from China's office, sent at 9 o'clock") == [
        "an", "e-mail", "from", "china", "office", "sent", "at", "9", "o'clock"]
    assert content_words("Some of them did it because it was over 2006 e-mails") == {"e-mails"}
    assert snippet("x " * 200 + "the e-mail arrived", "e-mail", 40).endswith("the e-mail arrived")


def test_associations_never_name_the_group_or_a_stopword_and_quote_the_word_near_the_mention():
    china = rows("The Chinese engineer from China sent an e-mail because some trade stopped.", 40)
    india = rows("The Indian farmer from India grew rice because some rain fell.", 40, 100)
    groups = audit(china + india)["associations"]["nationality"]["groups"]
    words = {g: [w["word"] for w in fig["words"]] for g, fig in groups.items()}
    assert "e-mail" in words["china"] and "farmer" in words["india"]
    named = {"china", "chinese", "india", "indian", "some", "because", "e", "mail", "from"}
    assert not named & {w for ws in words.values() for w in ws}
    email = next(w for w in groups["china"]["words"] if w["word"] == "e-mail")
    assert all("e-mail" in q and "Chinese" in q for q in email["examples"])


def test_no_interval_has_width_zero_and_thin_groups_are_too_few_to_tell():
    same = scale_mean_ci([0.5] * 30, -1.0, 1.0)
    assert same.ci95[0] < 0.5 < same.ci95[1]
    edge = scale_mean_ci([1.0] * 30, -1.0, 1.0)
    assert edge.ci95[0] < 1.0 == edge.ci95[1]
    data = rows("She is wonderful and kind.", 40) + rows("He is here.", 40, 100)
    constant = audit(data)["sentiment"]["axes"]["gender"]["female"]
    assert constant["ci95"][1] - constant["ci95"][0] > 0
    units = np.concatenate([np.arange(40) // 10, 4 + np.arange(40)])  # her 40 rows are 4 examples
    thin = audit(data, units=units)["sentiment"]["axes"]["gender"]["female"]
    assert thin["mean"] is None and thin["verdict"] == "too few to tell (4 of the 30 independent examples needed)"


def test_a_misspelt_target_group_is_an_error_not_a_silent_drop():
    with pytest.raises(ValidationError, match="bias_targets.gender: unknown group 'Female'; groups: female, male"):
        CurateOptions(bias_targets={"gender": {"Female": 0.5, "male": 0.5}})
    with pytest.raises(ValidationError, match="shares must be 0 or more and not all 0"):
        CurateOptions(bias_targets={"gender": {"female": 0, "male": 0}})


def test_a_topic_cluster_associates_like_a_word_and_quotes_its_rows():
    data = rows("She fixed the engine.", 40) + rows("He fixed the engine.", 40, 100)
    labels = [1] * 40 + [0] * 40
    groups = audit(data, scans=scan_all(data, labels))["associations"]["gender"]["groups"]
    (topic,) = groups["female"]["words"]
    assert topic["word"] == "[cluster 1]" and topic["rows_in_group"] == 40 and topic["rows_in_others"] == 0
    assert topic["examples"] == ["Task 0: She fixed the engine.", "Task 1: She fixed the engine."]


def test_the_reference_counts_a_shared_passage_once_too():
    from curate.bias.reference import compare

    passage = ("Margaret Hale was a quiet woman who lived with her father in the northern mill town of Milton, "
               "where she taught the daughters of the workers to read and write every single day of the week.")
    reference = [Record(instruction=f"Question {i}: what did she do on day {i}?", input=passage, output=f"Answer {i}.")
                 for i in range(10)] + rows("He fixed the engine.", 20, 100)
    data = rows("She fixed the engine.", 40)
    scans = scan_all(data)
    against = compare(scans, reference, audit(data, scans=scans), 30)
    assert against["evidence"]["independent_examples"] == 21 and against["rows"] == 30
    assert against["axes"]["gender"]["groups"]["female"]["reference_rows"] == 1


def test_the_maps_groups_of_a_row_come_in_one_order_whatever_order_the_scan_found_them():
    found = {("race", "asian"): np.array([0, 2]), ("age", "old"): np.array([2]), ("gender", "women"): np.array([2])}
    pool = SimpleNamespace(bias=SimpleNamespace(mentions=found))
    assert _bias_groups(pool, np.array([2, 0])) == [[["age", "old"], ["gender", "women"], ["race", "asian"]],
                                                    [["race", "asian"]]]


def test_content_words_from_the_scans_word_set_are_content_words(monkeypatch):
    """The scan reads a sentence's words once and takes its content words from them, each word judged
    once (also after the memory of judged words is emptied), as `content_words` reads them."""
    import unicodedata

    from curate.bias.context_words import ContentWords
    from seedling.text import words

    texts = ["The nurse's e-mail was over 2006 words.", "She did it; the CHEF cooked_rice and ﬁsh.",
             "The nurse was tired and the chef was not.", "O’Brien's o'clock is just fine, isn't it?", "The the the."] * 2
    read = ContentWords()
    monkeypatch.setattr(ContentWords, "JUDGED_MAX", 4)
    for text in texts:
        folded = unicodedata.normalize("NFKC", text).casefold()
        assert read(folded, set(words(text))) == content_words(text)
