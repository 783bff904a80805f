"""Pattern extractors for entities with a shape rather than a vocabulary: prices, quantities,
order ids, coupon codes and sizes, in English and Chinese.

Each rule knows which intents it makes sense for ("under 80" is a price ceiling when searching,
not when asking about free shipping over 50), because the intent is predicted first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.embedded.numbers import EN_NUMBER_PATTERN, ZH_NUMBER_CHARS, integer_string, money_string


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    entity: str
    value: str


SHOPPING = frozenset(
    {
        "search_product",
        "browse_catalog",
        "product_details",
        "add_to_cart",
        "remove_from_cart",
        "view_cart",
        "return_request",
    }
)
PRICE_INTENTS = frozenset({"search_product", "browse_catalog", "product_details", "add_to_cart"})
QUANTITY_INTENTS = frozenset({"search_product", "add_to_cart", "remove_from_cart", "return_request"})
#: "one"/"一个" is an article when searching ("a blue jacket") and a count only when changing the cart.
COUNT_ONE_INTENTS = frozenset({"add_to_cart", "remove_from_cart"})
ORDER_INTENTS = frozenset({"order_status", "cancel_order", "return_request", "shipping_info", "payment_help"})
COUPON_INTENTS = frozenset({"apply_coupon", "checkout"})

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_NUM_EN = rf"(?:\d+(?:[.,]\d+)*|{EN_NUMBER_PATTERN})"
_NUM_ZH = rf"(?:\d+(?:\.\d+)?|[{ZH_NUMBER_CHARS}]+)"
_CURRENCY = r"(?:[$£€¥￥]|usd|rmb)"

# --- max_price
_PRICE_CUE_EN = (
    r"(?:under|below|less\s+than|cheaper\s+than|no\s+more\s+than|not\s+more\s+than|not\s+over|"
    r"max(?:imum)?|up\s*to|at\s+most|within|budget(?:\s+(?:of|is))?|<|≤)"
)
_PRICE_EN = re.compile(
    rf"(?i)(?<![A-Za-z]){_PRICE_CUE_EN}\s*(?:of\s+)?(?P<num>(?:{_CURRENCY}\s*)?{_NUM_EN})"
    rf"(?:\s*(?:dollars?|bucks|usd|quid|euros?|rmb|yuan))?(?![A-Za-z0-9])"
)
_PRICE_SYMBOL = re.compile(r"(?P<num>[$£€¥￥]\s?\d+(?:[.,]\d+)*)")
_PRICE_UNIT_EN = re.compile(rf"(?i)(?<![A-Za-z0-9])(?P<num>{_NUM_EN})\s*(?:dollars?|bucks|quid)(?![A-Za-z])")
_PRICE_ZH_PRE = re.compile(
    rf"(?:不超过|不到|低于|少于|最多|最高|预算|控制在|不高于|不能超过|别超过)\s*(?P<num>[$¥￥]?\s*{_NUM_ZH})"
    r"\s*(?:元|块钱|块|美元|刀|rmb)?"
)
_PRICE_ZH_POST = re.compile(rf"(?P<num>[$¥￥]?{_NUM_ZH})\s*(?:元|块钱|块|美元|刀)?\s*(?:以内|以下|之内|之下|内)")

# --- order_id
_ORDER_HASH = re.compile(r"(?P<id>#\s?\d{3,10})(?!\d)")
_ORDER_CUE = re.compile(
    r"(?i)(?:order|orders|order\s+number|order\s+no\.?|order\s+id|package|parcel|订单号|订单编号|订单|单号|包裹)"
    r"\s*(?:number|no\.?|id|#|:|：)?\s*(?P<id>#?\d{3,10})(?![\d.])"
)
_ORDER_BARE = re.compile(r"(?<![\d.$¥£€,])(?P<id>\d{4,10})(?![\d.%])")

# --- coupon_code
_COUPON_CUE = re.compile(
    r"(?i)(?:code|coupon|coupn|cupon|voucher|promo|discount|redeem|apply|use|"
    r"优惠码|优惠券|优惠劵|折扣码|代金券|券|码|兑换|折扣|用)"
    r"\s*(?:code\s*)?[:：]?\s*(?P<code>[A-Za-z][A-Za-z0-9]{2,19})(?![A-Za-z0-9])"
)
_COUPON_SHAPE = re.compile(r"(?<![A-Za-z0-9])(?P<code>[A-Za-z]{2,}\d{1,4}|[A-Z]{4,20})(?![A-Za-z0-9])")
_NOT_CODES = frozenset({"VISA", "AMEX", "USD", "RMB", "ASAP", "SMS", "PAYPAL", "FAQ", "HELP", "OK", "PLEASE"})

# --- quantity
_SMALL_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\\s+couple(?:\\s+of)?|a\\s+dozen|couple"
_QTY_EN = re.compile(
    rf"(?i)(?<![A-Za-z0-9#$.,])(?:x\s?(?P<xnum>\d{{1,2}})|(?P<numx>\d{{1,2}})\s?x|(?P<num>\d{{1,3}}|{_SMALL_WORDS}))"
    r"(?![A-Za-z0-9%.,])"
)
_QTY_EN_NOT_BEFORE = re.compile(
    r"(?i)\s*(?:days?|weeks?|months?|years?|hours?|mins?|minutes?|am|pm|%|percent|off|dollars?|bucks|usd|"
    r"euros?|quid|plus|minus|times|o'clock|ml|cm|kg|g|of\s+(?:you|them\s+is|us))\b"
)
_QTY_EN_NOT_AFTER = {
    "the",
    "this",
    "that",
    "which",
    "any",
    "each",
    "every",
    "no",
    "some",
    "another",
    "a",
    "an",
    "new",
    "other",
    "same",
    "last",
    "first",
    "only",
    "size",
    "sz",
    "eu",
    "us",
    "uk",
    "in",
    "under",
    "below",
    "than",
    "to",
    "max",
    "budget",
    "order",
    "number",
    "#",
}
#: Words after which "one" is a count ("add one", "remove one more").
_ONE_AFTER = frozenset(
    [
        "add",
        "remove",
        "delete",
        "take",
        "buy",
        "get",
        "want",
        "like",
        "need",
        "have",
        "order",
        "purchase",
        "put",
        "grab",
        "drop",
        "minus",
        "just",
        "only",
    ]
)
_QTY_ZH = re.compile(
    rf"(?<![\d.{ZH_NUMBER_CHARS}])(?P<num>\d{{1,3}}|[一二两俩三四五六七八九十]{{1,3}})\s*"
    r"(?=双|件|个|条|顶|只|台|瓶|支|盒|副|份|套|把|张|罐|对|款|包)"
)

# --- size
# A space or a digit after the cue: "sizes" is no "size S".
_SIZE_CUE = re.compile(
    r"(?i)(?<![A-Za-z])(?:size|sz|eu|us|uk)(?:\s+|(?=\d))(?P<size>\d{2}|xxl|xl|xs|s|m|l)(?![A-Za-z0-9])"
)
_SIZE_LETTER = re.compile(r"(?<![A-Za-z'’])(?P<size>XS|XL|S|M|L)(?![A-Za-z'’])")
_SIZE_LETTER_ZH = re.compile(r"(?i)(?<![A-Za-z])(?P<size>xs|xl|s|m|l)\s*(?=码|号)")
_SIZE_SHOE = re.compile(r"(?i)(?:\b(?:in|size|sz|eu|us|uk)\s*)(?P<size>3[89]|4[0-5])(?![\d.])")
_SIZE_SHOE_ZH = re.compile(r"(?<![\d.])(?P<size>3[89]|4[0-5])\s*(?=码|号|碼)")
_SIZE_WORD = re.compile(r"(?i)(?<![A-Za-z-])(?P<size>small|medium|large|med)(?![A-Za-z-])")
_SIZE_WORD_NOT_AFTER = re.compile(r"(?i)(?:too|so|very|how|is|are|was|bit|more|less|how\s+big\s+or)\s*$")
_SIZE_WORDS = {"small": "S", "medium": "M", "med": "M", "large": "L"}


def _dedupe(spans: list[Span]) -> list[Span]:
    """One span per stretch of text (several patterns often find the same price): longest wins."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def _numeric_id(raw: str) -> str:
    return re.sub(r"\D", "", raw)


def price_spans(text: str, intent: str) -> list[Span]:
    if intent not in PRICE_INTENTS:
        return []
    spans: list[Span] = []
    for pattern in (_PRICE_EN, _PRICE_ZH_PRE, _PRICE_ZH_POST, _PRICE_SYMBOL, _PRICE_UNIT_EN):
        for match in pattern.finditer(text):
            raw = match.group("num")
            cleaned = re.sub(r"(?i)^(?:usd|rmb)\s*", "", raw.strip())
            value = money_string(cleaned)
            if value is not None:
                start = match.start("num") + (len(raw) - len(raw.lstrip()))
                spans.append(Span(start, match.end("num"), "max_price", value))
    return _dedupe(spans)


def order_spans(text: str, intent: str) -> list[Span]:
    cued = [*_ORDER_HASH.finditer(text), *_ORDER_CUE.finditer(text)]
    spans = [Span(m.start("id"), m.end("id"), "order_id", _numeric_id(m.group("id"))) for m in cued]
    if intent in ORDER_INTENTS:
        spans += [Span(m.start("id"), m.end("id"), "order_id", m.group("id")) for m in _ORDER_BARE.finditer(text)]
    return _dedupe(spans)


def coupon_spans(text: str, intent: str, known_codes: frozenset[str]) -> list[Span]:
    if intent not in COUPON_INTENTS:
        return []
    spans: list[Span] = []
    for match in _COUPON_CUE.finditer(text):
        code = match.group("code")
        # After a cue a plain lower-case word is English ("code isn't working"), unless it is a known code.
        plausible = any(ch.isdigit() for ch in code) or not code.islower() or code.upper() in known_codes
        if plausible and code.upper() not in _NOT_CODES:
            spans.append(Span(match.start("code"), match.end("code"), "coupon_code", code.upper()))
    for match in _COUPON_SHAPE.finditer(text):
        code = match.group("code")
        if code.upper() not in _NOT_CODES:
            spans.append(Span(match.start("code"), match.end("code"), "coupon_code", code.upper()))
    return _dedupe(spans)


def quantity_spans(text: str, intent: str) -> list[Span]:
    if intent not in QUANTITY_INTENTS:
        return []
    spans: list[Span] = []
    for match in _QTY_EN.finditer(text):
        group = next(g for g in ("xnum", "numx", "num") if match.group(g))
        raw = match.group(group)
        value = integer_string(raw)
        if value is None or value == "0":
            continue
        if _QTY_EN_NOT_BEFORE.match(text, match.end()):
            continue
        previous = re.findall(r"[A-Za-z#]+", text[max(0, match.start() - 12) : match.start()])
        if group == "num" and previous and previous[-1].casefold() in _QTY_EN_NOT_AFTER:
            continue
        if value == "1" and intent not in COUNT_ONE_INTENTS:
            continue
        if raw.casefold() == "one" and previous and previous[-1].casefold() not in _ONE_AFTER:
            continue  # "the red one", "that one": a pronoun, not a count
        spans.append(Span(match.start(), match.end(), "quantity", value))
    for match in _QTY_ZH.finditer(text):
        value = integer_string(match.group("num"))
        if value is None or value == "0" or (value == "1" and intent not in COUNT_ONE_INTENTS):
            continue
        spans.append(Span(match.start("num"), match.end("num"), "quantity", value))
    return _dedupe(spans)


def size_spans(text: str, intent: str) -> list[Span]:
    if intent not in SHOPPING:
        return []
    spans: list[Span] = []
    for pattern in (_SIZE_CUE, _SIZE_LETTER, _SIZE_LETTER_ZH, _SIZE_SHOE, _SIZE_SHOE_ZH):
        for match in pattern.finditer(text):
            value = match.group("size").upper()
            if value == "XXL":
                value = "XL"
            spans.append(Span(match.start("size"), match.end("size"), "size", value))
    for match in _SIZE_WORD.finditer(text):
        if _SIZE_WORD_NOT_AFTER.search(text[: match.start()]):
            continue
        spans.append(Span(match.start(), match.end(), "size", _SIZE_WORDS[match.group("size").casefold()]))
    return _dedupe(spans)


def high_priority_spans(text: str, intent: str, known_codes: frozenset[str]) -> list[Span]:
    """Shapes that are unambiguous once found: they win over dictionary words they overlap."""
    return [*order_spans(text, intent), *coupon_spans(text, intent, known_codes), *price_spans(text, intent)]


def low_priority_spans(text: str, intent: str) -> list[Span]:
    """Counts and sizes: the dictionary ("Stride Running Shoes") wins over these where they overlap."""
    return [*size_spans(text, intent), *quantity_spans(text, intent)]
