"""Pick lists and packing slips as PDF (reportlab), each with a Code 128 barcode of the order number.

Every piece of text is drawn with ``drawString``: reportlab writes it as a PDF string literal (it escapes the
parentheses and backslashes itself) and interprets no markup, so a shopper's ``<b>`` or ``)`` prints as typed.
Text outside Latin-1 (Chinese names, addresses, labels) is drawn in the built-in CID font STSong-Light, which
viewers supply without a font file in the PDF; Latin-1 runs stay in Helvetica.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from datetime import datetime

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from domain.views.purchasing import PackingSlip, PickList

CJK = "STSong-Light"
LATIN, LATIN_BOLD = "Helvetica", "Helvetica-Bold"
WIDTH, HEIGHT = A4
MARGIN = 18 * mm
Gettext = Callable[..., str]

pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def clean(text: object) -> str:
    """One line of printable text: control characters (newlines, bidi overrides) become spaces."""
    return "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in str(text)).strip()


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """``text`` cut into runs of one font each: Latin-1 in Helvetica, everything else in STSong-Light (whose
    Latin letters are poor and which has no middle dot), so "Mug 陶瓷杯 · EAST" reads well in both."""
    latin = LATIN_BOLD if bold else LATIN
    found: list[tuple[str, str]] = []
    for ch in text:
        font = latin if ord(ch) < 256 else CJK
        if found and found[-1][1] == font:
            found[-1] = (found[-1][0] + ch, font)
        else:
            found.append((ch, font))
    return found


def barcode_value(order_id: int) -> str:
    """What the barcode encodes: the order number as the console's search takes it."""
    return str(order_id)


class Page:
    """A canvas with a cursor: lines of text top-down, a new page when the cursor reaches the bottom margin."""

    def __init__(self, title: str, footer: str) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, invariant=True)
        self.canvas.setTitle(title)
        self.canvas.setAuthor("chatshop")
        self.footer = footer
        self.page = 1
        self.y = HEIGHT - MARGIN

    def width(self, text: str, size: float, bold: bool = False) -> float:
        return float(sum(self.canvas.stringWidth(run, font, size) for run, font in runs(text, bold)))

    def text(self, x: float, y: float, text: object, size: float = 10, bold: bool = False, width: float = 0) -> None:
        line = clean(text)
        if width and self.width(line, size, bold) > width:  # cut to its column, marked "..."
            while line and self.width(line + "...", size, bold) > width:
                line = line[:-1]
            line += "..."
        for run, font in runs(line, bold):
            self.canvas.setFont(font, size)
            self.canvas.drawString(x, y, run)
            x += self.canvas.stringWidth(run, font, size)

    def line(self, text: object, size: float = 10, bold: bool = False, gap: float = 4) -> None:
        self.need(size + gap)
        self.text(MARGIN, self.y - size, text, size, bold)
        self.y -= size + gap

    def need(self, height: float) -> bool:
        """Start a new page unless ``height`` still fits; True when it did."""
        if self.y - height >= MARGIN + 12:
            return False
        self.new_page()
        return True

    def new_page(self) -> None:
        self._footer()
        self.canvas.showPage()
        self.page += 1
        self.y = HEIGHT - MARGIN

    def _footer(self) -> None:
        self.text(MARGIN, MARGIN - 6, f"{self.footer} · {self.page}", size=8)

    def rule(self) -> None:
        self.canvas.setLineWidth(0.5)
        self.canvas.line(MARGIN, self.y, WIDTH - MARGIN, self.y)
        self.y -= 4

    def barcode(self, x: float, top: float, order_id: int, label: str) -> float:
        """A Code 128 of the order number with its text under it; returns the barcode's width."""
        code = Code128(barcode_value(order_id), barHeight=12 * mm, barWidth=0.33 * mm, quiet=True)
        code.drawOn(self.canvas, x, top - 12 * mm)
        centred = x + (float(code.width) - self.width(clean(label), 9)) / 2
        self.text(centred, top - 12 * mm - 10, label, size=9)
        return float(code.width)

    def table(self, columns: list[tuple[str, float, bool]], rows: list[list[str]], size: float = 10) -> None:
        """``columns``: (heading, width, right-aligned); the heading repeats on each new page."""

        def heading() -> None:
            self.need(size + 8)
            x = MARGIN
            for title, width, _right in columns:
                self.text(x, self.y - size, title, size, bold=True, width=width - 4)
                x += width
            self.y -= size + 4
            self.rule()

        heading()
        for row in rows:
            if self.need(size + 8):
                heading()
            x = MARGIN
            for (_title, width, right), cell in zip(columns, row, strict=True):
                if right:
                    self.text(x + width - 6 - self.width(clean(cell), size), self.y - size, cell, size)
                else:
                    self.text(x, self.y - size, cell, size, width=width - 6)
                x += width
            self.y -= size + 6

    def finish(self) -> bytes:
        self._footer()
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _stamp(_: Gettext, printed_by: str, at: datetime) -> str:
    return _("Printed by %(name)s at %(when)s", name=printed_by, when=at.strftime("%Y-%m-%d %H:%M UTC"))


def pick_list_pdf(pick: PickList, _: Gettext, printed_by: str, at: datetime) -> bytes:
    title = _("Pick list · %(warehouse)s", warehouse=pick.warehouse)
    page = Page(title, title)
    page.line(title, size=18, bold=True, gap=6)
    page.line(pick.warehouse_name, size=11)
    page.line(_stamp(_, printed_by, at), size=9)
    orders = ", ".join(f"#{oid}" for oid in pick.order_ids)
    page.line(_("Orders: %(orders)s", orders=orders or "-"), size=10)
    if pick.skipped:
        skipped = ", ".join(f"#{oid}" for oid in pick.skipped)
        page.line(_("Nothing to pick here for %(orders)s", orders=skipped), size=10)
    page.line(_("Units: %(units)s · SKUs: %(lines)s", units=pick.units, lines=len(pick.rows)), size=10, gap=10)
    usable = WIDTH - 2 * MARGIN
    columns = [
        (_("Bin"), 22 * mm, False),
        (_("SKU"), 32 * mm, False),
        (_("Product"), usable - 22 * mm - 32 * mm - 18 * mm - 30 * mm - 10 * mm, False),
        (_("Quantity"), 18 * mm, True),
        (_("Orders"), 30 * mm, False),
        ("", 10 * mm, False),
    ]
    rows = [
        [r.bin or "-", r.sku, r.name, str(r.quantity), " ".join(f"#{o}" for o in r.order_ids), "[  ]"]
        for r in pick.rows
    ]
    page.table(columns, rows)
    if pick.order_ids:  # one scannable code per order, to confirm each batch member at the packing bench
        page.y -= 8
        page.line(_("Orders in this batch"), size=11, bold=True, gap=6)
        x = MARGIN
        for oid in pick.order_ids:
            if x + 50 * mm > WIDTH - MARGIN:
                x = MARGIN
                page.y -= 12 * mm + 18
            page.need(12 * mm + 18)
            page.barcode(x, page.y, oid, f"#{oid}")
            x += 55 * mm
        page.y -= 12 * mm + 18
    return page.finish()


def packing_slips_pdf(slips: list[PackingSlip], _: Gettext, printed_by: str, at: datetime) -> bytes:
    """One page per parcel: each warehouse that sends part of an order packs its own slip."""
    title = _("Packing slip")
    page = Page(title, title)
    first = True
    for slip in slips:
        parcels = slip.parcels or ()
        for number, parcel in enumerate(parcels, start=1):
            if not first:
                page.new_page()
            first = False
            top = page.y
            page.barcode(WIDTH - MARGIN - 60 * mm, top, slip.order_id, _("Order %(id)s", id=f"#{slip.order_id}"))
            page.line(title, size=18, bold=True, gap=6)
            page.line(_("Order %(id)s", id=f"#{slip.order_id}"), size=13, bold=True)
            page.line(_("Placed") + ": " + slip.placed_at.strftime("%Y-%m-%d"), size=10)
            page.line(
                _(
                    "Parcel %(n)s of %(count)s from %(warehouse)s",
                    n=number,
                    count=len(parcels),
                    warehouse=parcel.warehouse,
                ),
                size=10,
            )
            page.line(_stamp(_, printed_by, at), size=9, gap=12)
            page.y = min(page.y, top - 12 * mm - 30)
            page.line(_("Ship to"), size=11, bold=True)
            address = slip.address
            recipient = address.get("name") or slip.customer_name
            for part in (
                recipient,
                address.get("line1", ""),
                address.get("line2", ""),
                " ".join(p for p in (address.get("postal_code", ""), address.get("city", "")) if p),
                " ".join(p for p in (address.get("region", ""), address.get("country", "")) if p),
                address.get("phone", ""),
            ):
                if clean(part):
                    page.line(part, size=11, gap=3)
            page.line(_("Shipping") + ": " + slip.shipping_method, size=10, gap=12)
            usable = WIDTH - 2 * MARGIN
            columns = [
                (_("SKU"), 40 * mm, False),
                (_("Product"), usable - 40 * mm - 22 * mm - 24 * mm, False),
                (_("Bin"), 24 * mm, False),
                (_("Quantity"), 22 * mm, True),
            ]
            page.table(columns, [[ln.sku, ln.name, ln.bin or "-", str(ln.quantity)] for ln in parcel.lines])
            page.y -= 6
            page.line(_("Units: %(units)s", units=sum(ln.quantity for ln in parcel.lines)), size=10, bold=True)
    if first:
        page.line(title, size=18, bold=True, gap=6)
        page.line(_("Nothing allocated to pack yet."), size=11)
    return page.finish()
