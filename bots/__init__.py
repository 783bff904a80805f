"""Channel-neutral conversation engine and flows (shopper, ops, campaigns)."""
