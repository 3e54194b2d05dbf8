"""OpenAssistant's message trees, one message a row (as on the Hub) or one tree a row (as its
exports): a record per reply to the first prompt, its best-ranked continuation in extra turns."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from seedling import load, save
from seedling.errors import DataError


def message(mid, parent, role, text, rank=None, **fields):
    return {"message_id": mid, "parent_id": parent, "user_id": "u1", "created_date": "2023-02-05T10:00:00+00:00",
            "text": text, "role": role, "lang": "en", "review_count": 3, "review_result": True, "deleted": False,
            "rank": rank, "synthetic": False, "model_name": None, "message_tree_id": "t1",
            "tree_state": "ready_for_export", "labels": {"name": ["quality"], "value": [0.75], "count": [3]},
            **fields}


EGG = [
    message("p1", None, "prompter", "How do I boil an egg?"),
    message("a2", "p1", "assistant", "Put it in boiling water for nine minutes, then cool it.", 1),
    message("a1", "p1", "assistant", "Lower it into boiling water, cook 7-9 minutes, cool in ice water.", 0),
    message("f2", "a1", "prompter", "Why ice water?"),  # no reply: not the continuation
    message("f1", "a1", "prompter", "And a soft one?"),
    message("g2", "f1", "assistant", "Four minutes.", 1),
    message("g1", "f1", "assistant", "Six minutes gives a runny yolk.", 0),
    message("a3", "p1", "assistant", "buy my course", None, deleted=True),
    message("a4", "p1", "assistant", "eggs are bad", None, review_result=False),
    message("p2", None, "prompter", "Nobody answered this one.", message_tree_id="t2"),
]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def nested(messages, root_id):
    """The export's shape: each message holding its replies."""
    by_parent = {}
    for m in messages:
        by_parent.setdefault(m["parent_id"], []).append(m)

    def node(m):
        own = {k: v for k, v in m.items() if k not in ("parent_id", "message_tree_id", "tree_state")}
        return {**own, "replies": [node(r) for r in by_parent.get(m["message_id"], [])]}

    root = next(m for m in messages if m["message_id"] == root_id)
    return {"message_tree_id": root["message_tree_id"], "tree_state": "ready_for_export", "prompt": node(root)}


def test_a_reply_to_the_first_prompt_is_a_record_with_its_best_ranked_continuation(tmp_path):
    loaded = load(write_jsonl(tmp_path / "oasst.jsonl", EGG))
    assert loaded.format == "oasst"
    best, second = loaded.records
    assert best.instruction == second.instruction == "How do I boil an egg?"
    assert best.output.startswith("Lower it") and best.meta["rank"] == 0 and best.meta["answer_number"] == 1
    assert best.meta["extra_turns"] == [{"role": "user", "content": "And a soft one?"},
                                        {"role": "assistant", "content": "Six minutes gives a runny yolk."}]
    assert second.output.startswith("Put it") and "extra_turns" not in second.meta
    assert best.meta["message_id"] == "a1" and best.meta["prompt_id"] == "p1"
    assert best.meta["labels"]["value"] == [0.75] and "text" not in best.meta and "parent_id" not in best.meta
    note = loaded.notes[0]
    assert note.startswith("read 2 OpenAssistant message trees")
    assert "2 messages on other branches not read" in note  # f2 and g2
    assert "2 messages marked deleted or failed in review" in note
    assert "1 first prompt without a reply" in note


def test_the_exports_nested_trees_read_the_same(tmp_path):
    flat = load(write_jsonl(tmp_path / "flat.jsonl", EGG)).records
    trees = load(write_jsonl(tmp_path / "trees.jsonl", [nested(EGG, "p1"), nested(EGG, "p2")]))
    assert trees.format == "oasst"
    assert [(r.instruction, r.output, r.meta.get("extra_turns")) for r in trees.records] == \
        [(r.instruction, r.output, r.meta.get("extra_turns")) for r in flat]
    assert trees.records[0].meta["message_tree_id"] == "t1"


def test_the_hubs_parquet_reads_and_writes_back_as_chat_messages(tmp_path):
    path = tmp_path / "train-00000-of-00001.parquet"
    pq.write_table(pa.Table.from_pylist(EGG), path)
    records = load(path).records
    assert len(records) == 2
    out = tmp_path / "sft.jsonl"
    save(records, out, format="messages")
    first = json.loads(out.read_text().splitlines()[0])
    assert [m["role"] for m in first["messages"]] == ["user", "assistant", "user", "assistant"]


def test_a_message_whose_parent_is_missing_is_an_error_at_its_line(tmp_path):
    rows = [m for m in EGG if m["message_id"] != "f1"]  # g1 and g2 lose their parent
    path = write_jsonl(tmp_path / "cut.jsonl", rows)
    with pytest.raises(DataError) as err:
        load(path)
    assert err.value.where == "line 5" and "parent_id 'f1' is no message in this file" in str(err.value)
    loaded = load(path, skip_invalid=True)
    assert len(loaded.records) == 2 and len(loaded.skipped) == 2


def test_a_repeated_message_id_and_an_unknown_role_are_errors_naming_the_line(tmp_path):
    rows = EGG[:3] + [message("a1", "p1", "assistant", "again", 2)]
    with pytest.raises(DataError, match="line 4: message_id 'a1' is also at line 3"):
        load(write_jsonl(tmp_path / "twice.jsonl", rows))
    rows = EGG[:2] + [message("a9", "p1", "moderator", "hm", 0)]
    with pytest.raises(DataError, match="line 3: message 'a9' has role 'moderator'"):
        load(write_jsonl(tmp_path / "role.jsonl", rows))


def test_a_tree_row_without_a_message_is_an_error_naming_its_line(tmp_path):
    rows = [nested(EGG, "p1"), {"message_tree_id": "t9", "prompt": {"role": "prompter"}}]
    with pytest.raises(DataError, match="line 2: prompt should be a message with a 'text'"):
        load(write_jsonl(tmp_path / "trees.jsonl", rows))
