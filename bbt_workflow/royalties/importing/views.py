"""Page: the import of items already published on the old portal (admins)."""
from flask import flash, render_template
from flask_babel import gettext as _

from ...accounts.services import get_site
from ...errors import ServiceError
from ...extensions import db
from ...permissions import requires
from ...auth.current import current_actor as _actor
from ..blueprints import web as bp
from .forms import ImportItemsForm
from .services import CSV_COLUMNS, import_items, items_from_csv


@bp.route("/admin/sites/<site>/import-items", methods=["GET", "POST"])
@requires("admin")
def import_view(site):
    site = get_site(site)
    form = ImportItemsForm()
    errors, result = [], None
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8")
        except UnicodeDecodeError:
            flash(_("The file is not UTF-8 text."), "danger")
        else:
            try:
                result = import_items(_actor(), site, items_from_csv(text))
            except ServiceError as exc:
                db.session.rollback()
                errors = exc.details.get("errors", [])
                flash(str(exc.message), "danger")
            else:
                db.session.commit()
                flash(_("Imported %(created)s items; %(skipped)s already imported were skipped.",
                        created=result["created"], skipped=result["skipped_existing"]), "success")
    return render_template("royalties/import.html", site=site, form=form, errors=errors, result=result,
                           columns=CSV_COLUMNS), 422 if errors else 200
