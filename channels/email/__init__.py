"""E-mail: campaign messages over SMTP and the signed unsubscribe / click links they carry."""
