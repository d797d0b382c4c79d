"""Language and time zone selection: Vietnamese unless the user asked for English
(?lang=, then for the API Accept-Language, then the session's or the user's choice)."""
from flask import current_app, has_request_context, request, session
from flask_login import current_user


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
