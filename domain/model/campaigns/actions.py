"""What a staff member may do to a campaign now, asked of the campaign itself: each life-cycle move is tried
on a copy as that actor, so the console's buttons follow the model's rules (roles, four eyes, states) and
can never offer what the command would refuse."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

from domain.errors import DomainError
from domain.model.campaigns.campaign import Campaign
from domain.model.staff import Actor

ACTIONS = ("edit", "submit", "approve", "pause", "resume", "cancel")


def allowed_actions(campaign: Campaign, actor: Actor, now: datetime) -> tuple[str, ...]:
    moves: dict[str, Callable[[Campaign], None]] = {
        "edit": lambda c: c.edit(actor),
        "submit": lambda c: c.submit(actor),
        "approve": lambda c: c.approve(actor, now),
        "pause": lambda c: c.pause(actor, "check"),
        "resume": lambda c: c.resume(actor),
        "cancel": lambda c: c.cancel(actor),
    }
    allowed = []
    for name in ACTIONS:
        try:
            moves[name](copy.deepcopy(campaign))
        except DomainError:
            continue
        allowed.append(name)
    return tuple(allowed)
