"""Reading files as people have them: end-of-text markers, their own column names, a JSON
object holding the rows, DatasetDict splits, and prompts without answers."""

import gzip
import json

import pytest

from seedling import load, save
from seedling.errors import ConfigError, DataError
from seedling.formats import Source, parse_mapping
from seedling.formats.markers import strip_end_markers
from seedling.record import PROMPTS_SOURCE


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("marker", ["<|endoftext|>", "</s>", "<|im_end|>", "<|eot_id|>", "<eos>"])
def test_end_markers_are_stripped_from_the_end_of_answers_and_counted(tmp_path, marker):
    path = write_jsonl(tmp_path / "t0.jsonl", [
        {"prompt": "Is the sky blue?", "completion": f" yes{marker}"},
        {"prompt": "Name a colour.", "completion": f"red {marker} \n"},
        {"prompt": "Quote the marker.", "completion": f"It is {marker} in the middle."},
    ])
    loaded = load(path)
    assert [r.output for r in loaded.records] == [" yes", "red", f"It is {marker} in the middle."]
    assert any("stripped 2 end-of-text markers" in n for n in loaded.notes)


def test_t0_shaped_rows_lose_their_endoftext_marker(tmp_path):
    """T0's rows (prompt, completion, source, template) end every completion with the marker."""
    rows = [{"prompt": f"Passage {i}. Question: is it {i}?", "completion": "Yes<|endoftext|>",
             "source": "wiki_qa", "template": "Is This True?"} for i in range(60)]
    path = tmp_path / "t0.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    loaded = load(path)
    assert loaded.format == "prompt_completion" and {r.output for r in loaded.records} == {"Yes"}
    assert loaded.records[0].meta == {"source": "wiki_qa", "template": "Is This True?"}
    assert any("stripped 60 end-of-text markers" in n for n in loaded.notes)


def test_strip_end_markers_takes_repeats_and_leaves_clean_text_alone():
    assert strip_end_markers("a</s><|endoftext|>\n") == ("a", 2)
    assert strip_end_markers("plain answer ") == ("plain answer ", 0)


def test_an_answer_that_is_only_a_marker_is_a_bad_row(tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", [{"instruction": "a", "output": "<|endoftext|>"}])
    with pytest.raises(DataError, match=r"x.jsonl: line 1: field 'output' holds nothing but an end-of-text marker"):
        load(path)


def test_custom_columns_map_onto_a_format(tmp_path):
    path = write_jsonl(tmp_path / "qa.jsonl", [{"text": "What is 2+2?", "Answer1": "4", "Answer2": "four"}])
    with pytest.raises(DataError, match="--map instruction=COLUMN,output=COLUMN"):
        load(path)
    loaded = load(path, mapping=parse_mapping("instruction=text, output=Answer1"))
    (r,) = loaded.records
    assert (loaded.format, r.instruction, r.output, r.meta) == ("alpaca", "What is 2+2?", "4", {"Answer2": "four"})
    assert "mapped text -> instruction, Answer1 -> output" in loaded.notes


def test_map_errors_name_the_column_and_the_row(tmp_path):
    path = write_jsonl(tmp_path / "qa.jsonl", [{"text": "q", "Answer1": "a"}, {"text": "q2"}])
    with pytest.raises(DataError, match=r"qa.jsonl: line 2: --map names column 'Answer1', which this row lacks"):
        load(path, mapping={"instruction": "text", "output": "Answer1"})
    with pytest.raises(ConfigError, match="is not FIELD=COLUMN"):
        parse_mapping("instruction:text")
    clash = write_jsonl(tmp_path / "clash.jsonl", [{"instruction": "i", "output": "o", "better": "b"}])
    with pytest.raises(DataError, match="already has a column 'output'"):
        load(clash, mapping={"output": "better"})
    assert load(clash, mapping={"output": "better", "draft": "output"}).records[0].meta == {"draft": "o"}


def test_a_pretty_printed_json_object_holding_the_rows_is_read(tmp_path):
    doc = {"Meta_Info": {"name": "export", "rows": 2},
           "data": [{"instruction": "a", "output": "b"}, {"instruction": "c", "output": "d"}]}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc, indent=2))
    loaded = load(path)
    assert [r.output for r in loaded.records] == ["b", "d"]
    assert "read the 2 records under 'data' of a JSON object (other keys, not read: Meta_Info)" in loaded.notes
    one_line = tmp_path / "export.jsonl"
    one_line.write_text(json.dumps(doc))
    again = load(one_line)
    assert [r.output for r in again.records] == ["b", "d"] and again.notes == loaded.notes


def test_json_path_picks_one_of_several_lists(tmp_path):
    doc = {"train": {"rows": [{"instruction": "a", "output": "b"}]}, "test": [{"instruction": "c", "output": "d"}]}
    path = tmp_path / "two.json"
    path.write_text(json.dumps(doc, indent=1))
    with pytest.raises(DataError, match=r"several lists of records \(train.rows, test\); name one with --json-path"):
        load(path)
    assert [r.output for r in load(path, json_path="train.rows").records] == ["b"]
    with pytest.raises(DataError, match="--json-path valid: no key 'valid'"):
        load(path, json_path="valid")


def test_a_broken_pretty_printed_object_names_the_line_of_the_fault(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "data": [\n    {"instruction": "a", "output": "b"},\n  ]\n}\n')
    with pytest.raises(DataError, match=r"broken.json: line 4: invalid JSON"):
        load(path)


def test_a_datasetdict_says_which_split_it_read_and_reads_all_on_request(tmp_path):
    import datasets

    rows = [{"instruction": f"q{i}", "output": f"a{i}"} for i in range(5)]
    datasets.DatasetDict({"train": datasets.Dataset.from_list(rows[:3]),
                          "test": datasets.Dataset.from_list(rows[3:])}).save_to_disk(str(tmp_path / "dd"))
    loaded = load(tmp_path / "dd")
    assert len(loaded.records) == 3
    assert any("read split 'train' (3 rows)" in n and "test (2 rows)" in n and "--split all" in n
               for n in loaded.notes)
    assert len(load(tmp_path / "dd", split="all").records) == 5
    assert load(tmp_path / "dd", split="test").notes == []


@pytest.mark.parametrize("rows", [
    [{"instruction": "Write a haiku."}, {"instruction": "Sort this.", "input": "3 1 2"}],
    [{"prompt": "Write a haiku."}, {"prompt": "Sort this.", "context": "3 1 2"}],
])
def test_prompt_only_files_read_as_prompts_with_empty_outputs(tmp_path, rows):
    path = write_jsonl(tmp_path / "prompts.jsonl", rows)
    loaded = load(path)
    assert loaded.format == "prompts" and loaded.prompt_only
    assert [(r.instruction, r.input, r.output, r.source) for r in loaded.records] == [
        ("Write a haiku.", "", "", PROMPTS_SOURCE), ("Sort this.", "3 1 2", "", PROMPTS_SOURCE)]
    assert any(n.startswith("prompt-only data: 2 prompts without answers") for n in loaded.notes)


def test_prompt_only_data_survives_a_round_trip_but_answers_are_not_dropped_silently(tmp_path):
    from seedling import save

    loaded = load(write_jsonl(tmp_path / "p.jsonl", [{"instruction": "a"}, {"instruction": "b"}]))
    for name in ("p.parquet", "p.csv", "p2.jsonl"):
        save(loaded.records, tmp_path / name)
        again = load(tmp_path / name)
        assert again.records == loaded.records and again.prompt_only
    mixed = write_jsonl(tmp_path / "mixed.jsonl", [{"instruction": "a"}, {"instruction": "b", "output": "c"}])
    with pytest.raises(DataError, match=r"mixed.jsonl: line 2: has an answer \('output'\)"):
        load(mixed)


def test_a_file_with_answers_is_not_prompt_only(tmp_path):
    source = Source(write_jsonl(tmp_path / "a.jsonl", [{"instruction": "a", "output": "b"}]))
    list(source)
    assert not source.prompt_only and not any("prompt-only" in n for n in source.notes)


def test_json_path_on_what_is_not_json_is_one_clear_line(tmp_path):
    with pytest.raises(DataError, match="missing.json: no such file"):
        load(tmp_path / "missing.json", json_path="data")
    path = tmp_path / "x.csv"
    path.write_text("instruction,output\na,b\n")
    with pytest.raises(DataError, match="--json-path names a key in a JSON file; this is csv"):
        load(path, json_path="data")


def test_a_row_holding_a_list_is_a_row_unless_it_is_the_whole_file(tmp_path):
    rows = [{"text": "q1", "answers": [{"a": "x"}]}, {"text": "q2", "answers": [{"a": "y"}]}]
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    with pytest.raises(DataError, match=r"rows.jsonl: line 1: fields \['answers', 'text'\] match no known format"):
        load(path)
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps({"meta": {"n": 1}, "rows": [{"text": "q", "Answer1": "a"}]}) + "\n")
    loaded = load(one, mapping={"instruction": "text", "output": "Answer1"})
    assert [(r.instruction, r.output) for r in loaded.records] == [("q", "a")]


def test_a_text_only_file_reads_as_prompts_through_map(tmp_path):
    path = write_jsonl(tmp_path / "queries.jsonl", [{"text": "How do I boil an egg?"}, {"text": "Why is the sky blue?"}])
    with pytest.raises(DataError, match=r"line 1: field 'text' is in no chat template .*--map instruction=text reads"):
        load(path)
    loaded = load(path, mapping={"instruction": "text"})
    assert loaded.format == "prompts" and loaded.prompt_only and len(loaded.records) == 2


@pytest.mark.parametrize("fields, format", [(("question", "answer"), "question_answer"),
                                            (("question", "response"), "question_response"),
                                            (("prompt", "response"), "prompt_response"),
                                            (("query", "response"), "query_response")])
def test_common_question_answer_namings_are_read_with_their_other_fields_in_meta(tmp_path, fields, format):
    ask, reply = fields
    path = write_jsonl(tmp_path / "qa.jsonl", [{ask: "What is 2+2?", reply: "4", "level": 1}])
    loaded = load(path)
    [record] = loaded.records
    assert loaded.format == format and (record.instruction, record.output, record.meta["level"]) == ("What is 2+2?", "4", 1)


def test_preference_pairs_train_on_the_chosen_answer_and_keep_the_rejected_one(tmp_path):
    chat = [{"role": "user", "content": "Name a fruit."}, {"role": "assistant", "content": "An apple."}]
    path = write_jsonl(tmp_path / "dpo.jsonl", [
        {"prompt": "Say hi.", "chosen": "Hi!", "rejected": "No."},
        {"prompt": "Name a fruit.", "chosen": chat, "rejected": chat[:1] + [{"role": "assistant", "content": "A rock."}]},
        {"prompt": [{"role": "user", "content": "Count to two."}], "chosen": [{"role": "assistant", "content": "1, 2"}],
         "rejected": [{"role": "assistant", "content": "3"}]},
    ])
    loaded = load(path)
    assert loaded.format == "preference"
    assert [(r.instruction, r.output) for r in loaded.records] == [("Say hi.", "Hi!"), ("Name a fruit.", "An apple."),
                                                                   ("Count to two.", "1, 2")]
    assert loaded.records[0].meta["rejected"] == "No." and loaded.records[1].meta["rejected"][1]["content"] == "A rock."


@pytest.mark.parametrize("key", ["question", "query"])
def test_questions_without_answers_are_prompts(tmp_path, key):
    loaded = load(write_jsonl(tmp_path / "q.jsonl", [{key: "How do I bake bread?", "lang": "en"}]))
    assert loaded.format == "prompts" and loaded.records[0].instruction == "How do I bake bread?"


@pytest.mark.parametrize("key, names", [("conversations", ("role", "content")), ("messages", ("from", "value")),
                                        ("conversation", ("role", "content"))])
def test_chat_turns_are_read_under_either_naming(tmp_path, key, names):
    role, text = names
    turns = [{role: "user", text: "Hi?"}, {role: "assistant", text: "Hello."}]
    [record] = load(write_jsonl(tmp_path / "chat.jsonl", [{key: turns}])).records
    assert (record.instruction, record.output) == ("Hi?", "Hello.")


TEMPLATED = [
    "### Human: Name a fruit.### Assistant: An apple.### Human: Another?### Assistant: A pear.",
    "Below is an instruction.\n\n### Instruction:\nName a fruit.\n\n### Input:\nred\n\n### Response:\nAn apple.",
    "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nName a fruit.<|im_end|>\n"
    "<|im_start|>assistant\nAn apple.<|im_end|>",
    "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nName a fruit. [/INST] An apple. </s>",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nName a fruit.<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\nAn apple.<|eot_id|>",
]


@pytest.mark.parametrize("text", TEMPLATED, ids=["guanaco", "alpaca", "chatml", "llama2", "llama3"])
def test_a_conversation_in_a_chat_template_is_split_into_its_turns(tmp_path, text):
    loaded = load(write_jsonl(tmp_path / "sft.jsonl", [{"text": text}]))
    [record] = loaded.records
    assert loaded.format == "templated" and (record.instruction, record.output) == ("Name a fruit.", "An apple.")
    assert record.meta.get("system", "Be brief.") == "Be brief."
    assert record.input == ("red" if "### Input" in text else "")
    if text.startswith("### Human"):
        assert record.meta["extra_turns"][1] == {"role": "assistant", "content": "A pear."}


def test_the_words_before_a_chats_first_turn_are_its_system_prompt(tmp_path):
    text = "A chat between a curious human and an assistant. ### Human: Name a fruit. ### Assistant: An apple."
    [record] = load(write_jsonl(tmp_path / "vicuna.jsonl", [{"text": text}])).records
    assert (record.instruction, record.output) == ("Name a fruit.", "An apple.")
    assert record.meta["system"] == "A chat between a curious human and an assistant."


def test_headers_as_a_spreadsheet_writes_them_are_read_and_the_folding_is_said(tmp_path):
    src = tmp_path / "qa.csv"
    src.write_text('Prompt, Response ,Model\n"Name two\nprimes.","2 and 3",m1\n', encoding="utf-8")
    source = Source(src)
    (record,) = list(source)
    assert (record.instruction, record.output, record.meta) == ("Name two\nprimes.", "2 and 3", {"model": "m1"})
    assert source.format == "prompt_response"
    assert "read field names regardless of case: 'Prompt' -> 'prompt', ' Response ' -> 'response', 'Model' -> 'model'" in source.notes


def test_an_answer_column_in_another_case_is_an_answer_not_metadata(tmp_path):
    src = write_jsonl(tmp_path / "rows.jsonl", [{"prompt": "Name a prime.", "Response": "7"}])
    (record,) = load(src).records
    assert (record.instruction, record.output) == ("Name a prime.", "7")


def test_names_that_fold_into_one_are_not_guessed(tmp_path):
    src = write_jsonl(tmp_path / "rows.jsonl", [{"prompt": "a", "Prompt": "b", "Response": "c"}])
    with pytest.raises(DataError, match="match no known format"):
        load(src)


def test_a_pool_of_answers_per_prompt_reads_as_one_record_per_answer(tmp_path):
    """UltraFeedback's `completions` and Nectar's `answers` were read as prompts, their answers
    left unseen in meta."""
    ultrafeedback = {"source": "evol_instruct", "instruction": "Name three primary colours.",
                     "completions": [{"model": "gpt-4", "response": "Red, yellow and blue.", "overall_score": 8.5},
                                     {"model": "llama-2-7b", "response": "Green.", "overall_score": 3.0}]}
    nectar = {"prompt": "\n\nHuman: What is 2+2?\n\nAssistant:", "turns": 1,
              "answers": [{"answer": "4", "model": "gpt-4", "rank": 1.0},
                          {"answer": "Four.", "model": "llama", "rank": 2.0}]}
    texts = {"question": "Capital of Peru?", "responses": ["Lima.", "Cusco."]}
    for row, asked in [(ultrafeedback, "Name three primary colours."), (nectar, "What is 2+2?"),
                       (texts, "Capital of Peru?")]:
        path = tmp_path / "pool.jsonl"
        path.write_text(json.dumps(row) + "\n")
        loaded = load(path)
        assert loaded.format == "answers" and {r.instruction for r in loaded.records} == {asked}
        assert [r.meta["answer_number"] for r in loaded.records] == [1, 2]
    first, second = load(tmp_path / "pool.jsonl").records
    assert (first.output, second.output) == ("Lima.", "Cusco.")
    path.write_text(json.dumps(ultrafeedback) + "\n")
    good, bad = load(path).records
    assert (good.output, good.meta["model"], good.meta["overall_score"], good.meta["source"]) == (
        "Red, yellow and blue.", "gpt-4", 8.5, "evol_instruct")
    path.write_text(json.dumps({"instruction": "Hi", "completions": [{"model": "x", "score": 1}, "Hello.", ""]}) + "\n")
    with pytest.raises(DataError, match=r"pool.jsonl: line 1, answer 1 of 'completions': is neither text nor an "):
        load(path)
    source = Source(path, skip_invalid=True)
    assert [r.output for r in source] == ["Hello."]  # the prompt's good answer is kept, the bad ones skipped alone
    assert [e.where for e in source.skipped] == ["line 1, answer 1 of 'completions'", "line 1, answer 3 of 'completions'"]


def test_hh_rlhf_pairs_and_transcripts_read_as_conversations(tmp_path):
    """Anthropic's HH-RLHF: `chosen` and `rejected` transcripts and no prompt, which was refused."""
    chosen = ("\n\nHuman: How do I bake bread?\n\nAssistant: Knead, rise, bake."
              "\n\nHuman: How long?\n\nAssistant: 40 min.")
    path = tmp_path / "hh.jsonl"
    path.write_text(json.dumps({"chosen": chosen, "rejected": "\n\nHuman: How do I bake bread?\n\nAssistant: No."})
                    + "\n" + json.dumps({"chosen": "no template here", "rejected": "x"}) + "\n")
    source = Source(path, skip_invalid=True)
    (record,) = list(source)
    assert (record.instruction, record.output) == ("How do I bake bread?", "Knead, rise, bake.")
    assert record.meta["extra_turns"][-1] == {"role": "assistant", "content": "40 min."}
    assert "must be the whole conversation" in str(source.skipped[0])
    text = tmp_path / "text.jsonl"
    text.write_text(json.dumps({"text": "Human: Hi there\n\nAssistant: Hello!"}) + "\n")
    (record,) = load(text).records
    assert (record.instruction, record.output) == ("Hi there", "Hello!")


def test_flan_inputs_targets_bare_input_output_and_openorca_system_prompts(tmp_path):
    rows = [({"inputs": "Translate to French: cat", "targets": "chat", "task": "wmt"}, "inputs_targets"),
            ({"input": "Translate to French: cat", "output": "chat"}, "input_output"),
            ({"id": "niv.1", "system_prompt": "Be brief.", "question": "Translate to French: cat", "response": "chat"},
             "question_response")]
    for row, format in rows:
        loaded = load(write_jsonl(tmp_path / "r.jsonl", [row]))
        (record,) = loaded.records
        assert loaded.format == format and (record.instruction, record.output) == ("Translate to French: cat", "chat")
    assert record.meta == {"source_id": "niv.1", "system": "Be brief."}  # where chats keep it, so it is written back
    save([record], tmp_path / "m.jsonl", format="messages")
    assert json.loads((tmp_path / "m.jsonl").read_text())["messages"][0] == {"role": "system", "content": "Be brief."}
    (blank,) = load(write_jsonl(tmp_path / "r.jsonl", [{**rows[2][0], "system_prompt": ""}])).records
    assert "system" not in blank.meta and "system_prompt" not in blank.meta
