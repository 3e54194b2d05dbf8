"""A planted steering.json (curate's audit as generate reads it): the hints, topics and sparse
cluster it asks for, in version 2 (with missing topics) or version 1."""

import json
from pathlib import Path

HINTS = ["tasks about sql, query", "include people described as elderly, old (age)",
         "include people described as blind, deaf (ability)", "use more female pronouns and nouns for people"]
TOPIC = ["Write a SQL query that lists the ten newest orders.", "Explain what a SQL JOIN does to a beginner."]
SPARSE = ["Write a poem about the sea in four lines."]


def steering_dict(version=2) -> dict:
    d = {"version": version, "rows_audited": 50,
         "under_represented_groups": [
             {"axis": "age", "group": "old", "rows": 0, "axis_max_rows": 4, "example_terms": ["elderly", "old"],
              "request": HINTS[1]},
             {"axis": "ability", "group": "disabled", "rows": 0, "axis_max_rows": 2, "request": HINTS[2]}],
         "axes_never_mentioned": ["ability"],
         "pronouns": {"under_represented": "female", "female": 3, "male": 12, "request": HINTS[3]},
         "sparse_clusters": [{"cluster": 3, "label": ["poem", "write"], "size": 2, "examples": ["Write a poem ..."],
                              "instructions": SPARSE, "request": "write more tasks like: Write a poem ..."}]}
    if version == 2:
        d["missing_topics"] = [{"label": ["sql", "query"], "size": 6, "covered_share": 0.0, "instructions": TOPIC,
                                "request": HINTS[0]}]
    else:
        del d["sparse_clusters"][0]["instructions"]
    return d


def write(tmp_path, data, name="steering.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path
