"""Language and time zone selection: Vietnamese unless the user asked for English."""
from flask import current_app, request, session
from flask_login import current_user


def select_locale():
    supported = current_app.config["LANGUAGES"]
    asked = request.args.get("lang") if request else None
    if asked in supported:
        return asked
    if session.get("lang") in supported:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.preferred_language in supported:
        return current_user.preferred_language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone():
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
