"""The command runs offline; importing seedling as a library leaves the caller's environment as it was."""

import os
import subprocess
import sys

from tests.helpers.paths import ROOT


def _environment_after(code: str) -> str:
    """HF_HUB_OFFLINE and HF_HUB_DISABLE_TELEMETRY as a fresh process that runs `code` sees them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_HUB_")}
    probe = "import os; print(os.environ.get('HF_HUB_OFFLINE'), os.environ.get('HF_HUB_DISABLE_TELEMETRY'))"
    done = subprocess.run([sys.executable, "-c", f"{code}\n{probe}"], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return done.stdout.strip()


def test_importing_seedling_leaves_the_callers_environment_alone():
    assert _environment_after("import seedling, seedling.cli, seedling.models") == "None None"


def test_the_command_runs_offline():
    assert _environment_after("from seedling import cli\ncli.run_offline()") == "1 1"
    main = "from seedling import cli\ncli.app = cli.load_stage_commands = lambda: None\ncli.main()"
    assert _environment_after(main) == "1 1"
