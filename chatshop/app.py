"""Which channels ``chatshop run`` mounts, decided from settings."""

from __future__ import annotations

from chatshop.settings import Settings
from chatshop.web import Mount


def channel_mounts(settings: Settings) -> list[Mount]:
    """Channels whose settings are present; the sandbox pay page and health are always there."""
    mounts: list[Mount] = []
    try:
        from channels.webchat import mount as webchat_mount
    except ImportError:  # the web chat arrives with the shopper-conversation work
        pass
    else:
        mounts.append(webchat_mount)
    return mounts
