"""Loader for Rasa 3 NLU YAML: intents with inline entity annotations, synonyms, lookup tables, regexes.

Used by the embedded trainer, the evaluator and the Rasa build. It never raises on bad content: a file
that does not parse, an annotation that is not valid JSON or an unknown block is recorded in
`TrainingData.errors` and skipped, so one typo cannot take the shop's NLU down.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# [text](entity) | [text](entity:value) | [text]{"entity": "...", "value": "..."}
_ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+)\](?:\((?P<paren>[^()]+)\)|(?P<json>\{[^{}]*\}))")


@dataclass(frozen=True)
class AnnotatedEntity:
    entity: str
    value: str
    start: int
    end: int
    text: str
    #: the annotation gives its value ("[红色]{... "value": "red"}", "[large](size:L)"); without one Rasa
    #: takes the text as the value, which in a file written by someone else is rarely our canonical form
    value_stated: bool = False


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[AnnotatedEntity, ...] = ()
    #: the file it was read from (its name), so cross-validation can score each file on its own
    source: str = field(default="", compare=False)


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    #: casefolded surface text -> canonical value (from `synonym:` blocks and annotated values)
    synonyms: dict[str, str] = field(default_factory=dict)
    #: the part of `synonyms` written as `synonym:` blocks (what `with_examples` keeps)
    synonym_blocks: dict[str, str] = field(default_factory=dict)
    #: lookup table name (an entity type) -> values
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def merge(self, other: TrainingData) -> None:
        self.examples.extend(other.examples)
        self.synonyms.update(other.synonyms)
        self.synonym_blocks.update(other.synonym_blocks)
        for name, values in other.lookups.items():
            self.lookups.setdefault(name, []).extend(values)
        for name, values in other.regexes.items():
            self.regexes.setdefault(name, []).extend(values)
        self.errors.extend(other.errors)

    def with_examples(self, examples: Iterable[Example]) -> TrainingData:
        """The same lookups, regexes and synonym blocks with other examples (a cross-validation fold): the
        synonyms that annotations imply come from these examples only, so a held-out fold leaks nothing."""
        data = TrainingData(
            lookups={k: list(v) for k, v in self.lookups.items()},
            regexes={k: list(v) for k, v in self.regexes.items()},
            synonym_blocks=dict(self.synonym_blocks),
        )
        for example in examples:
            data.examples.append(example)
            _note_synonyms(data.synonyms, example)
        data.synonyms.update(self.synonym_blocks)  # as when loading files: a synonym block wins
        return data

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})

    @property
    def entity_types(self) -> list[str]:
        return sorted({a.entity for e in self.examples for a in e.entities})


def parse_annotated(line: str) -> tuple[str, tuple[AnnotatedEntity, ...], list[str]]:
    """Strip inline annotations from one example; return (plain text, entities, errors)."""
    errors: list[str] = []
    entities: list[AnnotatedEntity] = []
    plain: list[str] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[cursor : match.start()]
        plain.append(before)
        length += len(before)
        text = match.group("text")
        entity, value, stated = "", text, False
        if match.group("paren") is not None:
            entity, _, explicit = match.group("paren").partition(":")
            value, stated = explicit or text, bool(explicit)
        else:
            try:
                spec = json.loads(match.group("json"))
            except json.JSONDecodeError:
                spec = None
            if isinstance(spec, dict) and isinstance(spec.get("entity"), str):
                entity = spec["entity"]
                value, stated = str(spec.get("value", text)), "value" in spec
            else:
                errors.append(f"bad entity annotation {match.group(0)!r} in {line!r}")
        entity = entity.strip()
        if entity:
            entities.append(AnnotatedEntity(entity, value.strip(), length, length + len(text), text, stated))
        plain.append(text)
        length += len(text)
        cursor = match.end()
    plain.append(line[cursor:])
    return "".join(plain), tuple(entities), errors


def _example_lines(block: object) -> list[str]:
    """Items of an `examples:` value: Rasa's "- item" text block, or a YAML list."""
    if isinstance(block, str):
        lines = []
        for raw in block.splitlines():
            item = raw.strip()
            if item.startswith("- "):
                item = item[2:].strip()
            elif item == "-":
                item = ""
            if item:
                lines.append(item)
        return lines
    if isinstance(block, list):
        out = []
        for item in block:
            if isinstance(item, dict):  # Rasa's extended form: {"text": ..., "metadata": ...}
                item = item.get("text", "")
            if isinstance(item, str | int | float) and str(item).strip():
                out.append(str(item).strip())
        return out
    return []


def _note_synonyms(synonyms: dict[str, str], example: Example) -> None:
    """An annotation whose value differs from its text ("[红色]{... "value": "red"}") is a synonym too."""
    for ent in example.entities:
        if ent.value != ent.text:
            synonyms.setdefault(ent.text.casefold(), ent.value)


def parse_document(document: object, source: str = "<string>") -> TrainingData:
    data = TrainingData()
    if not isinstance(document, dict):
        data.errors.append(f"{source}: not a Rasa YAML mapping")
        return data
    blocks = document.get("nlu") or []
    if not isinstance(blocks, list):
        data.errors.append(f"{source}: 'nlu' is not a list")
        return data
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            data.errors.append(f"{source}: nlu[{index}] is not a mapping")
            continue
        lines = _example_lines(block.get("examples"))
        if "intent" in block:
            intent = str(block["intent"]).strip()
            for line in lines:
                text, entities, errors = parse_annotated(line)
                data.errors.extend(f"{source}: {e}" for e in errors)
                example = Example(text=text, intent=intent, entities=entities, source=Path(source).name)
                data.examples.append(example)
                _note_synonyms(data.synonyms, example)
        elif "synonym" in block:
            canonical = str(block["synonym"]).strip()
            for line in lines:
                data.synonyms[line.casefold()] = canonical
                data.synonym_blocks[line.casefold()] = canonical
        elif "lookup" in block:
            data.lookups.setdefault(str(block["lookup"]).strip(), []).extend(lines)
        elif "regex" in block:
            data.regexes.setdefault(str(block["regex"]).strip(), []).extend(lines)
        else:
            data.errors.append(f"{source}: nlu[{index}] has no intent/synonym/lookup/regex key")
    return data


def load_text(text: str, source: str = "<string>") -> TrainingData:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        data = TrainingData()
        data.errors.append(f"{source}: invalid YAML: {exc}")
        return data
    return parse_document(document, source)


def load_file(path: Path) -> TrainingData:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        data = TrainingData()
        data.errors.append(f"{path}: cannot read: {exc}")
        return data
    return load_text(text, str(path))


def load_files(paths: Iterable[Path]) -> TrainingData:
    data = TrainingData()
    for path in paths:
        data.merge(load_file(path))
    return data


def training_files(data_dir: Path) -> list[Path]:
    """The training files of a data directory: its *.yml and lookups/*.yml; never test/ (held-out)."""
    data_dir = Path(data_dir)
    files = sorted(data_dir.glob("*.yml")) + sorted((data_dir / "lookups").glob("*.yml"))
    return [f for f in files if f.is_file()]


def load_training_data(data_dir: Path) -> TrainingData:
    return load_files(training_files(data_dir))
