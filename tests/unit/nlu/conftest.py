from __future__ import annotations

from pathlib import Path

import pytest

from nlu.embedded import EmbeddedEngine


@pytest.fixture(scope="session")
def nlu_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private model cache, so tests never pick up a stale model from var/nlu."""
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture(scope="session")
def embedded_engine(nlu_cache_dir: Path) -> EmbeddedEngine:
    """Trained once per test run (a few seconds); later loads of the same data hit the cache."""
    return EmbeddedEngine.load(cache_dir=nlu_cache_dir)


@pytest.fixture
def write_yaml(tmp_path: Path):
    def write(text: str, name: str = "data.yml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
