"""PATCH bodies: one that changes nothing is refused (422 no_changes), never answered 200 as if it
had done something (issue 16, finding 10). Submissions check it in their service, after the version."""
from flask_babel import lazy_gettext as _l

from ..errors import ValidationFailed


def require_changes(data, ignore=("version",)):
    if not any(key not in ignore for key in data):
        raise ValidationFailed(_l("Nothing to change."), code="no_changes")
    return data
