"""A shopper in front of the web chat, driven the way a person uses it.

A person only sees what is inside the window (and inside the chat's iframe, the message log's scrolled
area and the card a button sits in), scrolls with the mouse wheel, and presses where a thing is drawn.
Playwright's ``locator.click`` scrolls any clipped scroll container for you, which no person can do —
so a test that uses it passes on a page nobody could use. Everything here goes through ``page.mouse``
and ``page.keyboard`` after checking, with bounding boxes, that the target is really there to press.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Frame, FrameLocator, Locator, Page

# Every clipping ancestor of an element (overflow other than visible), its card-like container, the
# frame's own viewport, and what lies at the element's centre: computed inside the element's frame.
_GEOMETRY = """(el) => {
  const rect = (r) => ({x: r.left, y: r.top, right: r.right, bottom: r.bottom});
  const name = (a) => a.tagName.toLowerCase() + (a.id ? "#" + a.id : "") +
    (typeof a.className === "string" && a.className ? "." + a.className.trim().split(/\\s+/).join(".") : "");
  const card = el.closest(".card,.cart,.pay,.msg,.status,.handoff,.pickers");
  const clips = [];
  for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    const s = getComputedStyle(a);
    const scroller = s.overflowX !== "visible" || s.overflowY !== "visible";
    if (scroller || a === card) {
      clips.push({name: name(a), box: rect(a.getBoundingClientRect()),
                  scrollsX: a.scrollWidth > a.clientWidth && s.overflowX !== "hidden" && s.overflowX !== "visible",
                  scrollsY: a.scrollHeight > a.clientHeight && s.overflowY !== "hidden" && s.overflowY !== "visible"});
    }
  }
  clips.push({name: "window", box: {x: 0, y: 0, right: window.innerWidth, bottom: window.innerHeight},
              scrollsX: false, scrollsY: false});
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
  return {box: rect(r), clips: clips, hit: hit ? (el.contains(hit) ? "itself" : name(hit)) : "nothing"};
}"""

# Every message in the log keeps its natural height: nothing in it is squashed or cut off.
_CLIPPED = """(log) => {
  const out = [];
  log.querySelectorAll(":scope > *, .card, .cart, .pay, .msg").forEach((n) => {
    if (n.scrollHeight > n.clientHeight + 1 || n.getBoundingClientRect().height < 4) {
      out.push((n.dataset.kind || n.className) + ": " + n.clientHeight + " of " + n.scrollHeight + " px");
    }
  });
  return out;
}"""


@dataclass
class Box:
    x: float
    y: float
    right: float
    bottom: float

    @classmethod
    def of(cls, d: dict[str, float], dx: float = 0, dy: float = 0) -> Box:
        return cls(d["x"] + dx, d["y"] + dy, d["right"] + dx, d["bottom"] + dy)

    def inside(self, other: Box, slack: float = 0.75) -> bool:
        return (
            self.x >= other.x - slack
            and self.y >= other.y - slack
            and self.right <= other.right + slack
            and self.bottom <= other.bottom + slack
        )

    def meet(self, other: Box) -> Box:
        return Box(
            max(self.x, other.x), max(self.y, other.y), min(self.right, other.right), min(self.bottom, other.bottom)
        )

    def centre(self) -> tuple[float, float]:
        return (self.x + self.right) / 2, (self.y + self.bottom) / 2


@dataclass
class Person:
    """One shopper at one window. ``chat`` is the page itself, or the widget's iframe on a host page."""

    page: Page
    shots: Path
    layout: str
    iframe: Locator | None = None  # the widget's <iframe> on the host page
    taken: list[Path] = field(default_factory=list)

    @property
    def chat(self) -> Page | FrameLocator:
        return self.page.frame_locator("iframe[title='Shop chat']") if self.iframe is not None else self.page

    def find(self, selector: str) -> Locator:
        return self.chat.locator(selector)

    @property
    def log(self) -> Locator:
        return self.find("#log")

    async def _frame(self) -> tuple[Frame, float, float, Box | None]:
        if self.iframe is None:
            return self.page.main_frame, 0.0, 0.0, None
        handle = await self.iframe.element_handle()
        frame = await handle.content_frame()
        box = await self.iframe.bounding_box()
        assert frame is not None and box is not None, "the chat's iframe is not shown"
        outer = Box(box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"])
        return frame, box["x"], box["y"], outer

    async def _geometry(self, target: Locator) -> tuple[Box, list[tuple[str, Box, bool, bool]], str]:
        _, dx, dy, outer = await self._frame()
        g: dict[str, Any] = await target.evaluate(_GEOMETRY)
        clips = [(c["name"], Box.of(c["box"], dx, dy), c["scrollsX"], c["scrollsY"]) for c in g["clips"]]
        if outer is not None:
            clips.append(("iframe", outer, False, False))
        size = self.page.viewport_size
        assert size is not None
        clips.append(("viewport", Box(0, 0, size["width"], size["height"]), False, False))
        return Box.of(g["box"], dx, dy), clips, g["hit"]

    async def reveal(self, target: Locator, what: str) -> Box:
        """Scroll with the mouse wheel (over the log, or over a sideways list) until ``target`` is wholly
        inside every box that clips it; fail if a person could not bring it into view."""
        await target.wait_for(state="attached")
        last: tuple[float, float] | None = None
        for attempt in range(60):
            box, clips, _hit = await self._geometry(target)
            outside = [(n, c, sx, sy) for n, c, sx, sy in clips if not box.inside(c)]
            if not outside:
                return box
            # Scroll the innermost scroller that the target sticks out of, as a person would.
            scrollers = [(n, c, sx, sy) for n, c, sx, sy in outside if sx or sy]
            if not scrollers:
                raise AssertionError(f"{what} ({self.layout}) cannot be scrolled into view: {box} is cut by {outside}")
            name, clip, sx, _sy = scrollers[0]
            view = seen = clip
            for _n, c, _x, _y in clips:
                view = view.meet(c)
            # The wheel goes over the part of that scroller which is on screen (inside its own ancestors).
            for _n, c, _x, _y in clips[[n for n, *_ in clips].index(name) :]:
                seen = seen.meet(c)
            wx = wy = 0.0
            if sx and (box.x < clip.x or box.right > clip.right):
                wx = box.x - clip.x - 8 if box.x < clip.x else box.right - clip.right + 8
            else:
                wy = box.y - view.y - 8 if box.y < view.y else box.bottom - view.bottom + 8
            if last == (box.x, box.y) and attempt > 1:
                raise AssertionError(
                    f"{what} ({self.layout}): the wheel over {name} does not move it; {box} is cut by {outside}"
                )
            last = (box.x, box.y)
            await self.page.mouse.move(*seen.centre())
            await self.page.mouse.wheel(wx, wy)
            await self.page.wait_for_timeout(120)
        raise AssertionError(f"{what} ({self.layout}) never came into view")

    async def tap(self, target: Locator, what: str) -> None:
        """Press ``target`` where it is drawn, after checking a person can see all of it there."""
        box = await self.reveal(target, what)
        _, clips, hit = await self._geometry(target)
        cut = [n for n, c, _, _ in clips if not box.inside(c)]
        assert not cut, f"{what} ({self.layout}) is cut by {cut}"
        assert hit == "itself", f"{what} ({self.layout}) is covered by {hit}"
        await self.page.mouse.click(*box.centre())

    async def button(self, scope: Locator, name: str) -> Locator:
        found = scope.get_by_role("button", name=name).or_(scope.get_by_role("link", name=name))
        await found.first.wait_for(state="attached")
        return found.first

    async def press(self, scope: Locator, name: str) -> None:
        await self.tap(await self.button(scope, name), f"{name!r}")

    async def type(self, text: str) -> None:
        await self.tap(self.find("#input"), "the message box")
        await self.page.keyboard.type(text)
        await self.tap(self.find("#send"), "Send")

    async def nothing_clipped(self) -> None:
        clipped = await self.log.evaluate(_CLIPPED)
        if clipped:
            await self.page.screenshot(path=str(self.shots / f"clipped-{self.layout}.png"))
        assert not clipped, f"squashed or cut messages ({self.layout}): {clipped}"

    async def newest_in_view(self) -> None:
        """The newest message shows without the person scrolling for it."""
        newest = self.find("#log > *:not(.typing)").last
        box, clips, _ = await self._geometry(newest)
        top = max(c.y for n, c, _, _ in clips if n != "window")
        bottom = min(c.bottom for n, c, _, _ in clips if n != "window")
        assert box.y < bottom and box.bottom > top, f"the newest message ({self.layout}) is out of view: {box}"

    async def shot(self, step: str) -> Path:
        path = self.shots / f"{len(self.taken) + 1:02d}-{step}.png"
        await self.page.screenshot(path=str(path))
        self.taken.append(path)
        return path
