"""The operations, one module per resource; each registers on ``API``."""

from admin_api.rest.registry import Api

API = Api()
