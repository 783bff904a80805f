"""Training, caching and loading of the embedded model.

Training uses scikit-learn; the saved model is plain numpy arrays and dicts, so parsing needs
neither scikit-learn nor its per-call input validation (that is most of what keeps a parse under a
millisecond and the process small). Models are cached on disk under a key that hashes the data files
and MODEL_VERSION, so editing the data or this code retrains exactly once.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlu.embedded.crf import common_words, train_crf
from nlu.embedded.features import EntitySpans, intent_features
from nlu.embedded.gazetteer import OPEN_TYPES, Gazetteer, build_gazetteer
from nlu.embedded.tokens import tokenize
from nlu.training_data import Example, TrainingData, load_training_data, training_files

log = logging.getLogger(__name__)

#: Bump when features, training or the saved layout change: it is part of the cache key.
MODEL_VERSION = "embedded-8"

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_CACHE_DIR = Path("var/nlu")

#: Inverse regularisation of the intent model; picked by 5-fold cross-validation on the TRAINING data.
INTENT_C = 100.0


@dataclass
class IntentModel:
    vocabulary: dict[str, int]
    idf: np.ndarray  # (n_features,) float32
    weights: np.ndarray  # (n_features, n_classes) float32, row per feature for cheap gathering
    intercept: np.ndarray  # (n_classes,) float32
    classes: list[str]

    def vectorise(self, text: str, spans: EntitySpans = ()) -> tuple[np.ndarray, np.ndarray]:
        vocabulary = self.vocabulary
        indices: list[int] = []
        values: list[float] = []
        for key, count in intent_features(text, spans).items():
            index = vocabulary.get(key)
            if index is not None:
                indices.append(index)
                values.append(1.0 + math.log(count))
        idx = np.fromiter(indices, dtype=np.int64, count=len(indices))
        val = np.fromiter(values, dtype=np.float32, count=len(values)) * self.idf[idx]
        norm = float(np.sqrt(val @ val)) if len(val) else 0.0
        if norm > 0:
            val /= norm
        return idx, val

    def predict(self, text: str, spans: EntitySpans = ()) -> tuple[np.ndarray, int]:
        """Class probabilities and the number of known features (0 means the text is all new to us)."""
        idx, val = self.vectorise(text, spans)
        scores = val @ self.weights[idx] + self.intercept if len(idx) else self.intercept.copy()
        scores = scores - scores.max()
        probs = np.exp(scores)
        probs /= probs.sum()
        return probs, len(idx)


@dataclass
class EmbeddedModel:
    intent: IntentModel
    gazetteer: Gazetteer
    crf: bytes
    known_codes: frozenset[str]
    data_hash: str
    #: words common in the training texts (the CRF's "rare word" feature)
    common_words: frozenset[str] = frozenset()
    trained_at: float = field(default_factory=time.time)
    train_seconds: float = 0.0


#: Modules whose code shapes the saved model; their source is part of the cache key, so editing them
#: retrains without anyone remembering to bump MODEL_VERSION.
_MODEL_SOURCES = ("model.py", "features.py", "gazetteer.py", "crf.py", "tokens.py", "../training_data.py")


def data_hash(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """Cache key: training data + MODEL_VERSION + the source of the modules that build the model."""
    digest = hashlib.sha256(MODEL_VERSION.encode())
    here = Path(__file__).resolve().parent
    for name in _MODEL_SOURCES:
        digest.update((here / name).read_bytes())
    for path in training_files(data_dir):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def dictionary_spans(text: str, gazetteer: Gazetteer) -> list[tuple[int, int, str]]:
    """(start, end, type) of the dictionary entities in `text`: what the intent model masks."""
    tokens = tokenize(text)
    return [(tokens[a].start, tokens[b - 1].end, entity) for a, b, entity, _ in gazetteer.match(text, tokens)]


def training_spans(example: Example, gazetteer: Gazetteer | None) -> list[tuple[int, int, str]]:
    """What the intent model masks in a training example: its dictionary entities, and the brands and
    products the dictionary does not hold ("Nike", "a Logitech mouse") where they are annotated. At
    parse time the CRF finds the latter, so "do you have Nike sneakers" reads like "do you have Stride
    sneakers" to the intent model and not like an unknown word."""
    if gazetteer is None:
        return []
    spans = dictionary_spans(example.text, gazetteer)
    for ann in example.entities:
        if ann.entity in OPEN_TYPES and all(ann.end <= s or ann.start >= e for s, e, _ in spans):
            spans.append((ann.start, ann.end, ann.entity))
    return sorted(spans)


def _fit_vectors(
    examples: list[Example], gazetteer: Gazetteer | None = None
) -> tuple[dict[str, int], np.ndarray, object]:
    from scipy.sparse import csr_matrix

    rows = [intent_features(e.text, training_spans(e, gazetteer)) for e in examples]
    vocabulary: dict[str, int] = {}
    df: dict[int, int] = {}
    for row in rows:
        for key in row:
            index = vocabulary.setdefault(key, len(vocabulary))
            df[index] = df.get(index, 0) + 1
    n = len(rows)
    idf = np.ones(len(vocabulary), dtype=np.float32)
    for index, count in df.items():
        idf[index] = math.log((1 + n) / (1 + count)) + 1.0  # scikit-learn's smooth idf
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for row in rows:
        vals: list[float] = []
        for key, tf in row.items():
            index = vocabulary[key]
            indices.append(index)
            vals.append((1.0 + math.log(tf)) * idf[index])
        norm = math.sqrt(sum(v * v for v in vals)) or 1.0
        data.extend(v / norm for v in vals)
        indptr.append(len(indices))
    matrix = csr_matrix((data, indices, indptr), shape=(n, len(vocabulary)), dtype=np.float32)
    return vocabulary, idf, matrix


def train_intent_model(data: TrainingData, gazetteer: Gazetteer | None, c: float = INTENT_C) -> IntentModel:
    from sklearn.linear_model import LogisticRegression

    labels = [e.intent for e in data.examples]
    vocabulary, idf, matrix = _fit_vectors(data.examples, gazetteer)
    classifier = LogisticRegression(C=c, max_iter=3000)
    classifier.fit(matrix, labels)
    weights = np.ascontiguousarray(classifier.coef_.T.astype(np.float32))
    return IntentModel(
        vocabulary=vocabulary,
        idf=idf,
        weights=weights,
        intercept=classifier.intercept_.astype(np.float32),
        classes=[str(c) for c in classifier.classes_],
    )


def train_model(data_dir: Path = DEFAULT_DATA_DIR) -> EmbeddedModel:
    data = load_training_data(data_dir)
    if data.errors:
        log.warning("NLU training data has %d problems, first: %s", len(data.errors), data.errors[0])
    return train_model_from(data, data_hash(data_dir))


def train_model_from(data: TrainingData, digest: str = "") -> EmbeddedModel:
    """A model trained on `data` (all of a data directory, or a cross-validation fold)."""
    started = time.perf_counter()
    if not data.examples:
        raise ValueError("no training examples")
    gazetteer = build_gazetteer(data)
    intent = train_intent_model(data, gazetteer)
    common = common_words(data.examples)
    crf = train_crf(data.examples, gazetteer, common)
    codes = frozenset(a.value.upper() for e in data.examples for a in e.entities if a.entity == "coupon_code")
    model = EmbeddedModel(intent, gazetteer, crf, codes, digest, common_words=common)
    model.train_seconds = time.perf_counter() - started
    return model


def cache_path(cache_dir: Path, digest: str) -> Path:
    return Path(cache_dir) / f"embedded-{digest}.joblib"


def _prune(cache_dir: Path, keep: int) -> None:
    """Delete all but the newest `keep` cached models (each data edit leaves one behind)."""
    models = sorted(cache_dir.glob("embedded-*.joblib"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[keep:]:
        old.unlink(missing_ok=True)


def load_or_train(cache_dir: Path | None = None, data_dir: Path = DEFAULT_DATA_DIR) -> EmbeddedModel:
    """The cached model for the current data, training (and caching) it first if needed."""
    import joblib

    cache_dir = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR
    path = cache_path(cache_dir, data_hash(data_dir))
    if path.exists():
        try:
            model = joblib.load(path)
            if isinstance(model, EmbeddedModel):
                return model
        except Exception:  # a truncated or foreign file: retrain rather than fail the shop
            log.warning("NLU model cache %s unreadable; retraining", path, exc_info=True)
    model = train_model(data_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        os.close(fd)
        joblib.dump(model, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)  # atomic, so concurrent workers never read half a model
        _prune(cache_dir, keep=3)
    except OSError:
        log.warning("cannot write NLU model cache to %s; continuing in memory", cache_dir, exc_info=True)
    return model
