"""Known MT models, where ``make models`` puts them, and how a model name resolves to something loadable."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import MODELS_DIR


@dataclass(frozen=True)
class KnownModel:
    hub_id: str
    revision: str  # pinned hub commit (what `make models` downloads)
    source_lang: str | None = None  # NLLB language codes; None for Marian pair models
    target_lang: str | None = None


# Commits as listed on each model's "Files and versions" page (they could not be checked from the
# offline machine this was written on; `make models` fails clearly if a commit is not on the hub).
KNOWN_MODELS = {
    "Helsinki-NLP/opus-mt-ar-en": KnownModel(
        "Helsinki-NLP/opus-mt-ar-en", "f830c0f121521df2551726dd799a0c47b0f67841"
    ),  # Apache-2.0, 300 MB
    "Helsinki-NLP/opus-mt-tc-big-ar-en": KnownModel(
        "Helsinki-NLP/opus-mt-tc-big-ar-en", "633b76a46252ccfe8a18920198e06bca8a7d7c17"
    ),  # CC-BY-4.0, 600 MB
    "facebook/nllb-200-distilled-600M": KnownModel(
        "facebook/nllb-200-distilled-600M",
        "6e750dabefd8d11c2fe724ff0347232e10cd72fb",  # CC-BY-NC-4.0, 2.5 GB
        "arb_Arab",
        "eng_Latn",
    ),
}


def local_folder(name: str) -> Path:
    """Where ``make models`` stores hub model ``name``: ``models/<org>--<name>``."""
    return MODELS_DIR / name.replace("/", "--")


def resolve_model(name: str) -> tuple[str, bool]:
    """(what to pass to from_pretrained, whether it is a local folder). A path that exists wins; then the
    ``models/`` copy of a hub id; otherwise the hub id itself (only loadable from the local HF cache
    unless downloads are allowed)."""
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path), True
    folder = local_folder(name)
    if folder.is_dir() and any(folder.iterdir()):
        return str(folder), True
    return name, False


def weights_hash(folder: Path) -> str:
    """A short content hash of a local model folder's weight and tokenizer files (keys the cache when there
    is no hub revision)."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            digest.update(path.relative_to(folder).as_posix().encode())
            stat = path.stat()
            if stat.st_size > 50 * 1024 * 1024:
                # Big weight files: hash size and the first and last MiB (hashing GBs on every run is slow).
                with open(path, "rb") as handle:
                    digest.update(str(stat.st_size).encode() + handle.read(1 << 20))
                    handle.seek(-(1 << 20), os.SEEK_END)
                    digest.update(handle.read())
            else:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
