"""Language understanding: intent and entity parsing for shopper messages."""
