"""Request and response bodies, one module per resource. Money is ``{amount, currency}`` in minor units; times
are RFC 3339 in UTC. Routes use them as ``s.<Name>``."""

from admin_api.rest.schemas.campaigns import *  # noqa: F403
from admin_api.rest.schemas.common import *  # noqa: F403
from admin_api.rest.schemas.coupons import *  # noqa: F403
from admin_api.rest.schemas.customers import *  # noqa: F403
from admin_api.rest.schemas.integrations import *  # noqa: F403
from admin_api.rest.schemas.orders import *  # noqa: F403
from admin_api.rest.schemas.products import *  # noqa: F403
from admin_api.rest.schemas.purchasing import *  # noqa: F403
from admin_api.rest.schemas.reports import *  # noqa: F403
from admin_api.rest.schemas.stock import *  # noqa: F403
