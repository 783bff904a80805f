"""chatshop: settings, CLI and the assembly of the application."""
