"""Edge adapters that translate chat-platform wire formats to and from the bots."""
