from __future__ import annotations

from pathlib import Path

import pytest

from nlu.embedded import EmbeddedEngine


@pytest.fixture(scope="session")
def embedded_engine(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedEngine:
    """Trained once per test run (a few seconds), in a private cache so tests never see a stale model."""
    return EmbeddedEngine.load(cache_dir=tmp_path_factory.mktemp("nlu-cache"))


@pytest.fixture
def write_yaml(tmp_path: Path):
    def write(text: str, name: str = "data.yml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
