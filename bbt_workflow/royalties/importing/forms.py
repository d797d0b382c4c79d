"""Form of the import page."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from ...forms_base import Form


class ImportItemsForm(Form):
    file = FileField(_l("CSV file (UTF-8)"), validators=[FileRequired()])
