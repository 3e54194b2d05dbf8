"""`seedling run CONFIG`: generate -> curate -> tune (curated and raw) -> report, in one
resumable run directory.

The core orchestrates and the stages plug in through the `seedling.stages` entry points, so
the core imports no stage package and no stage imports another; data moves between stages
only as files in the run directory.
"""
