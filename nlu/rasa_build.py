"""Assemble the Rasa project from nlu/data (never a hand-made copy) and compute its model hash.

Runs under the Rasa virtualenv's Python 3.10 as well as the app's 3.11, so it uses the standard
library only. Called by nlu/rasa/setup.sh:

    python nlu/rasa_build.py hash          # print the hash of data + config + domain
    python nlu/rasa_build.py build DIR     # DIR/config.yml, DIR/domain.yml, DIR/data/ (training files)
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

NLU_DIR = Path(__file__).resolve().parent
DATA_DIR = NLU_DIR / "data"
RASA_DIR = NLU_DIR / "rasa"
#: Bump to force a retrain when the way the project is assembled changes.
BUILD_VERSION = "rasa-build-1"


def training_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """Same selection as nlu.training_data.training_files: *.yml and lookups/*.yml, never test/."""
    return sorted(data_dir.glob("*.yml")) + sorted((data_dir / "lookups").glob("*.yml"))


def model_hash(data_dir: Path = DATA_DIR, rasa_dir: Path = RASA_DIR) -> str:
    digest = hashlib.sha256(BUILD_VERSION.encode())
    for path in [*training_files(data_dir), rasa_dir / "config.yml", rasa_dir / "domain.yml"]:
        digest.update(str(path.relative_to(NLU_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build(target: Path, data_dir: Path = DATA_DIR, rasa_dir: Path = RASA_DIR) -> Path:
    if target.exists():
        shutil.rmtree(target)
    (target / "data" / "lookups").mkdir(parents=True)
    shutil.copy2(rasa_dir / "config.yml", target / "config.yml")
    shutil.copy2(rasa_dir / "domain.yml", target / "domain.yml")
    for path in training_files(data_dir):
        relative = path.relative_to(data_dir)
        shutil.copy2(path, target / "data" / relative)
    return target


def main(argv: list[str]) -> int:
    if argv[:1] == ["hash"]:
        print(model_hash())
        return 0
    if len(argv) == 2 and argv[0] == "build":
        print(build(Path(argv[1])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
