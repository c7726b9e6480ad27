"""Known MT models, where ``make models`` puts them, and how a model name resolves to something loadable."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import MODELS_DIR
from pipeline.fileio import sha256_file


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


HASH_MEMO = ".content-hash.json"  # beside the weights; hidden files are not part of the hash


def weights_hash(folder: Path) -> str:
    """A short hash of the full content of a model folder's files (weights, tokenizer, config): keys the
    translation cache and the CTranslate2 conversion, so a changed byte anywhere is a new model.
    Hashing gigabytes takes seconds, so each file's sha256 is remembered in ``.content-hash.json`` in
    the folder by path, size and modification time, and computed again only when one of them changes
    (not written when the folder is read-only)."""
    import json

    folder = Path(folder)
    memo_path = folder / HASH_MEMO
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    fresh = {}
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        stat = path.stat()
        known = memo.get(relative)
        if isinstance(known, list) and known[:2] == [stat.st_size, stat.st_mtime_ns]:
            sha = known[2]
        else:
            sha = sha256_file(path)
        fresh[relative] = [stat.st_size, stat.st_mtime_ns, sha]
        digest.update(f"{relative}\0{sha}\n".encode())
    if fresh != memo:
        from pipeline.fileio import atomic_write_text

        try:
            atomic_write_text(memo_path, json.dumps(fresh, indent=0, sort_keys=True))
        except OSError:
            pass  # a read-only model folder: hashed again next time
    return digest.hexdigest()[:16]
