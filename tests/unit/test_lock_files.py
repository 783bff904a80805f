"""requirements/check.py (`make lock-check`): the locks agree with pyproject.toml, and disagreement is caught."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lock_check", ROOT / "requirements" / "check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


check = load_checker()


def copy_project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")
    return tmp_path


def problems(root: Path) -> list[str]:
    found = [p for lock in check.LOCKS for p in check.check(lock, root)]
    return found + check.same_pins("requirements/main.lock", "requirements/dev.lock", root)


def test_the_committed_locks_match_pyproject_and_the_rasa_inputs() -> None:
    assert problems(ROOT) == []


def test_a_dependency_added_to_pyproject_without_make_lock_is_reported(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    text = (root / "pyproject.toml").read_text().replace('"emoji>=2.10",', '"emoji>=2.10",\n    "left-pad>=1",', 1)
    (root / "pyproject.toml").write_text(text)
    found = problems(root)
    assert any("left-pad>=1 (from pyproject.toml) is not locked: run `make lock`" in p for p in found)
    assert {p.split(":")[0] for p in found} == {"requirements/dev.lock", "requirements/main.lock"}


def test_a_range_that_excludes_the_locked_version_is_reported(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    text = (root / "pyproject.toml").read_text().replace('"aiolimiter>=1.1"', '"aiolimiter>=99"', 1)
    (root / "pyproject.toml").write_text(text)
    assert any("aiolimiter>=99" in p and "but the lock pins aiolimiter==" in p for p in problems(root))


def test_a_dependency_removed_from_pyproject_but_still_locked_is_reported(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    text = (root / "pyproject.toml").read_text().replace('    "croniter>=2",\n', "", 1)
    (root / "pyproject.toml").write_text(text)
    assert any("croniter is locked as a direct requirement" in p for p in problems(root))


def test_the_image_lock_must_pin_the_versions_the_tests_ran(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    lock = root / "requirements" / "main.lock"
    pinned = next(line for line in lock.read_text().splitlines() if line.startswith("croniter=="))
    lock.write_text(lock.read_text().replace(pinned, "croniter==0.0.1 \\"))
    assert any(
        p.startswith("requirements/main.lock pins croniter==0.0.1 but requirements/dev.lock") for p in problems(root)
    )


def test_the_rasa_lock_follows_its_input_file(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    (root / "requirements" / "rasa.in").write_text("rasa==3.7.*\njieba>=0.42\npip<24.1\nwheel\n")
    assert any("rasa==3.7.* (from requirements/rasa.in)" in p for p in problems(root))
