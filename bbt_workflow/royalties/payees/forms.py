"""Forms of the payee pages."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from ...forms_base import Form


class PayeeForm(Form):
    full_name = StringField(_l("Full name"), validators=[Length(max=255)])
    pen_name = StringField(_l("Pen name"), validators=[Length(max=255)])
    unit = SelectField(_l("Unit"), choices=[], validate_choice=False)
    tax_code = StringField(_l("Tax code"), validators=[Length(max=20)])
    id_number = StringField(_l("ID number (CCCD)"), validators=[Length(max=20)])
    bank_account = StringField(_l("Bank account"), validators=[Length(max=40)])
    bank_name = StringField(_l("Bank"), validators=[Length(max=255)])
    labour_contract = BooleanField(_l("Labour contract of 3 months or more (taxed through payroll)"))
    commitment_years = StringField(_l("Years with a commitment (08/CK-TNCN)"), validators=[Length(max=200)],
                                   description=_l("Separate years with commas, e.g. 2025, 2026."))

    def service_data(self, *, user_payee):
        data = {name: self[name].data for name in ("tax_code", "id_number", "bank_account", "bank_name",
                                                    "labour_contract")}
        data["commitment_years"] = [y for y in (self.commitment_years.data or "").replace(";", ",").replace(" ", ",")
                                    .split(",") if y.strip()]
        if not user_payee:
            data.update(full_name=self.full_name.data, pen_name=self.pen_name.data, unit=self.unit.data or None)
        return data


class PayeeSearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
