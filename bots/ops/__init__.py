"""Ops flows: what staff tools (the Slack bot today) ask the domain, as plain data ready to render.

Nothing here knows Slack, aiohttp or SQL: it reads ``domain`` views and returns small dataclasses.
"""
