"""Read views: plain dataclasses for bots, reports and the admin API, and the query port behind them."""

from domain.views.models import *  # noqa: F403
from domain.views.port import ShopViews

__all__ = ["ShopViews"]
