"""The demo shop's catalog, generated deterministically (no downloads, same shop on every machine)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from chatshop import demo_catalog_zh as zh

BRANDS = ["Stride", "Northpeak", "Lumo", "Urbanite", "Kite", "Hearth", "Pulse", "Verde", "Aurora", "Tidal"]
COLORS = ["red", "blue", "black", "white", "green", "grey", "navy", "pink", "yellow", "beige"]
COLOR_CODES = {
    "red": "RED",
    "blue": "BLU",
    "black": "BLK",
    "white": "WHT",
    "green": "GRN",
    "grey": "GRY",
    "navy": "NVY",
    "pink": "PNK",
    "yellow": "YEL",
    "beige": "BGE",
}
CLOTHING_SIZES = ["XS", "S", "M", "L", "XL"]
SHOE_SIZES = ["38", "39", "40", "41", "42", "43", "44", "45"]

# (category path, product kinds, price range in cents, option style, attributes)
CATALOG: list[tuple[tuple[str, ...], list[str], tuple[int, int], str, dict[str, list[str]]]] = [
    (
        ("Shoes",),
        [
            "Running Shoes",
            "Trail Shoes",
            "Leather Sneakers",
            "Leather Boots",
            "Canvas Sneakers",
            "Sandals",
            "Loafers",
            "Hiking Boots",
        ],
        (3900, 14900),
        "shoe",
        {"material": ["mesh", "leather", "canvas"]},
    ),
    (
        ("Clothing", "T-Shirts"),
        ["Cotton T-Shirt", "Graphic T-Shirt", "Long Sleeve Tee", "Pocket Tee"],
        (1500, 3900),
        "clothing",
        {"material": ["cotton", "organic cotton"]},
    ),
    (
        ("Clothing", "Hoodies"),
        ["Zip Hoodie", "Pullover Hoodie", "Fleece Hoodie"],
        (3900, 8900),
        "clothing",
        {"material": ["fleece", "cotton"]},
    ),
    (
        ("Clothing", "Jackets"),
        ["Rain Jacket", "Down Jacket", "Denim Jacket", "Windbreaker"],
        (5900, 24900),
        "clothing",
        {"material": ["nylon", "down", "denim"]},
    ),
    (
        ("Clothing", "Jeans"),
        ["Slim Jeans", "Straight Jeans", "Relaxed Jeans"],
        (4900, 11900),
        "clothing",
        {"fit": ["slim", "straight", "relaxed"]},
    ),
    (
        ("Bags",),
        ["Hiking Backpack", "Leather Backpack", "Tote Bag", "Messenger Bag", "Duffel Bag", "Crossbody Bag"],
        (2900, 15900),
        "color",
        {"material": ["canvas", "leather", "nylon"]},
    ),
    (("Accessories", "Hats"), ["Baseball Cap", "Wool Beanie", "Bucket Hat", "Sun Hat"], (1500, 3900), "color", {}),
    (("Accessories", "Socks"), ["Crew Socks", "Running Socks", "Ankle Socks"], (800, 2200), "color", {}),
    (
        ("Accessories", "Sunglasses"),
        ["Aviator Sunglasses", "Polarized Sunglasses", "Sport Sunglasses"],
        (2900, 12900),
        "color",
        {"lens": ["polarized", "mirrored"]},
    ),
    (
        ("Electronics", "Headphones"),
        ["Wireless Headphones", "Noise Cancelling Headphones", "Wireless Earbuds"],
        (3900, 29900),
        "color",
        {"battery": ["20 h", "30 h", "40 h"]},
    ),
    (("Electronics", "Phone Cases"), ["Phone Case", "Wallet Case", "Clear Case"], (1200, 4900), "color", {}),
    (
        ("Electronics", "Chargers"),
        ["Fast Charger", "Wireless Charger", "Power Bank"],
        (1900, 7900),
        "single",
        {"power": ["20 W", "30 W", "65 W"]},
    ),
    (("Home", "Mugs"), ["Ceramic Mug", "Travel Mug", "Espresso Cup Set"], (1200, 3900), "color", {}),
    (
        ("Home", "Candles"),
        ["Scented Candle", "Soy Candle", "Candle Set"],
        (1500, 4500),
        "single",
        {"scent": ["vanilla", "cedar", "lavender"]},
    ),
    (("Home", "Blankets"), ["Throw Blanket", "Wool Blanket", "Picnic Blanket"], (3900, 12900), "color", {}),
    (("Sports", "Yoga Mats"), ["Yoga Mat", "Travel Yoga Mat", "Cork Yoga Mat"], (2900, 8900), "color", {}),
    (("Sports", "Water Bottles"), ["Water Bottle", "Insulated Bottle", "Sport Bottle"], (1500, 4500), "color", {}),
    (
        ("Beauty", "Skincare"),
        ["Face Serum", "Moisturizer", "Body Lotion", "Sunscreen"],
        (900, 4900),
        "single",
        {"skin": ["all", "dry", "sensitive"]},
    ),
    (("Beauty", "Fragrance"), ["Eau de Parfum", "Body Mist"], (2900, 9900), "single", {"notes": ["citrus", "woody"]}),
]


@dataclass
class DemoVariant:
    sku: str
    price: int
    options: dict[str, str]


@dataclass
class DemoProduct:
    name: str
    slug: str
    brand: str
    category_path: tuple[str, ...]
    description: str
    attributes: dict[str, str]
    colors: list[str]
    variants: list[DemoVariant] = field(default_factory=list)
    # {"zh_Hans": {"name": "Stride 轻量跑鞋", "description": …}} and {"zh_Hans": ("鞋靴",)}
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    category_translations: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _round_price(cents: int) -> int:
    return (cents // 100) * 100 + 99 if cents >= 1000 else cents


def demo_products() -> list[DemoProduct]:
    rng = random.Random(20261125)
    products: list[DemoProduct] = []
    for path, kinds, (lo, hi), style, attributes in CATALOG:
        for kind in kinds:
            for brand in rng.sample(BRANDS, 4 if len(kinds) > 4 else 3):
                name = f"{brand} {kind}"
                slug = name.lower().replace(" ", "-")
                base = _round_price(rng.randrange(lo, hi))
                colors = rng.sample(COLORS, 1 if style == "single" else rng.choice([2, 3]))
                attrs = {k: rng.choice(v) for k, v in attributes.items()}
                prefix = "".join(w[0] for w in name.split() if w[0].isalnum()).upper()
                code = f"{prefix}{len(products):03d}"
                product = DemoProduct(
                    name=name,
                    slug=slug,
                    brand=brand,
                    category_path=path,
                    description=f"{name}: {', '.join(f'{k} {v}' for k, v in attrs.items()) or 'a shop favourite'}.",
                    attributes=attrs,
                    colors=colors,
                    translations={
                        zh.LOCALE: {
                            "name": zh.name(brand, kind),
                            "description": zh.description(zh.name(brand, kind), attrs),
                        }
                    },
                    category_translations={zh.LOCALE: zh.category_path(path)},
                )
                sizes = SHOE_SIZES if style == "shoe" else CLOTHING_SIZES if style == "clothing" else [None]
                for color in colors:
                    for size in sizes:
                        options = {"color": color} if style != "single" else {}
                        if size:
                            options["size"] = size
                        sku = "-".join(
                            x for x in (code, COLOR_CODES[color] if style != "single" else "", size or "") if x
                        )
                        product.variants.append(DemoVariant(sku, base, options))
                products.append(product)
    return products
