from __future__ import annotations

from pathlib import Path

import yaml

from domain.views.models import CatalogVocabulary
from nlu import rasa_build
from nlu.embedded.gazetteer import build_gazetteer
from nlu.embedded.tokens import tokenize
from nlu.interface import ENTITY_TYPES, INTENTS
from nlu.lookups import product_types, write_lookup_tables
from nlu.training_data import load_files

RASA_DIR = Path(rasa_build.__file__).resolve().parent / "rasa"


def test_lookup_tables_are_written_per_entity_and_read_back(tmp_path: Path) -> None:
    vocabulary = CatalogVocabulary(
        products=["Stride Running Shoes", "Lumo Phone Case", "Odd: Name #1"],
        brands=["Stride", "Lumo"],
        categories=["Shoes", "Phone Cases"],
        colors=["Red", "red"],
        sizes=["m", "42"],
    )
    paths = write_lookup_tables(vocabulary, tmp_path / "lookups")
    assert sorted(p.name for p in paths) == ["brand.yml", "category.yml", "color.yml", "product.yml", "size.yml"]
    data = load_files(paths)
    assert data.errors == []
    assert data.lookups["color"] == ["red"]  # de-duplicated, canonical lower case
    assert data.lookups["size"] == ["M", "42"]
    assert data.lookups["category"] == ["shoes", "phone cases"]
    # Brand-less product types are added, but one that names a category ("phone case") is not,
    # and a brand-less name equal to an existing one is not repeated.
    assert data.lookups["product"] == ["Stride Running Shoes", "Lumo Phone Case", "Odd: Name #1", "running shoes"]


def test_product_types_drop_the_brand() -> None:
    vocabulary = CatalogVocabulary(
        products=["Stride Running Shoes", "Verde Yoga Mat"],
        brands=["Stride", "Verde"],
        categories=["Shoes", "Yoga Mats"],
    )
    assert "running shoes" in product_types(vocabulary)
    assert "yoga mat" not in product_types(vocabulary)  # the category "Yoga Mats"


def test_a_new_catalog_product_is_recognised_after_export(tmp_path: Path) -> None:
    vocabulary = CatalogVocabulary(
        products=["Zephyr Trail Vest"], brands=["Zephyr"], categories=[], colors=[], sizes=[]
    )
    data = load_files(write_lookup_tables(vocabulary, tmp_path))
    gazetteer = build_gazetteer(data)
    text = "do you have the zephyr trail vest"
    assert [m[2:] for m in gazetteer.match(text, tokenize(text))] == [("product", "Zephyr Trail Vest")]


def test_rasa_domain_lists_exactly_our_intents_and_entities() -> None:
    domain = yaml.safe_load((RASA_DIR / "domain.yml").read_text(encoding="utf-8"))
    assert domain["intents"] == list(INTENTS)
    assert domain["entities"] == list(ENTITY_TYPES)


def test_rasa_pipeline_can_tokenise_chinese() -> None:
    config = yaml.safe_load((RASA_DIR / "config.yml").read_text(encoding="utf-8"))
    names = [step["name"] for step in config["pipeline"]]
    assert names[0] == "JiebaTokenizer"
    assert "EntitySynonymMapper" in names


def test_rasa_build_copies_training_data_but_never_the_heldout_file(tmp_path: Path) -> None:
    target = rasa_build.build(tmp_path / "build")
    copied = sorted(str(p.relative_to(target)) for p in target.rglob("*.yml"))
    assert "data/en.yml" in copied and "data/zh.yml" in copied and "data/lookups/product.yml" in copied
    assert not any("heldout" in name or name.startswith("data/test") for name in copied)
    assert (target / "data" / "en.yml").read_bytes() == (rasa_build.DATA_DIR / "en.yml").read_bytes()


def test_rasa_model_hash_follows_data_and_config(tmp_path: Path) -> None:
    import shutil

    data_dir = tmp_path / "data"
    rasa_dir = tmp_path / "rasa"
    shutil.copytree(rasa_build.DATA_DIR, data_dir)
    rasa_dir.mkdir()
    for name in ("config.yml", "domain.yml"):
        shutil.copy2(RASA_DIR / name, rasa_dir / name)

    def digest() -> str:
        # model_hash names files relative to nlu/; use a twin layout under tmp_path
        rasa_build_nlu = rasa_build.NLU_DIR
        try:
            rasa_build.NLU_DIR = tmp_path
            return rasa_build.model_hash(data_dir, rasa_dir)
        finally:
            rasa_build.NLU_DIR = rasa_build_nlu

    first = digest()
    assert digest() == first
    (rasa_dir / "config.yml").write_text((rasa_dir / "config.yml").read_text() + "\n# tweak\n")
    second = digest()
    assert second != first
    (data_dir / "test").mkdir(exist_ok=True)
    (data_dir / "test" / "heldout.yml").write_text("changed")
    assert digest() == second  # the held-out file is not training data
