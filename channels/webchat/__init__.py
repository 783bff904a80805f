"""The web chat channel: ``mount(app, shop)`` adds the widget page, its WebSocket and the embed script."""

from channels.webchat.server import mount

__all__ = ["mount"]
