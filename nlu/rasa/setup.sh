#!/usr/bin/env bash
# Build the Rasa 3.6 side-car: its own Python 3.10 virtualenv (Rasa does not support 3.11),
# a build directory fed from nlu/data (never a hand-made copy), and a model trained only when
# no model exists yet for the hash of data + config + domain.
#
#   nlu/rasa/setup.sh               install if needed, then train if needed; prints the model path
#   nlu/rasa/setup.sh --install-only
#
# Environment:
#   PYTHON310            interpreter for the virtualenv (default: python3.10 on PATH, else pyenv's 3.10)
#   CHATSHOP_RASA_CACHE  keep the virtualenv and models there instead of nlu/rasa/{.venv,models}; point
#                        it outside the work tree (e.g. ~/.cache/chatshop-rasa) so fresh clones, as in
#                        CI, reuse the install and the trained model.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NLU_DIR="$(dirname "$HERE")"
if [[ -n "${CHATSHOP_RASA_CACHE:-}" ]]; then
    VENV="$CHATSHOP_RASA_CACHE/venv"
    MODELS="$CHATSHOP_RASA_CACHE/models"
else
    VENV="$HERE/.venv"
    MODELS="$HERE/models"
fi
STAMP="$VENV/.rasa-installed"

find_python310() {
    if [[ -n "${PYTHON310:-}" ]]; then echo "$PYTHON310"; return; fi
    if command -v python3.10 >/dev/null 2>&1 && python3.10 --version >/dev/null 2>&1; then
        command -v python3.10; return
    fi
    for candidate in /root/.pyenv/versions/3.10*/bin/python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10; do
        if [[ -x "$candidate" ]]; then echo "$candidate"; return; fi
    done
    echo "python3.10 not found: install Python 3.10 (Rasa 3.6 does not run on 3.11+)" >&2
    exit 1
}

# The virtualenv holds exactly requirements/rasa.lock (hash-pinned; `make lock` updates it). The stamp
# records the lock's hash, so a changed lock reinstalls; the model cache key does not depend on it.
LOCK="$(dirname "$NLU_DIR")/requirements/rasa.lock"

install_rasa() {
    local want
    want="$(sha256sum "$LOCK" | cut -d' ' -f1)"
    if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then return; fi
    local started=$SECONDS
    local py
    py="$(find_python310)"
    if [[ ! -x "$VENV/bin/python" ]]; then
        echo "[rasa-setup] creating $VENV with $py" >&2
        "$py" -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet --require-hashes -r "$LOCK"
    echo "$want" > "$STAMP"
    echo "[rasa-setup] install took $((SECONDS - started)) s" >&2
}

# Hash of everything that changes the model. Kept in sync with nlu/rasa_build.py (which does the
# same for Python callers) by computing it there: one definition.
model_hash() {
    "$VENV/bin/python" "$NLU_DIR/rasa_build.py" hash
}

train_if_needed() {
    local hash build model started
    hash="$(model_hash)"
    model="$MODELS/nlu-$hash.tar.gz"
    if [[ -f "$model" ]]; then
        echo "[rasa-setup] cached model $model" >&2
        echo "$model"
        return
    fi
    build="$MODELS/build-$hash"
    "$VENV/bin/python" "$NLU_DIR/rasa_build.py" build "$build" >&2
    started=$SECONDS
    echo "[rasa-setup] training model for hash $hash" >&2
    (
        cd "$build"
        "$VENV/bin/rasa" train nlu --config config.yml --nlu data --domain domain.yml \
            --out "$MODELS" --fixed-model-name "nlu-$hash" >&2
    )
    echo "[rasa-setup] training took $((SECONDS - started)) s" >&2
    rm -rf "$build"
    # Keep the newest three models: enough to switch branches back and forth without retraining.
    ls -1t "$MODELS"/nlu-*.tar.gz 2>/dev/null | tail -n +4 | xargs -r rm -f
    echo "$model"
}

mkdir -p "$MODELS"
# One setup at a time: two concurrent runs would build the same venv and train the same model.
exec 9>"$MODELS/.setup.lock"
flock 9
install_rasa
if [[ "${1:-}" == "--install-only" ]]; then exit 0; fi
train_if_needed
