"""forms_base.LongSelect writes plain options itself (the queue's filters): the HTML must be WTForms' own."""
import pytest
from wtforms import Form, SelectChoice, SelectField
from wtforms.widgets import Select

from bbt_workflow.forms_base import LongSelect

CHOICES = [SelectChoice("", "Tất cả đơn vị"), SelectChoice("so-tt&tt", "Sở Thông tin & Truyền thông"),
           SelectChoice("x\"y", "<b>Huyện</b> 'A'"), SelectChoice("ubnd", ""), SelectChoice("1", "Một"),
           SelectChoice("dv-kem", "Đơn vị kèm thuộc tính", render_kw={"data-x": "1", "disabled": True})]


@pytest.mark.parametrize("chosen", ["", "so-tt&tt", "x\"y", "ubnd", "dv-kem", "khong-co"])
def test_long_select_writes_what_wtforms_writes(chosen):
    class Filters(Form):
        ours = SelectField(choices=CHOICES, widget=LongSelect())
        theirs = SelectField(choices=CHOICES, widget=Select())

    form = Filters(data={"ours": chosen, "theirs": chosen})
    ours = form.ours(class_="form-select")
    theirs = form.theirs(class_="form-select")
    assert ours.replace('name="ours"', "").replace('id="ours"', "") == \
        theirs.replace('name="theirs"', "").replace('id="theirs"', "")
    assert ours.count("<option") == len(CHOICES)
