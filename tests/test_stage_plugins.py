"""Stage plugins implement their role's protocol, checked when the run loads them."""

from __future__ import annotations

import pytest

from seedling.errors import SeedlingError
from seedling.run.layout import check, plugin


@pytest.mark.parametrize("name", ["generate", "curate", "tune"])
def test_installed_plugins_implement_their_role(name):
    stage = plugin(name)
    assert stage.OPTIONS.section_name == name and stage.OUTPUTS


def test_a_plugin_that_lacks_a_member_is_refused_by_name():
    class Partial:
        OPTIONS = object
        OUTPUTS = {"kept": "kept.jsonl"}

        def describe(self, opts):
            return {}

        def run(self, data, out, opts, reference=None):
            return {}

        def judge(self, held, a, b, opts, names):
            return {}

    with pytest.raises(SeedlingError, match="does not implement CuratePlugin: it lacks audit_round"):
        check("curate", Partial())
    assert check("tune", Partial()) is not None  # a tune plugin needs no audit_round
