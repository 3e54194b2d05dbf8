"""seedling: seed tasks to a curated instruction dataset and a LoRA-tuned student.

The core every stage imports: the data contract (`Record`), reading and writing every
common format (`load`, `save`), config, device and model resolution. Stages never import
each other; they pass files in this contract.
"""

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
