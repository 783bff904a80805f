"""The port the campaign pages preview a message through: the shop's own channel formatters (wired in
``chatshop.console_campaign_preview``), so a preview is what the transports send, not a copy of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.model.campaigns import Campaign


@dataclass(frozen=True)
class MessagePreview:
    """One channel's message in one language, as its transport builds it.

    ``html`` is markup the channel's formatter built (Telegram HTML, the e-mail's HTML part, the web chat's
    nodes from the same spans): everything a marketer typed in it is escaped there, so a page shows it as is.
    ``sent`` is what the transport puts on the wire (Telegram's ``text``/``caption``), for comparison."""

    channel: str
    locale: str
    html: str
    buttons: tuple[str, ...]
    image_url: str | None = None
    subject: str = ""
    code_text: str = ""
    sent: str = ""


class CampaignPreviewer(Protocol):
    async def previews(self, campaign: Campaign) -> list[MessagePreview]:
        """Each of the campaign's languages on each of its channels."""
        ...

    def segment_words(self, campaign: Campaign) -> str:
        """Who the campaign is for, in the words the Slack approval shows (English)."""
        ...
