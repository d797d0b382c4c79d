from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..errors import ServiceError, retry_after_seconds
from ..extensions import db
from ..permissions import requires
from ..rate_limits import login_limit, password_reset_limit
from . import services
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm

bp = Blueprint("auth", __name__)


def client_ip():
    # Behind a reverse proxy, configure ProxyFix so remote_addr is the client's.
    return request.remote_addr or "unknown"


def _safe_next(target):
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@requires("public")
@login_limit
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    status, retry_after = 200, None
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data, client_ip())
        except ServiceError as exc:
            db.session.commit()  # keep the recorded attempt and counters
            flash(str(exc.message), "danger")
            status = exc.status
            retry_after = retry_after_seconds(exc)
        else:
            db.session.commit()
            session.clear()  # a fresh session on login (no fixation)
            login_user(user, remember=form.remember.data)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
    elif request.method == "POST":
        status = 400
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return render_template("auth/login.html", form=form), status, headers


@bp.route("/logout", methods=["POST"])
@requires("authenticated")
def logout():
    services.end_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@requires("public")
@password_reset_limit
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        # Same answer whether or not the address is known.
        flash(_("If the address belongs to an account, a reset link has been sent to it."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@requires("public")
@password_reset_limit
def reset_password(token):
    if not services.reset_token_is_valid(token):
        flash(_("This reset link is invalid, expired or already used. Ask for a new one."), "danger")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            form.password.errors = list(exc.details.get("password") or [str(exc.message)])
        else:
            db.session.commit()
            flash(_("Your password has been changed. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/password/change", methods=["GET", "POST"])
@requires("authenticated")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            field = form.current_password if exc.code == "wrong_password" else form.password
            field.errors = [str(exc.message)] if exc.code == "wrong_password" else list(
                exc.details.get("password") or [str(exc.message)]
            )
        else:
            db.session.commit()
            # The session id carries the password stamp: log in again with it.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("core.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/language/<code>", methods=["POST"])
@requires("public")
def set_language(code):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.preferred_language = code
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("core.home"))
