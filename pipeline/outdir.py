"""The output folder: checked before any work, locked while a run owns it, and replaced whole in one step.

A run never writes into ``--out`` itself. It builds a complete new folder beside it
(``.<name>.pipeline-staging-<pid>`` in the same parent, so on the same file system), then swaps the two
folders with one ``renameat2(RENAME_EXCHANGE)`` call (Linux ≥ 3.15, glibc ≥ 2.28; ext4, xfs, btrfs,
tmpfs), and removes the old one. Whatever kills the process (SIGKILL, power loss, a full disk), ``--out``
is either the previous run or the new one, never a mix, and its ``manifest.json`` lists the hashes of
exactly the files beside it.

Why a directory swap and not a symlink ``out -> .runs/<id>`` flipped by ``rename``: ``outputs/`` is a
folder tracked by git (it holds a README), and replacing it by a symlink would show as a change in
``git status`` and surprise users who ``cd`` into it or copy it. Where ``renameat2`` is unavailable
(another OS, an old kernel, a file system that refuses it) the swap is two renames (``out`` → ``.old``,
staging → ``out``); a run killed between them leaves ``out`` missing and the complete previous folder
beside it, which the next run puts back before doing anything else.

Files in the old folder that a run does not write (``README.md``, ``gold/``, ``eval/``) are carried
into the new one as hard links (copies where links are impossible): they survive, and nothing is
modified in place. Pipeline outputs that this run does not write (another ``--formats``) are dropped,
so the folder always describes one run.

A lock (``fcntl.flock`` on ``.<name>.pipeline-lock`` beside the folder) is held from the start of a run
to its end: a second run into the same folder is refused at once with the first one's process id. The
holder deletes the lock file before releasing it, so none is left beside ``--out``; a run that locked a
file someone deleted meanwhile (its path no longer names it) locks the new one instead.
Staging or old folders left by a killed run are removed by the next run that takes the lock (only the
lock holder creates them, so any found then are stale).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import shutil
import sys
from pathlib import Path

from pipeline.errors import PipelineError


def output_names() -> frozenset[str]:
    """Every file a run can write (the export registry's formats and the manifest): a run replaces these
    and keeps everything else in the folder."""
    from pipeline.export import possible_files
    from pipeline.export.base import MANIFEST, format_names

    return frozenset(possible_files((*format_names(), MANIFEST)))


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _load_renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_renameat2 = _load_renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False where the system cannot (the caller falls back)."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _names(path: Path, fd: int) -> bool:
    """True when ``path`` still names the file open as ``fd``."""
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_path(out, inputs=()) -> Path:
    """Refuse an output folder that cannot be written, or whose replacement would destroy something:
    the empty path, the current folder or one above it, a path under a regular file, an unwritable or
    missing parent, or a folder holding one of this run's inputs under an output's name. Cheap; called
    before any expensive stage. Returns the absolute path."""
    if str(out) == "":
        raise PipelineError(None, "--out is empty: give an output folder")
    out = Path(os.path.realpath(out))  # a symlinked folder: the swap happens where it points
    if _is_inside(Path.cwd(), out):
        raise PipelineError(
            out,
            "is the current folder or a folder above it; a run replaces its output folder "
            "whole, so give a folder of its own (for example outputs)",
        )
    if out.exists() and not out.is_dir():
        raise PipelineError(out, "output path exists and is not a folder")
    for path in inputs:
        path = Path(os.path.realpath(path))
        if path != out and _is_inside(path, out) and path.relative_to(out).parts[0] in output_names():
            raise PipelineError(
                path,
                f"is an input of this run, and the run would replace it with its own "
                f"{path.relative_to(out).parts[0]}: move it out of {out} or choose another --out",
            )
    ancestor = out.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise PipelineError(out, f"cannot create the output folder: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise PipelineError(out, f"cannot create the output folder: {ancestor} is not writable")
    if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise PipelineError(out, "output folder is not writable")
    return out


class OutputFolder:
    """``with OutputFolder(out, inputs) as folder: ... folder.publish(files)``: checks the path and takes
    the lock on entry (PipelineError when another run holds it), removes what killed runs left, and
    releases the lock on exit. ``publish`` replaces the folder in one step."""

    def __init__(self, out, inputs=()):
        self.out = check_output_path(out, inputs)
        self.parent = self.out.parent
        self.prefix = f".{self.out.name}.pipeline-"
        self.lock_path = self.parent / f"{self.prefix}lock"
        self._lock_fd: int | None = None

    def __enter__(self) -> OutputFolder:
        import fcntl

        while True:
            try:
                self.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise PipelineError(self.out, f"cannot create the output folder ({exc.strerror})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise PipelineError(
                    self.out,
                    f"another run (process {holder}) is writing this output folder; "
                    "wait for it to finish or choose another --out",
                ) from None
            if _names(self.lock_path, fd):
                break
            os.close(fd)  # the run before deleted this file as it finished: lock the one at the path now
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd
        try:
            self.recover()
            self._try_staging()
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._unlock()

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            try:
                os.unlink(self.lock_path)  # while still holding it: no lock file is left beside --out
            except OSError:
                pass
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None

    def _leftovers(self, kind: str) -> list[Path]:
        return sorted(p for p in self.parent.glob(f"{self.prefix}{kind}-*") if p.is_dir() and not p.is_symlink())

    def recover(self) -> None:
        """Undo what a killed run left: put the previous folder back if the two-rename fallback was cut
        between its renames, then delete stale staging and old folders (the lock is ours, so no live run
        owns them)."""
        olds = self._leftovers("old")
        if olds and not self.out.exists():
            newest = max(olds, key=lambda p: p.stat().st_mtime)
            os.rename(newest, self.out)
            olds.remove(newest)
        for path in olds + self._leftovers("staging"):
            shutil.rmtree(path)

    def _try_staging(self) -> None:
        """Create and remove a staging folder now, so a read-only or odd file system (``/proc``) is
        refused before hours of work, not after."""
        probe = self.parent / f"{self.prefix}staging-{os.getpid()}"
        try:
            probe.mkdir()
            _write_file(probe / ".probe", b"")
            os.unlink(probe / ".probe")
            probe.rmdir()
        except OSError as exc:
            shutil.rmtree(probe, ignore_errors=True)
            raise PipelineError(
                self.out, f"cannot write beside the output folder in {self.parent} ({exc.strerror})"
            ) from None

    def publish(self, files: dict[str, bytes], replaces: frozenset[str] | None = None) -> None:
        """Make ``out`` hold ``files`` plus every entry of the old folder whose name is not in
        ``replaces`` (nor in ``files``), in one step. Raises PipelineError (old folder untouched, staging
        removed) when the disk is full or the folder cannot be written."""
        if replaces is None:
            replaces = output_names()
        if self._lock_fd is None:
            raise RuntimeError("publish() needs the lock: use `with OutputFolder(...) as folder`")
        staging = self.parent / f"{self.prefix}staging-{os.getpid()}"
        old = self.parent / f"{self.prefix}old-{os.getpid()}"
        try:
            staging.mkdir()
            for name, data in files.items():
                _write_file(staging / name, data)
            if self.out.is_dir():
                shutil.copystat(self.out, staging)
                for entry in sorted(os.listdir(self.out)):
                    if entry in files or entry in replaces or entry.startswith(".staging-"):
                        continue  # ``.staging-*``: left inside by versions that wrote into the folder
                    src, dst = self.out / entry, staging / entry
                    if src.is_symlink():
                        os.symlink(os.readlink(src), dst)
                    elif src.is_dir():
                        shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
                    else:
                        _link_or_copy(src, dst)
            _fsync_dir(staging)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            where = exc.filename or staging
            raise PipelineError(
                self.out, f"cannot write the outputs ({exc.strerror}; at {where}); the previous outputs are untouched"
            ) from None
        try:
            if not self.out.exists():
                os.rename(staging, self.out)
            elif exchange(staging, self.out):
                old = staging  # the staging name now holds the previous folder
            else:
                os.rename(self.out, old)
                os.rename(staging, self.out)
            _fsync_dir(self.parent)
        except OSError as exc:
            if not self.out.exists() and old.is_dir():
                os.rename(old, self.out)
            shutil.rmtree(staging, ignore_errors=True)
            raise PipelineError(
                self.out, f"cannot replace the output folder ({exc.strerror}); the previous outputs are untouched"
            ) from None
        shutil.rmtree(old, ignore_errors=True)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
