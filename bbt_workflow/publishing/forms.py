from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms_base import Form


class EndpointForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("webhook", _l("Signed webhook (ninjs)")),
                                            SelectChoice("wordpress", _l("WordPress (REST API)"))])
    url = StringField(_l("URL"), validators=[DataRequired(), Length(max=1000)],
                      description=_l("Webhook: the receiver's address. WordPress: the site's address."))
    username = StringField(_l("WordPress username"), validators=[Optional(), Length(max=255)])
    app_password = PasswordField(_l("Application Password"), validators=[Optional(), Length(max=255)])
    category_map = TextAreaField(_l("Category mapping (JSON)"), validators=[Optional()],
                                 description=_l('For WordPress: {"category code": WordPress category id, ...}'))
    active = BooleanField(_l("Active"), default=True)


class PlainPostForm(Form):
    """Buttons that only need the CSRF token: rotate, pause, test, replay."""
