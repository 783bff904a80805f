"""Build the engine the application uses: Rasa (with the embedded engine as its fallback) when a
Rasa URL is configured, the embedded engine otherwise."""

from __future__ import annotations

from pathlib import Path

from nlu.embedded import EmbeddedEngine
from nlu.embedded.model import DEFAULT_DATA_DIR
from nlu.interface import NluEngine
from nlu.rasa_client import DEFAULT_TIMEOUT_SECONDS, RasaEngine


def build_engine(
    rasa_url: str | None,
    cache_dir: Path,
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    rasa_timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> NluEngine:
    """The embedded engine is always built (it is Rasa's fallback), so a bad Rasa never silences the bot.

    Training, when no cached model matches the data, takes a few seconds: call this at start-up, not
    per message.
    """
    embedded = EmbeddedEngine.load(cache_dir=cache_dir, data_dir=data_dir)
    if not rasa_url:
        return embedded
    return RasaEngine(rasa_url, fallback=embedded, timeout=rasa_timeout)
