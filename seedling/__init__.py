"""seedling: seed tasks to a curated instruction dataset and a LoRA-tuned student.

The core every stage imports: the data contract (`Record`), reading and writing every
common format (`load`, `save`), config, device and model resolution. Stages never import
each other; they pass files in this contract.
"""

import os

# Deliberately for the whole process (README, "Models, offline"): nothing in seedling may reach a
# model hub at run time (there may be no network at all), and huggingface_hub reads these once, at
# its import, so they are set before anything imports it; a caller's own HF_HUB_OFFLINE stands.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

from seedling.errors import ConfigError, DataError, ModelNotFound, SeedlingError
from seedling.formats import load, save
from seedling.record import Record, content_id, make_record

__all__ = [
    "ConfigError",
    "DataError",
    "ModelNotFound",
    "Record",
    "SeedlingError",
    "content_id",
    "load",
    "make_record",
    "save",
]
