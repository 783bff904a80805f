"""`NluEngine` that asks a Rasa 3 server (`POST {url}/model/parse`) and falls back to the embedded
engine when Rasa is down, slow or answers something that is not a parse result.

Rasa returns entity values as it was trained (synonyms applied); we apply the same canonical casing
as the embedded engine so callers see one vocabulary whichever engine answered.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import aiohttp

from nlu.embedded.numbers import integer_string, money_string
from nlu.interface import (
    ENTITY_TYPES,
    Entity,
    NluEngine,
    ParseResult,
    clean_text,
    detect_language,
    out_of_scope_result,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 1.5
RASA_URL_ENV = "CHATSHOP_RASA_URL"
_CASE = {"color": str.lower, "category": str.lower, "size": str.upper, "coupon_code": str.upper}


class RasaResponseError(ValueError):
    """Rasa answered, but not with a usable parse result."""


def result_from_rasa(payload: Any, text: str, language: str) -> ParseResult:
    """Map Rasa's /model/parse JSON to a ParseResult; raise RasaResponseError on anything malformed."""
    if not isinstance(payload, dict):
        raise RasaResponseError(f"expected a JSON object, got {type(payload).__name__}")
    intent = payload.get("intent")
    if not isinstance(intent, dict) or not isinstance(intent.get("name"), str):
        raise RasaResponseError("no intent.name in the response")
    try:
        confidence = float(intent.get("confidence", 0.0))
    except (TypeError, ValueError) as exc:
        raise RasaResponseError("intent.confidence is not a number") from exc
    if not 0.0 <= confidence <= 1.0:
        raise RasaResponseError(f"intent.confidence {confidence} out of range")
    ranking: list[tuple[str, float]] = []
    for item in payload.get("intent_ranking") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            try:
                ranking.append((item["name"], float(item.get("confidence", 0.0))))
            except (TypeError, ValueError):
                continue
    entities: list[Entity] = []
    for item in payload.get("entities") or []:
        if not isinstance(item, dict) or item.get("entity") not in ENTITY_TYPES:
            continue
        try:
            start, end = int(item["start"]), int(item["end"])
        except (KeyError, TypeError, ValueError):
            continue
        raw_value = item.get("value")
        if raw_value is None:
            continue
        value = str(raw_value).strip()
        entity = str(item["entity"])
        if entity == "order_id":
            value = "".join(ch for ch in value if ch.isdigit()) or value
        elif entity == "quantity":
            value = integer_string(value) or value
        elif entity == "max_price":
            # Rasa maps only spellings it was trained on ("八十" may come back raw): same normaliser as
            # the embedded engine, so "八十" -> "80", "$79.99" -> "79.99".
            value = money_string(value) or value
        case = _CASE.get(entity)
        entities.append(Entity(entity, case(value) if case else value, start, end, text[start:end]))
    entities.sort(key=lambda e: e.start)
    name = intent["name"]
    return ParseResult(
        text=text,
        intent=name,
        confidence=confidence,
        entities=tuple(entities),
        language=language,
        intent_ranking=tuple(ranking) or ((name, confidence),),
    )


class RasaEngine:
    """Rasa over HTTP with a fallback engine. One aiohttp session per engine, opened lazily."""

    def __init__(
        self,
        url: str | None = None,
        fallback: NluEngine | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.url = (url or os.environ.get(RASA_URL_ENV) or "http://127.0.0.1:5005").rstrip("/")
        self.fallback = fallback
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        #: how many parses fell back, for health checks and tests
        self.fallbacks = 0

    async def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def __aenter__(self) -> RasaEngine:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def parse(self, text: str, locale: str | None = None) -> ParseResult:
        cleaned = clean_text(text)
        language = detect_language(cleaned, locale)
        if not any(ch.isalnum() for ch in cleaned):
            return out_of_scope_result(cleaned, language)
        try:
            session = await self._client()
            async with session.post(f"{self.url}/model/parse", json={"text": cleaned}) as response:
                if response.status != 200:
                    raise RasaResponseError(f"HTTP {response.status}")
                payload = await response.json(content_type=None)
            return result_from_rasa(payload, cleaned, language)
        except (TimeoutError, aiohttp.ClientError, RasaResponseError, ValueError) as exc:
            self.fallbacks += 1
            log.warning("Rasa at %s unusable (%s: %s); using the fallback engine", self.url, type(exc).__name__, exc)
            if self.fallback is None:
                return out_of_scope_result(cleaned, language)
            return await self.fallback.parse(cleaned, locale)
