"""``chatshop chat``: talk to the shop's conversation engine in the terminal (or pipe lines into it)."""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from collections.abc import Callable
from typing import Annotated

import typer

from bots.conversation.messages import Button, Inbound, Reply
from chatshop.bootstrap import build_shop
from chatshop.engine import build_shopper_engine
from chatshop.settings import get_settings

chat_app = typer.Typer()


class Terminal:
    """Prints replies and numbers their buttons; typing a number presses that button."""

    def __init__(self, as_json: bool, write: Callable[[str], None]) -> None:
        self.as_json = as_json
        self.write = write
        self.buttons: list[Button] = []

    def show(self, replies: list[Reply]) -> None:
        self.buttons = []
        for reply in replies:
            if self.as_json:
                self.write(json.dumps(reply.to_dict(), ensure_ascii=False))
            else:
                self.write(self._text(reply))
            self.buttons.extend(reply.all_buttons())
        if self.as_json:
            return
        for number, button in enumerate(self.buttons, 1):
            self.write(f"  {number}. {button.label}" + (f"  {button.url}" if button.url else ""))

    def _text(self, reply: Reply) -> str:
        # The plain fallback lists buttons as [label]; here they are numbered below instead.
        lines = [line for line in reply.as_text().splitlines() if not line.startswith("[")]
        return "bot> " + "\n     ".join(lines)

    def inbound(self, line: str, chat_id: str, user: str, locale: str | None) -> Inbound | None:
        """Text, or the button whose number was typed; a link button is printed instead (None)."""
        stripped = line.strip()
        if stripped.isascii() and stripped.isdigit() and 1 <= int(stripped) <= len(self.buttons):
            button = self.buttons[int(stripped) - 1]
            if button.payload is None:
                self.write(f"open {button.url}")
                return None
            return Inbound("cli", chat_id, user, user, payload=button.payload, locale=locale)
        return Inbound("cli", chat_id, user, user, text=line, locale=locale)


async def _chat(locale: str | None, as_json: bool, lines: list[str] | None) -> None:
    shop = build_shop(get_settings())
    try:
        engine = build_shopper_engine(shop)
        user = getpass.getuser() or "terminal"
        terminal = Terminal(as_json, lambda text: print(text, flush=True))
        chat_id = f"terminal-{user}"
        if lines is None and not as_json:
            print("Type to chat, a number to press a button, Ctrl-D to leave.", flush=True)
        terminal.show(await engine.handle(Inbound("cli", chat_id, user, user, text="hello", locale=locale)))
        source = iter(lines) if lines is not None else None
        while True:
            if source is not None:
                line = next(source, None)
            else:
                try:
                    line = await asyncio.to_thread(input, "you> ")
                except EOFError:
                    line = None
            if line is None:
                break
            if not line.strip():
                continue
            inbound = terminal.inbound(line, chat_id, user, locale)
            if inbound is not None:
                terminal.show(await engine.handle(inbound))
    finally:
        await shop.close()


@chat_app.command("chat")
def chat(
    locale: Annotated[str | None, typer.Option(help="en or zh (default: detected from what you type)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print each reply as one JSON line.")] = False,
) -> None:
    """Talk to the shop assistant in the terminal; reads lines from stdin when it isn't a terminal."""
    if locale is not None and locale not in ("en", "zh"):
        raise typer.BadParameter("use en or zh", param_hint="--locale")
    lines = None if sys.stdin.isatty() else [line.rstrip("\n") for line in sys.stdin]
    asyncio.run(_chat(locale, as_json, lines))
