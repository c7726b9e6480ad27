"""``make models`` / ``python -m pipeline models``: download MT models from the Hugging Face hub into
``models/<org>--<name>`` at a pinned revision, recording every file's size and sha256.

Steps: resolve (known model → pinned revision) → list the files at that revision → download into a
temporary folder → verify sizes and sha256 against the hub's metadata → write ``.download.json`` →
rename into place (a failed download leaves nothing half-written; the temporary folder of a download
that was killed is removed by the next one) → optionally convert to CTranslate2.
An existing model folder is not replaced without ``force``. Before anything else the hub is asked once,
with a short timeout (:func:`check_hub_reachable`), so a machine without network is told so in seconds,
not after the HTTP client's retries; ``make`` runs this step with ``--if-missing``, which then goes on
without MT.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file
from pipeline.mt.models import KNOWN_MODELS, local_folder
from pipeline.progress import log

CONFIG_FILES = (
    "config.json",
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "source.spm",
    "target.spm",
    "sentencepiece.bpe.model",
    "tokenizer.json",
    "README.md",
    "LICENSE",
)
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")  # the first one the repository has
RECORD = ".download.json"
PARTIAL = ".partial"  # `.<folder>.partial<pid>`: a download in progress, beside its target in models/
REACH_TIMEOUT = 5.0  # seconds to wait for the hub's first answer before saying it cannot be reached


def hub_endpoint() -> str:
    """The hub's address: ``HF_ENDPOINT`` when set (a mirror), else huggingface.co."""
    from huggingface_hub import constants

    return constants.ENDPOINT.rstrip("/")


def check_hub_reachable(endpoint: str, timeout: float = REACH_TIMEOUT) -> None:
    """Ask ``endpoint`` for one HTTP answer within ``timeout`` seconds (any status counts: the hub is there).
    Goes through the proxies the environment names, as the download would. Raises PipelineError with
    the reason (no name resolution, refused, timed out) when no answer comes."""
    import socket
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(endpoint, method="HEAD"), timeout=timeout):
            pass
    except urllib.error.HTTPError:
        return  # an answer, even an error status, means the hub is reachable
    except (urllib.error.URLError, socket.timeout, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PipelineError(None, f"the model hub {endpoint} cannot be reached ({reason})") from None


def remove_stale_partials(target: Path) -> None:
    """Remove the temporary folders of downloads into ``target`` whose process is gone (killed mid-way)."""
    for partial in target.parent.glob(f".{target.name}{PARTIAL}*"):
        pid = partial.name.rsplit(PARTIAL, 1)[1]
        if pid.isdigit() and int(pid) != os.getpid() and _process_alive(int(pid)):
            continue  # another download of the same model is running
        shutil.rmtree(partial, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def choose_files(available: dict[str, dict]) -> list[str]:
    """The files a transformers model needs: configs and tokenizer files, and one weights file (safetensors
    preferred). Raises PipelineError when the repository has no weights we can load."""
    chosen = [name for name in CONFIG_FILES if name in available]
    weights = next((name for name in WEIGHT_FILES if name in available), None)
    if weights is None:
        raise PipelineError(None, f"no {' or '.join(WEIGHT_FILES)} in the repository")
    return chosen + [weights]


def _hub_error(name: str, exc: Exception) -> PipelineError:
    detail = str(exc).splitlines()[0][:160] if str(exc) else "no detail"
    return _hub_problem(name, f"{type(exc).__name__}: {detail}")


def _hub_problem(name: str, detail: str) -> PipelineError:
    folder = local_folder(name)
    return PipelineError(
        name,
        f"cannot download from the Hugging Face hub ({detail}). Without network, copy the model's files "
        f"(config.json, tokenizer files, weights) into {folder}/ by hand; the pipeline runs without MT until then",
    )


def download_model(name: str, revision: str | None = None, force: bool = False) -> Path:
    """Download hub model ``name`` at ``revision`` (default: the pinned one in KNOWN_MODELS) into
    ``models/``; returns the folder. Raises PipelineError when the hub cannot be reached, the revision or
    repository does not exist, a file fails verification, or the folder exists and ``force`` is not set."""
    known = KNOWN_MODELS.get(name)
    revision = revision or (known.revision if known else None)
    if revision is None:
        raise PipelineError(name, "not a known model: give --revision (a commit hash) to pin what is downloaded")
    target = local_folder(name)
    if target.exists() and any(target.iterdir()) and not force:
        raise PipelineError(target, "already exists (use --force to download it again)")
    try:
        from huggingface_hub import HfApi, snapshot_download
    except ImportError:
        raise PipelineError(None, "`make models` needs huggingface_hub installed") from None

    try:
        check_hub_reachable(hub_endpoint())
    except PipelineError as exc:
        raise _hub_problem(name, exc.problem) from None
    remove_stale_partials(target)
    try:
        info = HfApi().model_info(name, revision=revision, files_metadata=True)
    except Exception as exc:  # offline, unknown repo or revision: hub errors come in many types
        raise _hub_error(name, exc) from None
    available: dict[str, dict] = {
        s.rfilename: {"size": s.size, "sha256": s.lfs.sha256 if s.lfs else None} for s in info.siblings or []
    }
    files = choose_files(available)
    total = sum(available[f]["size"] or 0 for f in files)
    revision = info.sha or revision
    log(f"models: {name}@{(revision or '')[:12]}: {len(files)} files, {total / 1e6:.0f} MB → {target}")
    partial = target.with_name(f".{target.name}{PARTIAL}{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        snapshot_download(name, revision=info.sha, local_dir=partial, allow_patterns=files)
        files_record: list[dict] = []
        record = {"hub_id": name, "revision": info.sha, "files": files_record}
        for file in files:
            path = partial / file
            size, digest = path.stat().st_size, sha256_file(path)
            expected = available[file]
            if expected["size"] is not None and size != expected["size"]:
                raise PipelineError(path, f"downloaded {size} bytes, the hub lists {expected['size']}")
            if expected["sha256"] and digest != expected["sha256"]:
                raise PipelineError(path, "sha256 does not match the hub's")
            files_record.append({"path": file, "size": size, "sha256": digest})
        shutil.rmtree(partial / ".cache", ignore_errors=True)  # huggingface_hub's download bookkeeping
        (partial / RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)
    except PipelineError:
        raise
    except Exception as exc:
        raise _hub_error(name, exc) from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def prepare_ctranslate2(name: str, force: bool = False) -> Path:
    """Convert the downloaded model to CTranslate2 int8 where the ctranslate2 backend looks for it."""
    from pipeline.mt.ct2 import convert_to_ct2, ct2_folder
    from pipeline.mt.models import resolve_model, weights_hash

    source, is_local = resolve_model(name)
    if not is_local:
        raise PipelineError(name, "no local copy to convert (download it first)")
    return convert_to_ct2(source, ct2_folder(name, weights_hash(Path(source)), "int8"), "int8", force=force)
