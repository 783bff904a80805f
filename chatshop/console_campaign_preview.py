"""The console's campaign preview: each channel's message built by that channel's own code — the dispatcher's
``render_message``, the Telegram transport's ``request``, the e-mail transport's ``build_email``, and the spans
the web chat widget turns into nodes — so what a marketer sees is what goes out (tested against the wire)."""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage

from admin_api.console.campaign_preview import MessagePreview
from bots.campaigns.dispatcher import render_message, sample_recipient
from bots.campaigns.featured import FeaturedProducts
from bots.campaigns.links import LinkSigner
from bots.campaigns.summary import rule_in_words
from bots.campaigns.transport import Message
from bots.conversation.formatting import email_html, parse
from bots.conversation.payloads import PayloadCodec
from bots.i18n import Translator, normalise_locale
from channels.email.transport import build_email
from channels.telegram.campaign_transport import TelegramCampaignTransport
from domain.model.campaigns import Campaign
from domain.views.port import ShopViews

PREVIEW_BOT = "0:preview"  # never called: only the transport's request builder is used


class ChannelPreviews:
    def __init__(
        self, views: ShopViews, links: LinkSigner, codec: PayloadCodec, email_sender: str, currency: str
    ) -> None:
        self.links = links
        self.currency = currency
        self.telegram = TelegramCampaignTransport("http://127.0.0.1:9", PREVIEW_BOT, codec)
        self.featured = FeaturedProducts(views, ttl=30.0)
        self.email_sender = email_sender

    async def message(self, campaign: Campaign, channel: str, locale: str) -> Message:
        message = render_message(sample_recipient(campaign, channel, locale), campaign, self.links)
        if not message.skus:
            return message
        return dataclasses.replace(message, products=await self.featured.get(message.skus, message.locale))

    def segment_words(self, campaign: Campaign) -> str:
        return rule_in_words(campaign.rule, self.currency)

    async def previews(self, campaign: Campaign) -> list[MessagePreview]:
        out: list[MessagePreview] = []
        for locale in campaign.contents:
            for channel in campaign.channels:
                message = await self.message(campaign, channel, locale)
                if channel == "telegram":
                    out.append(self._telegram(message))
                elif channel == "email":
                    out.append(self._email(message))
                else:
                    out.append(self._webchat(message))
        return out

    def _telegram(self, message: Message) -> MessagePreview:
        _method, params = self.telegram.request(message)
        sent = str(params.get("text") or params.get("caption") or "")
        rows = params["reply_markup"]["inline_keyboard"]
        buttons = tuple(str(button["text"]) for row in rows for button in row)
        # Telegram shows the HTML's line breaks as lines; a page needs <br> for them.
        html = sent.replace("\n", "<br>\n")
        return MessagePreview("telegram", message.locale, html, buttons, message.image_url, "", "", sent)

    def _email(self, message: Message) -> MessagePreview:
        email: EmailMessage = build_email(message, self.email_sender)
        html_part = email.get_body(preferencelist=("html",))
        html = str(html_part.get_content()) if html_part is not None else ""
        body = html.split("<body>", 1)[-1].rsplit("</body>", 1)[0]
        return MessagePreview("email", message.locale, body, (), None, str(email["Subject"]), "", html)

    def _webchat(self, message: Message) -> MessagePreview:
        """As ``bots.campaigns.chat.marketing_replies`` builds the ``Promotion`` and the widget draws it: the
        spans as <strong>/<em>/<a> nodes (the e-mail's HTML builder makes the same nodes), the code, buttons."""
        t = Translator(normalise_locale(message.locale) or "en")
        code = t("Your code: {code}", code=message.coupon) if message.coupon else ""
        buttons = [p.name[:60] for p in message.featured()]
        if message.checkout:
            buttons.append(t("Check out"))
        buttons.append(t("Unsubscribe"))
        html = email_html(parse(message.text))
        return MessagePreview("webchat", message.locale, html, tuple(buttons), message.image_url, "", code, html)
