"""Language and time zone selection: Vietnamese unless the user asked for English
(?lang=, then for the API Accept-Language, then the session's or the user's choice); and the templates'
translation functions, which read the selected language's catalog once per render."""
from flask import current_app, has_request_context, request, session
from flask_babel import get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup


def select_locale():
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        # CLI, jobs, tests: callers that care use force_locale().
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in supported:
        return asked
    if request.path.startswith("/api/") and request.accept_languages:
        # API clients say their language in Accept-Language (API.md); pages keep the user's choice.
        best = request.accept_languages.best_match(supported)
        if best:
            return best
    if session.get("lang") in supported:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.preferred_language in supported:
        return current_user.preferred_language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone():
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


# The templates' `_()` read the catalog of the render's language once per render, not once per string.
# flask-babel's callables ask get_translations() for every string (the request's locale through ~9 lookups of
# `g`), and Jinja's newstyle wrappers reach them through three context calls: ~100 µs a string on a busy
# machine, and a queue page translates ~45 (bench/RESULTS.md). The context processor runs inside
# render_template, so a render under force_locale (emails, accounting documents) reads the forced language's
# catalog; macros imported without context do not see its values and ask flask-babel. Each function is what
# Jinja's newstyle gettext does (jinja2.ext._make_new_gettext): the message marked safe when autoescaping,
# then always %-formatted with the keywords, which are escaped.
_RENDER_TRANSLATIONS = "_render_translations"


def _translations(context):
    translations = context.get(_RENDER_TRANSLATIONS)
    return get_translations() if translations is None else translations


def _formatted(context, message, variables):
    if context.eval_ctx.autoescape:
        message = Markup(message)
    return message % variables


@pass_context
def _gettext(context, string, /, **variables):
    return _formatted(context, _translations(context).ugettext(string), variables)


@pass_context
def _ngettext(context, singular, plural, n, /, **variables):
    variables.setdefault("num", n)
    return _formatted(context, _translations(context).ungettext(singular, plural, n), variables)


@pass_context
def _pgettext(context, msgctxt, string, /, **variables):
    variables.setdefault("context", msgctxt)
    return _formatted(context, _translations(context).upgettext(msgctxt, string), variables)


@pass_context
def _npgettext(context, msgctxt, singular, plural, n, /, **variables):
    variables.setdefault("context", msgctxt)
    variables.setdefault("num", n)
    return _formatted(context, _translations(context).unpgettext(msgctxt, singular, plural, n), variables)


def install_template_translations(app):
    """Put the functions above in place of flask-babel's (installed by babel.init_app, which must run first:
    it also sets Jinja's newstyle flag, which these follow)."""
    app.jinja_env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext,
                                 npgettext=_npgettext)
    app.context_processor(lambda: {_RENDER_TRANSLATIONS: get_translations()})
