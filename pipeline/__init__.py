"""Arabic→English translation and alignment pipeline.

Stages talk through plain data (dataclasses written as JSONL), so each can be run, tested and cached
alone: ingest → translate → align → export. The command line (``python -m pipeline``, or the console
script ``arabic-align``) and the Python API share one code path (:mod:`pipeline.run`).
"""

from importlib import metadata

DISTRIBUTION = "arabic-align"

try:
    # The one version is the distribution's (pyproject.toml); a checkout run without installing has none.
    __version__ = metadata.version(DISTRIBUTION)
except metadata.PackageNotFoundError:
    __version__ = "0+unknown"
