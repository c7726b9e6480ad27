"""The install is the lock: every package pinned and hashed, installed without resolution, and complete.

`make` installs requirements.lock with ``pip install --no-deps --require-hashes``, so pip never reads a
package's own requirements; these tests prove that nothing those requirements ask for is missing from the
lock, that what is installed is what the lock says, and that `make lock`'s inputs agree with it."""

import importlib.metadata as metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

LOCKS = {"requirements.lock": ("requirements.txt", "requirements-dev.txt"), "requirements-distributed.lock": ()}
LOCKS["requirements-distributed.lock"] = ("requirements-distributed.txt",)
# Installed outside the locks, on purpose: torch (its wheel differs by machine: the Makefile says why) and
# this project itself (editable).
OUTSIDE_THE_LOCK = {"torch", "arabic-align"}


def read_lock(path: Path) -> dict[str, tuple[str, list[str]]]:
    """{canonical name: (version, hashes)} of a pip-compile lock file."""
    entries: dict[str, tuple[str, list[str]]] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        pin = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if pin:
            name = canonicalize_name(pin.group(1))
            entries[name] = (pin.group(2), [])
        for digest in re.findall(r"--hash=sha256:([0-9a-f]{64})", line):
            assert name is not None, f"{path.name}: a hash before any pin"
            entries[name][1].append(digest)
    return entries


def read_pins(path: Path) -> dict[str, str]:
    """{canonical name: version} of the ``name==version`` lines of a requirements input file."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        pin = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#]+)", line)
        if pin:
            pins[canonicalize_name(pin.group(1))] = pin.group(2)
    return pins


LOCKED = {lock: read_lock(ROOT / lock) for lock in LOCKS}
ALL_LOCKED = {name: entry for entries in LOCKED.values() for name, entry in entries.items()}


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_locked_package_is_pinned_exactly_with_hashes(lock):
    entries = LOCKED[lock]
    assert entries
    text = (ROOT / lock).read_text(encoding="utf-8")
    assert not re.search(r"^[A-Za-z0-9][^\s=]*\s*(>=|<=|~=|>|<|!=)", text, re.M), "a range in the lock"
    assert [name for name, (_, hashes) in entries.items() if not hashes] == []


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_the_lock_holds_every_pin_of_its_inputs_at_the_same_version(lock):
    for source in LOCKS[lock]:
        for name, version in read_pins(ROOT / source).items():
            assert LOCKED[lock].get(name, (None,))[0] == version, f"{source}: {name}=={version}"


def test_locks_agree_on_the_packages_they_share():
    main, distributed = LOCKED["requirements.lock"], LOCKED["requirements-distributed.lock"]
    assert {n: main[n][0] for n in main.keys() & distributed.keys()} == {
        n: distributed[n][0] for n in main.keys() & distributed.keys()
    }


def installed() -> dict[str, metadata.Distribution]:
    return {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions()}


def requirements_of(dist: metadata.Distribution, extras: set[str]) -> list[Requirement]:
    """What ``dist`` asks for on this machine (markers evaluated), with ``extras`` requested."""
    wanted = []
    for line in dist.requires or []:
        requirement = Requirement(line)
        environments = [{**default_environment(), "extra": extra} for extra in sorted(extras | {""})]
        if requirement.marker is None or any(requirement.marker.evaluate(env) for env in environments):
            wanted.append(requirement)
    return wanted


def test_what_is_installed_is_the_lock():
    """Every locked package that is installed is at its locked version, and the main lock is installed
    whole. A package outside the locks that nothing here requires (one a machine's own tooling put in the
    venv) is not the lock's business; one that something here requires fails the next test."""
    here = installed()
    drifted = {
        name: f"{dist.version} (locked {ALL_LOCKED[name][0]})"
        for name, dist in here.items()
        if name in ALL_LOCKED and ALL_LOCKED[name][0] != dist.version
    }
    assert drifted == {}, "installed at another version than the lock's"
    assert sorted(LOCKED["requirements.lock"].keys() - here.keys()) == [], "locked but not installed"
    assert "torch" in here


def test_every_requirement_of_an_installed_package_is_in_the_lock():
    """Walks the requirements of the project, torch and every locked package that is installed (with the
    extras asked for along the way): each must be locked at a version its requirer accepts. A package
    whose new release needs something new fails here instead of at a user's first import."""
    here = installed()
    queue = [(name, set()) for name in here if name in ALL_LOCKED or name in OUTSIDE_THE_LOCK]
    seen: set[tuple[str, frozenset]] = set()
    missing = []
    while queue:
        name, extras = queue.pop()
        if (name, frozenset(extras)) in seen or name not in here:
            continue
        seen.add((name, frozenset(extras)))
        for requirement in requirements_of(here[name], extras):
            wanted = canonicalize_name(requirement.name)
            locked = ALL_LOCKED.get(wanted)
            if wanted == "torch":
                locked = (here["torch"].version, [])
            if locked is None or not requirement.specifier.contains(locked[0], prereleases=True):
                missing.append(f"{name} needs {requirement} (locked: {locked[0] if locked else 'no'})")
            else:
                queue.append((wanted, set(requirement.extras)))
    assert missing == []


def test_pip_check_passes():
    result = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
