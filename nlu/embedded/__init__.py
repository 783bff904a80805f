"""Embedded NLU: scikit-learn-trained intent model + dictionary, patterns and a CRF for entities."""

from nlu.embedded.engine import EmbeddedEngine
from nlu.embedded.model import load_or_train, train_model

__all__ = ["EmbeddedEngine", "load_or_train", "train_model"]
