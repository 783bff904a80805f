"""Catalog import/export: bad rows are reported by line and never half-write a product."""

from __future__ import annotations

from pathlib import Path

from chatshop.catalog_io import export_catalog, import_catalog
from tests.support.shopdata import SmallShop

CSV = """product_slug,name,brand,category,description,sku,price,options,attributes,images,status
trail-runner,Kite Trail Runner,Kite,Shoes > Trail,Grippy.,TR-RED-42,89.90,color=red;size=42,material=mesh,/a.png,active
trail-runner,Kite Trail Runner,Kite,Shoes > Trail,Grippy.,TR-BLU-42,89.90,color=blue;size=42,material=mesh,/a.png,active
broken-bag,Broken Bag,Kite,Bags,,BAG-1,12.00,,,,active
broken-bag,Broken Bag,Kite,Bags,,BAG-2,twelve,,,,active
no-name,,Kite,Bags,,NN-1,1.00,,,,active
cheap-socks,Verde Socks,Verde,Accessories > Socks,,SOCK-1,4.5,size=M,,,archived
bad-option,Odd Hat,Kite,Hats,,HAT-1,9.99,colour,,,active
dup-sku,Dup Mug,Hearth,Home,,MUG-WHT,3.00,,,,active
"""


async def test_import_reports_bad_rows_by_line_and_keeps_the_good_products(small: SmallShop, tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(CSV)
    report = await import_catalog(small.shop, path)
    assert (report.products, report.variants) == (2, 3)
    lines = {(p.line, p.reason.split(":")[0]) for p in report.problems}
    assert (5, "'twelve' is not an amount") in {(p.line, p.reason) for p in report.problems} or any(
        p.line == 5 and "twelve" in p.reason for p in report.problems
    )
    assert any(p.line == 4 and "Broken Bag skipped" in p.reason for p in report.problems)
    assert any(p.line == 6 and "name is empty" in p.reason for p in report.problems)
    assert any(p.line == 8 and "color=red" in p.reason for p in report.problems)
    assert any(p.line == 9 and "already belongs to another product" in p.reason for p in report.problems)
    assert lines  # every problem carries a line number
    assert await small.shop.views.product(slug="broken-bag") is None  # not half-written
    runner = await small.shop.views.product(slug="trail-runner")
    assert runner is not None and runner.category_path == ("Shoes", "Trail") and len(runner.variants) == 2
    socks = await small.shop.views.product(slug="cheap-socks")
    assert socks is not None and not socks.active and socks.variants[0].price == 450


async def test_export_then_import_is_a_round_trip(small: SmallShop, tmp_path: Path) -> None:
    for suffix in ("csv", "json"):
        path = tmp_path / f"out.{suffix}"
        assert await export_catalog(small.shop, path) == 2
        before = await small.shop.views.product(slug="stride-running-shoes")
        report = await import_catalog(small.shop, path)
        assert report.problems == [] and report.products == 2
        assert await small.shop.views.product(slug="stride-running-shoes") == before


async def test_importing_garbage_files_is_a_clear_error(small: SmallShop, tmp_path: Path) -> None:
    from domain.errors import DomainError

    bad_json = tmp_path / "x.json"
    bad_json.write_text("{not json")
    bad_csv = tmp_path / "x.csv"
    bad_csv.write_text("foo,bar\n1,2\n")
    for path, message in ((bad_json, "not valid JSON"), (bad_csv, "the header lacks name, price, sku")):
        try:
            await import_catalog(small.shop, path)
        except DomainError as exc:
            assert message in exc.message
        else:
            raise AssertionError("expected a DomainError")
