"""Bolt listeners, one module per kind of Slack request; each has ``register(app)``."""

from slack_bolt.async_app import AsyncApp

from channels.slack.listeners import actions, commands, events, refunds, views


def register_all(app: AsyncApp) -> None:
    for module in (commands, actions, views, events, refunds):
        module.register(app)
