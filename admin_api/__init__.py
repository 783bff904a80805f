"""Admin REST API over the domain."""
