"""No network unless asked: every command but ``models`` (and ``run --allow-download``) runs offline.

``local_files_only=True`` is not enough: transformers still asks the hub whether a newer file exists
for a model that is not in the local cache (``cached_file`` → ``hf_hub_download`` → an HTTP request).
``HF_HUB_OFFLINE`` stops that, but huggingface_hub reads it once, at import, so it is set here before
anything imports transformers, and the already imported constant is set too for API users who
imported it earlier.
"""

from __future__ import annotations

import os
import sys

OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")


def stay_offline() -> None:
    """Make every Hugging Face library in this process (and its children) refuse network access."""
    for name in OFFLINE_VARIABLES:
        os.environ[name] = "1"
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        setattr(constants, "HF_HUB_OFFLINE", True)  # noqa: B010 - the module is looked up at run time
