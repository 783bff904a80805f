"""Campaigns: delivering broadcast messages with rate limits, consent and attribution (channel-neutral)."""
