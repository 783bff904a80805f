"""Command handlers, one function per command, grouped by area."""
