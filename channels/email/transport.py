"""Campaign e-mails over SMTP (``aiosmtplib``), with ``List-Unsubscribe`` (RFC 2369) and one-click
``List-Unsubscribe-Post`` (RFC 8058) headers plus an unsubscribe link in the body.

Delivery guarantee: "accepted by our SMTP relay", not "in the inbox" (SMTP has no read receipts).
A refused recipient (5xx) is ``blocked``; a server we could not reach before handing the message over is
``retry``; any error after DATA began is ``failed`` (the relay may have queued it: never resend blindly).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from html import escape

import aiosmtplib

from bots.campaigns.transport import Message
from bots.conversation.formatting import email_html, parse, plain
from domain.model.campaigns import SendOutcome


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "shop@example.com"
    username: str | None = None
    password: str | None = None
    start_tls: bool | None = None  # None: use STARTTLS when the server offers it
    use_tls: bool = False
    timeout: float = 30.0


def build_email(message: Message, sender: str) -> EmailMessage:
    """A text part, and an HTML alternative carrying the campaign's formatting (bold, italic, links)."""
    spans = parse(message.text)
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.address
    email["Subject"] = message.subject or plain(spans).splitlines()[0][:120]
    email["Message-ID"] = make_msgid(idstring=f"c{message.campaign_id}.d{message.delivery_id}")
    email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
    email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email["X-Campaign-Id"] = str(message.campaign_id)
    extra: list[str] = []
    if message.coupon:
        extra.append(f"Your code: {message.coupon}")
    if message.skus:
        extra.append("Featured: " + "; ".join(f"{p.name} {p.price}".strip() for p in message.featured()))
    lines = [plain(spans), "", *(f"{x}\n" for x in extra)]
    go = "Back to your cart" if message.checkout else "Shop now"
    lines += [f"{go}: {message.click_url}", "", f"Unsubscribe: {message.unsubscribe_url}"]
    email.set_content("\n".join(lines))
    paragraphs = [email_html(spans), *(escape(x) for x in extra)]
    html = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    html += f'<p><a href="{escape(message.click_url)}">{go}</a></p>\n'
    html += f'<p style="font-size:small"><a href="{escape(message.unsubscribe_url)}">Unsubscribe</a></p>\n'
    email.add_alternative(f"<!doctype html>\n<html><body>\n{html}</body></html>\n", subtype="html")
    return email


class SmtpCampaignTransport:
    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    async def send(self, message: Message) -> SendOutcome:
        email = build_email(message, self.config.sender)
        cfg = self.config
        try:
            await aiosmtplib.send(
                email,
                hostname=cfg.host,
                port=cfg.port,
                username=cfg.username,
                password=cfg.password,
                start_tls=cfg.start_tls,
                use_tls=cfg.use_tls,
                timeout=cfg.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return SendOutcome.blocked(f"recipient refused: {exc}")
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPConnectTimeoutError) as exc:
            return SendOutcome.retry(30.0, f"SMTP server unreachable: {exc}")
        except aiosmtplib.SMTPException as exc:
            return SendOutcome.failed(f"SMTP: {exc}")
        return SendOutcome.sent()
