"""Arabic→English translation and alignment pipeline.

Stages talk through plain data (dataclasses written as JSONL), so each can be run, tested and cached
alone: ingest → translate → align → export. The command line (``python -m pipeline``) and the Python
API share one code path (:mod:`pipeline.run`).
"""

__version__ = "0.1.0"
