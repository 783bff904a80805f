"""Fail when a lock file no longer matches what it was compiled from (``make lock-check``, part of ``make test``).

Offline and quick: for every lock, each requirement of its inputs (pyproject.toml's dependencies and
extras, or a ``*.in`` file) must be pinned in the lock at a version its specifier allows, and every package
the lock says was asked for directly ("via chatshop (pyproject.toml)", "via -r requirements/x.in") must
still be asked for. A package added to pyproject.toml without ``make lock``, a range moved past the pin, or
a package removed from pyproject.toml but still locked is reported with the command that fixes it.

    python requirements/check.py            # checks the locks listed in LOCKS; exit 1 with the reasons
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Lock:
    path: str
    #: inputs: "pyproject.toml" (its dependencies), "pyproject.toml[dev]" (an extra), or a requirements file
    inputs: tuple[str, ...]


LOCKS = (
    Lock("requirements/dev.lock", ("pyproject.toml", "pyproject.toml[dev]", "requirements/build.in")),
    Lock("requirements/main.lock", ("pyproject.toml", "requirements/build.in")),
    Lock("requirements/rasa.lock", ("requirements/rasa.in",)),
)

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")
_VIA_ONE = re.compile(r"^\s+# via (.+)$")
_VIA_HEAD = re.compile(r"^\s+# via$")
_VIA_MORE = re.compile(r"^\s+#   (.+)$")


def requirements_of(source: str, root: Path = ROOT) -> list[Requirement]:
    if source.startswith("pyproject.toml"):
        project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
        extra = source.partition("[")[2].rstrip("]")
        lines = project.get("optional-dependencies", {}).get(extra, []) if extra else project["dependencies"]
    else:
        lines = [line.split("#", 1)[0].strip() for line in (root / source).read_text().splitlines()]
    return [Requirement(line) for line in lines if line]


def _direct_label(source: str) -> str:
    return "chatshop (pyproject.toml)" if source.startswith("pyproject.toml") else f"-r {source}"


def read_lock(path: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The pinned version of each package and where the lock says each came from ("via")."""
    pins: dict[str, str] = {}
    via: dict[str, set[str]] = {}
    current: str | None = None
    in_list = False
    for line in path.read_text().splitlines():
        pin = _PIN.match(line)
        if pin:
            current = canonicalize_name(pin.group(1))
            pins[current] = pin.group(2)
            via.setdefault(current, set())
            in_list = False
            continue
        if current is None:
            continue
        one = _VIA_ONE.match(line)
        if one:
            via[current].add(one.group(1).strip())
            in_list = False
        elif _VIA_HEAD.match(line):
            in_list = True
        elif in_list and (more := _VIA_MORE.match(line)):
            via[current].add(more.group(1).strip())
    return pins, via


def check(lock: Lock, root: Path = ROOT) -> list[str]:
    path = root / lock.path
    if not path.exists():
        return [f"{lock.path} is missing: run `make lock`"]
    pins, via = read_lock(path)
    problems: list[str] = []
    wanted: set[str] = set()
    for source in lock.inputs:
        for requirement in requirements_of(source, root):
            name = canonicalize_name(requirement.name)
            wanted.add(name)
            if name not in pins:
                problems.append(f"{lock.path}: {requirement} (from {source}) is not locked: run `make lock`")
            elif not requirement.specifier.contains(pins[name], prereleases=True):
                problems.append(
                    f"{lock.path}: {requirement} (from {source}) but the lock pins {name}=={pins[name]}: "
                    "run `make lock`"
                )
    labels = {_direct_label(source) for source in lock.inputs}
    for name, sources in sorted(via.items()):
        if sources & labels and name not in wanted:
            problems.append(
                f"{lock.path}: {name} is locked as a direct requirement of {', '.join(sorted(sources & labels))} "
                "which no longer asks for it: run `make lock`"
            )
    return problems


def same_pins(subset: str, superset: str, root: Path = ROOT) -> list[str]:
    """The image (main.lock) runs exactly the versions the tests ran (dev.lock)."""
    if not (root / subset).exists() or not (root / superset).exists():
        return []
    small, _ = read_lock(root / subset)
    large, _ = read_lock(root / superset)
    return [
        f"{subset} pins {name}=={version} but {superset} pins {large.get(name, 'nothing')}: run `make lock`"
        for name, version in sorted(small.items())
        if large.get(name) != version
    ]


def main() -> int:
    problems = [problem for lock in LOCKS for problem in check(lock)]
    problems += same_pins("requirements/main.lock", "requirements/dev.lock")
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"locks match their inputs: {', '.join(lock.path for lock in LOCKS)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
