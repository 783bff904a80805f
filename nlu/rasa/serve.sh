#!/usr/bin/env bash
# Serve the Rasa NLU model for the current data + config on 127.0.0.1:5005 (override with RASA_PORT).
# Builds the virtualenv and trains first when needed (see setup.sh), so this one command is enough.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODEL="$("$HERE/setup.sh")"
PORT="${RASA_PORT:-5005}"
VENV="${CHATSHOP_RASA_CACHE:+$CHATSHOP_RASA_CACHE/venv}"
VENV="${VENV:-$HERE/.venv}"
cd "$(dirname "$MODEL")"
exec "$VENV/bin/rasa" run --enable-api --interface 127.0.0.1 --port "$PORT" --model "$MODEL" --log-file /dev/null
