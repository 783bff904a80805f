"""Broadcast campaigns: segments over CRM data, content per locale, a schedule, an approval, and the rules
that protect the people receiving them (consent, quiet hours, a frequency cap).

One module per part; the public names are re-exported here, so ``from domain.model.campaigns import …``
is the way in. Plain Python: the SQL that evaluates a segment lives in ``domain/adapters/campaigns_segments.py``.
"""

from domain.model.campaigns.campaign import (
    MAX_CAP_DAYS,
    MAX_CAP_MESSAGES,
    MAX_CRON,
    MAX_SKUS,
    Campaign,
    CampaignStatus,
    Content,
    Trigger,
    require_role,
    validate_trigger,
)
from domain.model.campaigns.deliveries import (
    FINAL_DELIVERY_STATES,
    CampaignReport,
    DeliveryState,
    Recipient,
    SendOutcome,
)
from domain.model.campaigns.scheduling import (
    FrequencyCap,
    QuietHours,
    ScheduleKind,
    next_cron,
    parse_hhmm,
    zone,
)
from domain.model.campaigns.segments import (
    CAMPAIGN_CHANNELS,
    EVERYONE,
    MAX_RULE_DEPTH,
    MAX_RULE_NODES,
    AllOf,
    AnyOf,
    Condition,
    Field,
    NotRule,
    Rule,
    parse_rule,
    rule_to_json,
)
from domain.model.campaigns.stock_subscriptions import (
    StockSubscription,
    SubscriptionStatus,
    back_in_stock_candidates,
)

__all__ = [
    "CAMPAIGN_CHANNELS",
    "EVERYONE",
    "FINAL_DELIVERY_STATES",
    "MAX_CAP_DAYS",
    "MAX_CAP_MESSAGES",
    "MAX_CRON",
    "MAX_RULE_DEPTH",
    "MAX_RULE_NODES",
    "MAX_SKUS",
    "AllOf",
    "AnyOf",
    "Campaign",
    "CampaignReport",
    "CampaignStatus",
    "Condition",
    "Content",
    "DeliveryState",
    "Field",
    "FrequencyCap",
    "NotRule",
    "QuietHours",
    "Recipient",
    "Rule",
    "ScheduleKind",
    "SendOutcome",
    "StockSubscription",
    "SubscriptionStatus",
    "Trigger",
    "back_in_stock_candidates",
    "next_cron",
    "parse_hhmm",
    "parse_rule",
    "require_role",
    "rule_to_json",
    "validate_trigger",
    "zone",
]
