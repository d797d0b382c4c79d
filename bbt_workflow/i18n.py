"""Language and time zone selection: Vietnamese unless the user asked for English."""
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
    if session.get("lang") in supported:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.preferred_language in supported:
        return current_user.preferred_language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone():
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
