"""The shop's domain: model, commands and events, service layer, read views and adapters."""
