"""Whole conversations through the real engine, the real embedded NLU and a real database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bots.conversation.engine import ConversationEngine
from bots.conversation.factory import build_conversation_engine
from bots.conversation.messages import Button, Inbound, Reply
from chatshop.bootstrap import Shop
from nlu.embedded import EmbeddedEngine
from nlu.embedded.model import DEFAULT_CACHE_DIR
from nlu.interface import NluEngine

NLU_CACHE = Path(__file__).resolve().parents[3] / DEFAULT_CACHE_DIR


@pytest.fixture(scope="session")
def nlu_engine() -> NluEngine:
    """The real embedded engine, loaded once (it trains into var/nlu the first time)."""
    return EmbeddedEngine.load(cache_dir=NLU_CACHE)


def make_engine(shop: Shop, nlu: NluEngine) -> ConversationEngine:
    return build_conversation_engine(
        bus=shop.bus, views=shop.views, clock=shop.clock, nlu=nlu,
        secret_key=shop.settings.secret_key.get_secret_value(), currency=shop.settings.currency,
        tax_rate_bp=shop.settings.tax_rate_bp, uow_factory=shop.bus.ctx.uow,
    )  # fmt: skip


@pytest.fixture
def engine(shop: Shop, nlu_engine: NluEngine) -> ConversationEngine:
    return make_engine(shop, nlu_engine)


@dataclass
class Chat:
    """A shopper typing and pressing buttons, like a channel would, keeping the last replies."""

    engine: ConversationEngine
    chat_id: str = "chat-1"
    user_id: str = "user-1"
    locale: str | None = None
    channel: str = "webchat"
    last: list[Reply] = field(default_factory=list)

    async def say(self, text: str) -> list[Reply]:
        self.last = await self.engine.handle(Inbound(self.channel, self.chat_id, self.user_id, "Ann", text=text,
                                                     locale=self.locale))  # fmt: skip
        return self.last

    def buttons(self) -> list[Button]:
        return [b for reply in self.last for b in reply.all_buttons()]

    def button(self, label: str) -> Button:
        found = [b for b in self.buttons() if label.lower() in b.label.lower()]
        assert found, f"no button {label!r} in {[b.label for b in self.buttons()]}"
        return found[0]

    async def press(self, label: str) -> list[Reply]:
        button = self.button(label)
        assert button.payload is not None, f"{label!r} is a link"
        return await self.send_payload(button.payload)

    async def send_payload(self, payload: str) -> list[Reply]:
        self.last = await self.engine.handle(Inbound(self.channel, self.chat_id, self.user_id, "Ann",
                                                     payload=payload, locale=self.locale))  # fmt: skip
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(r.as_text() for r in self.last)

    def kinds(self) -> list[str]:
        return [r.kind for r in self.last]
