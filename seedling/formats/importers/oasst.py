"""OpenAssistant's message trees (oasst1, oasst2), in either shape they ship: one message a row
(`message_id`, `parent_id`, `role`, `text`, as on the Hub), or one tree a row (`message_tree_id`
and a `prompt` whose `replies` nest). A tree is a first prompt, several ranked replies, and
follow-ups under each; a record is one reply to the first prompt with its best-ranked
continuation (at each turn the lowest `rank`, then the first written) in `extra_turns`, so the
ranked siblings read as a pool of answers to one prompt. Other branches, and messages marked
deleted or failed in review (as OpenAssistant's own training sets leave out), are not read; the
notes say how many."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from seedling.errors import DataError
from seedling.formats.importers.conversation import turns_to_record
from seedling.formats.importers.row import Row
from seedling.record import Record

NAME = "oasst"
SOURCE = f"imported:{NAME}"
FLAT = {"message_id", "parent_id", "role", "text"}
ROLES = {"prompter": "user", "assistant": "assistant"}
STRUCTURE = ("text", "role", "parent_id", "replies")  # read as the conversation, not kept in meta


def matches(keys: set[str]) -> bool:
    return FLAT <= keys or {"message_tree_id", "prompt"} <= keys


@dataclass
class Node:
    message: dict
    row: Row
    replies: list[Node] = field(default_factory=list)

    @property
    def live(self) -> bool:
        """Not marked deleted, and not failed by its reviewers."""
        return not self.message.get("deleted") and self.message.get("review_result") is not False

    def ranked(self) -> list[Node]:
        """Live replies, best first: ranked ones by rank, then the unranked in the order written."""
        live = [r for r in self.replies if r.live]
        return sorted(live, key=lambda r: (0, r.message["rank"]) if isinstance(r.message.get("rank"), int) else (1, 0))

    def size(self) -> int:
        return 1 + sum(r.size() for r in self.replies)


@dataclass
class Tally:
    trees: int = 0
    read: int = 0
    messages: int = 0
    deleted: int = 0
    unanswered: int = 0


def convert_file(rows: Iterable[Row | DataError], notes: list[str]) -> Iterator[tuple[str | None, list]]:
    tally = Tally()
    flat: list[Row] = []
    for row in rows:
        if isinstance(row, DataError):
            yield row.where, [row]
        elif FLAT <= set(row.data):
            flat.append(row)
        else:
            try:
                root = _nested(row.require("prompt"), row)
            except DataError as exc:
                yield row.where, [exc]
                continue
            shared = {k: v for k, v in row.data.items() if k != "prompt"}
            if records := list(_records(root, shared, tally)):
                yield row.where, records
    roots, errors = _assembled(flat)
    yield from errors
    for root in roots:
        if records := list(_records(root, {}, tally)):
            yield root.row.where, records
    notes.append(_said(tally))


def _nested(message, row: Row, path: str = "prompt") -> Node:
    if not isinstance(message, dict) or not isinstance(message.get("text"), str):
        raise DataError(row.path, row.where, f"{path} should be a message with a 'text'; it is {message!r:.60}")
    replies = message.get("replies") or []
    if not isinstance(replies, list):
        raise DataError(row.path, row.where, f"{path}.replies should be a list of messages")
    node = Node(message, row)
    node.replies = [_nested(m, row, f"{path}.replies[{n}]") for n, m in enumerate(replies)]
    return node


def _assembled(rows: list[Row]) -> tuple[list[Node], list[tuple[str | None, list]]]:
    """The trees of a file of one message a row. A message whose parent is not in the file, or
    whose id came before, is an error at its line (its own replies go unread with it)."""
    nodes: dict[str, Node] = {}
    errors = []
    for row in rows:
        key = row.data["message_id"]
        if not isinstance(key, (str, int)) or not isinstance(row.data.get("parent_id"), (str, int, type(None))):
            errors.append((row.where, [row.fail("message_id and parent_id should be text")]))
        elif key in nodes:
            errors.append((row.where, [row.fail(f"message_id {key!r} is also at {nodes[key].row.where}")]))
        else:
            nodes[key] = Node(row.data, row)
    roots, orphans = [], []
    for node in nodes.values():
        parent = node.message.get("parent_id")
        if not parent:
            roots.append(node)
        elif parent in nodes:
            nodes[parent].replies.append(node)
        else:
            orphans.append(node)
    for node in orphans:
        below = f" (its {node.size() - 1} replies unread with it)" if node.replies else ""
        errors.append((node.row.where, [node.row.fail(
            f"parent_id {node.message['parent_id']!r} is no message in this file{below}; "
            "a tree cut short by a filter?")]))
    return roots, errors


def _records(root: Node, shared: dict, tally: Tally) -> Iterator[Record | DataError]:
    tally.trees += 1
    tally.messages += root.size()
    tally.deleted += _deleted(root)
    replies = root.ranked() if root.live else []
    if not replies:
        tally.unanswered += 1
    prompt_id = root.message.get("message_id")
    tally.read += root.live
    for n, reply in enumerate(replies, 1):
        try:
            turns = [_turn(root), _turn(reply)]
            for node in _continuation(reply):
                turns.append(_turn(node))
            own = {k: v for k, v in reply.message.items() if k not in STRUCTURE}
            meta = {**shared, **own, "prompt_id": prompt_id, "answer_number": n}
            tally.read += len(turns) - 1
            yield turns_to_record(turns, _located(reply, n), SOURCE, meta)
        except DataError as exc:
            yield exc


def _continuation(reply: Node) -> Iterator[Node]:
    """The best-ranked follow-up and its answer, turn after turn, while a follow-up has one."""
    node = reply
    while True:
        asked = next((p for p in node.ranked() if p.ranked()), None)
        if asked is None:
            return
        node = asked.ranked()[0]
        yield asked
        yield node


def _turn(node: Node) -> tuple[str, str]:
    role = ROLES.get(str(node.message.get("role")).lower())
    if not isinstance(node.message.get("text"), str):
        raise node.row.fail(f"message {node.message.get('message_id')!r} has no 'text'")
    if role is None:
        raise node.row.fail(f"message {node.message.get('message_id')!r} has role {node.message.get('role')!r}; "
                            f"an OpenAssistant message is one of {sorted(ROLES)}")
    return role, node.message["text"]


def _located(reply: Node, n: int) -> Row:
    nested = reply.row.data is not reply.message
    where = f"{reply.row.where or 'row'}, reply {n}" if nested else reply.row.where
    return Row(reply.row.data, reply.row.path, where)


def _deleted(node: Node) -> int:
    """Messages left out (marked deleted or failed in review), with the replies under them."""
    return node.size() if not node.live else sum(_deleted(r) for r in node.replies)


def _said(t: Tally) -> str:
    unread = t.messages - t.read - t.deleted
    parts = [f"read {_n(t.trees, 'OpenAssistant message tree')}: one record per reply to a tree's first prompt, "
             "with its best-ranked continuation (lowest rank at each turn) as extra turns"]
    if unread:
        parts.append(f"{_n(unread, 'message')} on other branches not read")
    if t.deleted:
        parts.append(f"{_n(t.deleted, 'message')} marked deleted or failed in review (with the replies under them) left out")
    if t.unanswered:
        parts.append(f"{_n(t.unanswered, 'first prompt')} without a reply")
    return "; ".join(parts)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
