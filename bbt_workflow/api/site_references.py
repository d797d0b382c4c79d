"""A site named in a request (body or query) by an API caller: a site the caller is not a member of
answers exactly like an unknown one, so site codes cannot be probed (API.md, issue 16 finding 10)."""
from flask_babel import lazy_gettext as _l

from ..accounts.services import get_site
from ..auth.current import current_actor
from ..errors import field_error
from ..permissions import is_member


def visible_site(code, field="site"):
    site = get_site(code, field=field)
    if not is_member(current_actor(), site):
        # The same error get_site raises for an unknown code.
        raise field_error(field, _l("Unknown site %(code)s.", code=code), code="unknown_site")
    return site
