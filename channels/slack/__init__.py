"""Slack ops bot: approvals, stock, orders, reports and support threads for shop staff."""

from channels.slack.app import SLACK_OPS_KEY, daily_report_job, setup

__all__ = ["SLACK_OPS_KEY", "daily_report_job", "setup"]
