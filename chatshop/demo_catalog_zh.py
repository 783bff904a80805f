"""The demo catalog's Simplified Chinese names and descriptions (shown to shoppers who chat in Chinese).

Written the way a Chinese shop names things ("Stride 轻量跑鞋", not a word-for-word "Stride 跑步 鞋"); the
brand stays in Latin letters, as brands do on Chinese shop pages. Kept apart from ``demo_catalog`` so its
deterministic generator is untouched.
"""

from __future__ import annotations

LOCALE = "zh_Hans"

CATEGORIES = {
    "Shoes": "鞋靴",
    "Clothing": "服装",
    "T-Shirts": "T恤",
    "Hoodies": "卫衣",
    "Jackets": "外套",
    "Jeans": "牛仔裤",
    "Bags": "箱包",
    "Accessories": "配饰",
    "Hats": "帽子",
    "Socks": "袜子",
    "Sunglasses": "太阳镜",
    "Electronics": "数码",
    "Headphones": "耳机",
    "Phone Cases": "手机壳",
    "Chargers": "充电器",
    "Home": "家居",
    "Mugs": "杯具",
    "Candles": "香薰蜡烛",
    "Blankets": "毯子",
    "Sports": "运动",
    "Yoga Mats": "瑜伽垫",
    "Water Bottles": "水杯水壶",
    "Beauty": "美妆个护",
    "Skincare": "护肤",
    "Fragrance": "香水香氛",
}

PRODUCTS = {
    "Running Shoes": "轻量跑鞋",
    "Trail Shoes": "越野跑鞋",
    "Leather Sneakers": "真皮休闲板鞋",
    "Leather Boots": "真皮短靴",
    "Canvas Sneakers": "经典帆布鞋",
    "Sandals": "休闲凉鞋",
    "Loafers": "一脚蹬乐福鞋",
    "Hiking Boots": "防滑登山靴",
    "Cotton T-Shirt": "纯棉圆领T恤",
    "Graphic T-Shirt": "印花短袖T恤",
    "Long Sleeve Tee": "长袖T恤",
    "Pocket Tee": "口袋短袖T恤",
    "Zip Hoodie": "拉链连帽卫衣",
    "Pullover Hoodie": "套头连帽卫衣",
    "Fleece Hoodie": "抓绒连帽卫衣",
    "Rain Jacket": "轻薄防雨夹克",
    "Down Jacket": "保暖羽绒服",
    "Denim Jacket": "复古牛仔夹克",
    "Windbreaker": "防风夹克",
    "Slim Jeans": "修身牛仔裤",
    "Straight Jeans": "直筒牛仔裤",
    "Relaxed Jeans": "宽松牛仔裤",
    "Hiking Backpack": "户外登山背包",
    "Leather Backpack": "真皮双肩包",
    "Tote Bag": "大容量托特包",
    "Messenger Bag": "休闲邮差包",
    "Duffel Bag": "旅行行李袋",
    "Crossbody Bag": "小巧斜挎包",
    "Baseball Cap": "棒球帽",
    "Wool Beanie": "羊毛针织帽",
    "Bucket Hat": "渔夫帽",
    "Sun Hat": "宽檐遮阳帽",
    "Crew Socks": "中筒棉袜",
    "Running Socks": "专业跑步袜",
    "Ankle Socks": "低帮短袜",
    "Aviator Sunglasses": "飞行员太阳镜",
    "Polarized Sunglasses": "偏光太阳镜",
    "Sport Sunglasses": "运动太阳镜",
    "Wireless Headphones": "头戴式无线耳机",
    "Noise Cancelling Headphones": "主动降噪耳机",
    "Wireless Earbuds": "真无线蓝牙耳机",
    "Phone Case": "防摔手机壳",
    "Wallet Case": "插卡翻盖手机壳",
    "Clear Case": "透明手机壳",
    "Fast Charger": "快充充电器",
    "Wireless Charger": "无线充电器",
    "Power Bank": "充电宝",
    "Ceramic Mug": "陶瓷马克杯",
    "Travel Mug": "便携随行杯",
    "Espresso Cup Set": "意式咖啡杯套装",
    "Scented Candle": "香薰蜡烛",
    "Soy Candle": "大豆蜡香薰蜡烛",
    "Candle Set": "香薰蜡烛礼盒",
    "Throw Blanket": "沙发盖毯",
    "Wool Blanket": "羊毛毯",
    "Picnic Blanket": "防潮野餐垫",
    "Yoga Mat": "加厚瑜伽垫",
    "Travel Yoga Mat": "便携折叠瑜伽垫",
    "Cork Yoga Mat": "软木瑜伽垫",
    "Water Bottle": "便携水杯",
    "Insulated Bottle": "不锈钢保温杯",
    "Sport Bottle": "运动水壶",
    "Face Serum": "面部精华液",
    "Moisturizer": "保湿面霜",
    "Body Lotion": "滋润身体乳",
    "Sunscreen": "清爽防晒霜",
    "Eau de Parfum": "淡香精香水",
    "Body Mist": "身体香氛喷雾",
}

ATTRIBUTE_NAMES = {
    "material": "材质",
    "fit": "版型",
    "lens": "镜片",
    "battery": "续航",
    "power": "功率",
    "scent": "香型",
    "skin": "适用肤质",
    "notes": "香调",
}

ATTRIBUTE_VALUES = {
    "mesh": "透气网面",
    "leather": "真皮",
    "canvas": "帆布",
    "cotton": "纯棉",
    "organic cotton": "有机棉",
    "fleece": "抓绒",
    "nylon": "尼龙",
    "down": "羽绒",
    "denim": "牛仔布",
    "slim": "修身",
    "straight": "直筒",
    "relaxed": "宽松",
    "polarized": "偏光",
    "mirrored": "炫彩镀膜",
    "20 h": "20 小时",
    "30 h": "30 小时",
    "40 h": "40 小时",
    "vanilla": "香草",
    "cedar": "雪松",
    "lavender": "薰衣草",
    "all": "所有肤质",
    "dry": "干性肌肤",
    "sensitive": "敏感肌",
    "citrus": "柑橘调",
    "woody": "木质调",
}


def name(brand: str, kind: str) -> str:
    """ "Stride 轻量跑鞋" for the Stride Running Shoes."""
    return f"{brand} {PRODUCTS[kind]}"


def description(product_name: str, attributes: dict[str, str]) -> str:
    """ "Stride 轻量跑鞋，材质：透气网面。"; a product without attributes is "…，店铺人气好物。"."""
    facts = "，".join(f"{ATTRIBUTE_NAMES[k]}：{ATTRIBUTE_VALUES.get(v, v)}" for k, v in attributes.items())
    return f"{product_name}，{facts or '店铺人气好物'}。"


def category_path(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(CATEGORIES[name] for name in path)
