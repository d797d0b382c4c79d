"""The templates' `_()` (i18n.install_template_translations): the render's language read once per render, with
the same results as flask-babel's own callables — the request's language, a forced one, escaping and
formatting, macros imported without context."""
from contextlib import contextmanager
from types import SimpleNamespace

from flask import render_template_string
from flask_babel import force_locale


@contextmanager
def request_in(app, url):
    # A request of its own, as a served one: flask-babel keeps the chosen language in `g`, which lives in the
    # app context (the fixture's would carry the first request's language over).
    with app.app_context(), app.test_request_context(url):
        yield


STRINGS = '{{ _("Title") }}|{{ _("%(n)s in total", n="<b>") }}'


def test_the_request_language_and_a_forced_one(app):
    with request_in(app, "/?lang=vi"):
        assert render_template_string(STRINGS) == "Tiêu đề|Tổng cộng &lt;b&gt;"
        # Emails and accounting documents render under force_locale: the forced language, not the request's.
        with force_locale("en"):
            assert render_template_string(STRINGS) == "Title|&lt;b&gt; in total"
        assert render_template_string(STRINGS) == "Tiêu đề|Tổng cộng &lt;b&gt;"
    with request_in(app, "/?lang=en"):
        assert render_template_string(STRINGS) == "Title|&lt;b&gt; in total"


def test_without_autoescape_the_values_are_not_escaped_and_percent_signs_are_formatted(app):
    with request_in(app, "/?lang=en"):
        text = render_template_string('{% autoescape false %}{{ _("%(n)s in total", n="<b>") }}{% endautoescape %}')
        assert text == "<b> in total"
        # Always a format string, as Jinja's newstyle gettext: "%%" is one sign (an untranslated id here).
        assert render_template_string('{{ _("50%% done") }}') == "50% done"


def test_a_macro_imported_without_context_translates_in_the_request_language(app):
    page = SimpleNamespace(has_next=False, first=True, total=7)
    source = '{% from "_macros.html" import seek_pager %}{{ seek_pager(page, "core.home") }}'
    with request_in(app, "/?lang=vi"):
        assert "Tổng cộng 7" in render_template_string(source, page=page)
        with force_locale("en"):
            assert "7 in total" in render_template_string(source, page=page)
