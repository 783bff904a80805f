"""The channel-neutral conversation engine: inbound messages in, replies out."""
