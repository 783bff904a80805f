"""Each page group keeps its Chinese words in its own module; merged into one catalog, a key two groups both
translate must mean the same on every page (a later update silently wins, as "sent" and "Customers" once did)."""

from __future__ import annotations

from admin_api.console.dashboard_i18n import DASHBOARD_ZH
from admin_api.console.i18n_more import ZH_MORE
from admin_api.console.i18n_scores import ZH_SCORES
from admin_api.console.i18n_warehouse import ZH_WAREHOUSE


def test_page_groups_that_translate_the_same_words_translate_them_alike() -> None:
    groups = {"warehouse": ZH_WAREHOUSE, "more": ZH_MORE, "dashboard": DASHBOARD_ZH, "scores": ZH_SCORES}
    clashes = [
        (key, a, b, first[key], second[key])
        for a, first in groups.items()
        for b, second in groups.items()
        if a < b
        for key in first.keys() & second.keys()
        if first[key] != second[key]
    ]
    assert clashes == []
