"""People's own chat exports: ChatGPT's and Claude's conversations.json, one conversation an
item, read as chats (the first exchange the pair, later turns in extra_turns)."""

import json

import pytest

from seedling import load
from seedling.formats import save
from seedling.errors import DataError


def node(mid, parent, children, role=None, parts=None, content_type="text", recipient="all", hidden=False):
    message = None if role is None else {
        "id": mid, "author": {"role": role, "name": None, "metadata": {}}, "create_time": 1700000000.0,
        "content": {"content_type": content_type, "parts": parts or []}, "status": "finished_successfully",
        "recipient": recipient, "metadata": {"is_visually_hidden_from_conversation": hidden} if hidden else {}}
    return mid, {"id": mid, "message": message, "parent": parent, "children": children}


def chatgpt_conversation():
    """A system prompt, a question edited once (the kept branch is the second), an answer that ran
    code before it finished, and an image pasted with the follow-up."""
    nodes = dict([
        node("root", None, ["sys"]),
        node("sys", "root", ["q1", "q1b"], "system", [""], hidden=True),
        node("q1", "sys", ["a1"], "user", ["What is 2**100?"]),
        node("a1", "q1", [], "assistant", ["A big number."]),
        node("q1b", "sys", ["call"], "user", ["Compute 2**100 exactly, please."]),
        node("call", "q1b", ["out"], "assistant", ["print(2**100)"], content_type="code", recipient="python"),
        node("out", "call", ["a2"], "tool", [], content_type="execution_output"),
        node("a2", "out", ["a3"], "assistant", ["It is 1267650600228229401496703205376."]),
        node("a3", "a2", ["q2"], "assistant", ["That is about 1.27e30."]),
        node("q2", "a3", ["a4"], "user", [{"content_type": "image_asset_pointer", "asset_pointer": "file-x"},
                                          "And 2**10?"], content_type="multimodal_text"),
        node("a4", "q2", [], "assistant", ["1024."]),
    ])
    return {"title": "Powers of two", "create_time": 1700000000.0, "update_time": 1700000100.0,
            "mapping": nodes, "current_node": "a4", "conversation_id": "c-1", "id": "c-1",
            "default_model_slug": "gpt-4o"}


def test_chatgpt_export_reads_the_kept_branch_as_people_saw_it(tmp_path):
    empty = {"title": "New chat", "mapping": dict([node("r", None, ["u"]), node("u", "r", [], "user", ["hi"])]),
             "current_node": "u"}
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps([chatgpt_conversation(), empty]), encoding="utf-8")
    loaded = load(path)
    assert loaded.format == "chatgpt" and len(loaded.records) == 1
    r = loaded.records[0]
    assert r.instruction == "Compute 2**100 exactly, please."
    assert r.output == "It is 1267650600228229401496703205376.\n\nThat is about 1.27e30."
    assert r.meta["extra_turns"] == [{"role": "user", "content": "And 2**10?"}, {"role": "assistant", "content": "1024."}]
    assert r.meta["title"] == "Powers of two" and r.meta["source_id"] == "c-1" and "mapping" not in r.meta
    assert "1 row held nothing to read (a conversation without an answer)" in loaded.notes


def test_a_chatgpt_branch_that_leaves_the_mapping_is_an_error_naming_the_item(tmp_path):
    bad = chatgpt_conversation()
    bad["current_node"] = "gone"
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps([bad]), encoding="utf-8")
    with pytest.raises(DataError, match="item 1.*mapping has no message 'gone'"):
        load(path)


def test_claude_export_reads_each_conversation_as_a_chat(tmp_path):
    conversations = [
        {"uuid": "u-1", "name": "Haiku", "created_at": "2024-05-01T10:00:00Z", "account": {"uuid": "acc"},
         "chat_messages": [
             {"uuid": "m1", "sender": "human", "text": "Write a haiku about rain.", "attachments": [], "files": []},
             {"uuid": "m2", "sender": "assistant", "text": "",
              "content": [{"type": "text", "text": "Soft rain on the roof"}, {"type": "tool_use", "name": "x"}]},
             {"uuid": "m3", "sender": "human", "text": "Shorter?"},
             {"uuid": "m4", "sender": "assistant", "text": "Rain. Roof. Sleep."}]},
        {"uuid": "u-2", "name": "", "chat_messages": []},
    ]
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(conversations), encoding="utf-8")
    loaded = load(path)
    assert loaded.format == "claude" and len(loaded.records) == 1
    r = loaded.records[0]
    assert (r.instruction, r.output) == ("Write a haiku about rain.", "Soft rain on the roof")
    assert r.meta["extra_turns"][1] == {"role": "assistant", "content": "Rain. Roof. Sleep."}
    assert r.meta["name"] == "Haiku" and "chat_messages" not in r.meta
    conversations[0]["chat_messages"][0]["sender"] = "moderator"
    path.write_text(json.dumps(conversations), encoding="utf-8")
    with pytest.raises(DataError, match="item 1.*unknown role 'moderator'"):
        load(path)


def test_a_chatgpt_conversation_the_assistant_opens_keeps_its_greeting_and_writes_it_back(tmp_path):
    """A custom GPT greets first; a conversation where the person only greeted back is read,
    one the assistant alone spoke in holds nothing to read."""
    greeted = {"title": "Recipe helper", "current_node": "a1", "mapping": dict([
        node("root", None, ["hello"]),
        node("hello", "root", ["q1"], "assistant", ["Hi! Which dish shall we cook?"]),
        node("q1", "hello", ["a1"], "user", ["Risotto for two."]),
        node("a1", "q1", [], "assistant", ["Use 160 g of rice."]),
    ])}
    alone = {"title": "Unanswered", "current_node": "hello",
             "mapping": dict([node("root", None, ["hello"]), node("hello", "root", [], "assistant", ["Hi!"])])}
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps([greeted, alone]), encoding="utf-8")
    loaded = load(path)
    assert len(loaded.records) == 1
    r = loaded.records[0]
    assert (r.instruction, r.output) == ("Risotto for two.", "Use 160 g of rice.")
    assert r.meta["opening_turns"] == [{"role": "assistant", "content": "Hi! Which dish shall we cook?"}]
    assert "1 row held nothing to read (a conversation without an answer)" in loaded.notes
    save(loaded.records, tmp_path / "chat.jsonl", format="messages")
    turns = json.loads((tmp_path / "chat.jsonl").read_text(encoding="utf-8"))["messages"]
    assert [t["role"] for t in turns] == ["assistant", "user", "assistant"]
    back = load(tmp_path / "chat.jsonl").records[0]
    assert back.meta["opening_turns"] == r.meta["opening_turns"] and back.output == r.output
    notes = []
    save(loaded.records, tmp_path / "alpaca.jsonl", format="alpaca", notes=notes)
    assert any("opening turns" in n for n in notes)
