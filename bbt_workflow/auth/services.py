"""Authentication services: login with lockout, password reset, API tokens.

Services flush but do not commit; the caller commits once.
"""
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User, check_against_dummy_hash, with_roles
from ..db_types import utcnow
from ..domain.passwords import password_problems
from ..errors import ServiceError, TooManyAttempts, ValidationFailed
from ..extensions import db
from ..links import absolute_url
from ..mailqueue.services import queue_email
from .models import ApiToken, LoginAttempt, PasswordResetToken, hash_token

PASSWORD_PROBLEM_MESSAGES = {
    "too_short": _l("The password must have at least %(n)s characters."),
    "too_long": _l("The password must have at most 128 characters."),
    "too_common": _l("This password is too common."),
    "no_letter": _l("The password must contain a letter."),
    "no_digit": _l("The password must contain a digit."),
    "contains_username": _l("The password must not contain the username."),
}


class LoginFailed(ServiceError):
    status = 401
    code = "invalid_credentials"


class TokenRejected(ServiceError):
    status = 401
    code = "invalid_token"


def check_password_policy(password, username=None):
    """Raise ValidationFailed listing every problem with the password."""
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    problems = password_problems(password, min_length=min_length, username=username)
    if problems:
        messages = [str(PASSWORD_PROBLEM_MESSAGES[p]) % {"n": min_length} for p in problems]
        raise ValidationFailed(" ".join(messages), code="weak_password", details={"password": messages})


def set_new_password(user, new_password):
    """Give the user a new password and end everything issued under the old one.

    Web sessions end through the stamp in User.get_id (set_password moves it); bearer tokens
    are revoked here. Every way a password changes (own change, reset link, an administrator)
    goes through this function.
    """
    user.set_password(new_password)
    revoke_user_api_tokens(user)


def revoke_user_api_tokens(user):
    now = utcnow()
    for token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    db.session.flush()


def end_sessions(user):
    """Logging out: every web session and remember-me cookie of the user stops working, copies
    included (User.get_id carries the generation; login_setup's user loader compares it)."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.flush()


def _minutes(n):
    return timedelta(minutes=n)


def authenticate(username, password, ip):
    """Return the user, or raise LoginFailed / TooManyAttempts. Records the attempt.

    The caller must commit even on failure, so the attempt and counters persist.
    """
    cfg = current_app.config
    now = utcnow()
    window_start = now - _minutes(cfg["LOGIN_FAILURE_WINDOW_MINUTES"])
    username = (username or "").strip()

    ip_failures = db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.ip == ip, LoginAttempt.at >= window_start, LoginAttempt.success.is_(False)
        )
    )
    # A refused attempt is not recorded as a failure (issue 16, finding 7): otherwise ~20 requests
    # per window would keep an address shut for everyone behind it, for ever.
    if ip_failures >= cfg["LOGIN_MAX_FAILURES_PER_IP"]:
        raise TooManyAttempts(
            _l("Too many failed logins from this address. Try again in %(n)s minutes.",
               n=cfg["LOGIN_FAILURE_WINDOW_MINUTES"]),
            details={"retry_after_minutes": cfg["LOGIN_FAILURE_WINDOW_MINUTES"]},
        )

    user = db.session.scalar(
        select(User).where(func.lower(User.username) == username.lower())
    ) if username else None

    if user is not None and user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise TooManyAttempts(
            _l("This account is locked after repeated failed logins. Try again in %(n)s minutes.",
               n=minutes),
            code="account_locked",
            details={"retry_after_minutes": minutes},
        )

    # Unknown users cost one password check too, so response times do not tell names apart.
    password_ok = user.check_password(password or "") if user is not None else check_against_dummy_hash(password or "")
    if user is None or not password_ok or not user.active:
        db.session.add(LoginAttempt(username=username[:255], ip=ip, success=False, at=now))
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
                user.locked_until = now + _minutes(cfg["LOGIN_LOCKOUT_MINUTES"])
                user.failed_logins = 0
        db.session.flush()
        raise LoginFailed(_l("Wrong username or password."))

    user.failed_logins = 0
    user.locked_until = None
    db.session.add(LoginAttempt(username=username[:255], ip=ip, success=True, at=now))
    db.session.flush()
    return user


def change_password(user, current_password, new_password):
    if not user.check_password(current_password or ""):
        raise ValidationFailed(_l("The current password is wrong."), code="wrong_password",
                               details={"current_password": [str(_l("The current password is wrong."))]})
    check_password_policy(new_password, user.username)
    set_new_password(user, new_password)
    db.session.flush()


def reset_link(raw):
    return absolute_url("auth.reset_password", token=raw)


def request_password_reset(email, reset_url_for=reset_link, *, hours=None):
    """Queue a reset email when the address belongs to an active user.

    Says nothing about whether the address exists (the view shows the same
    message either way). `reset_url_for(raw_token)` builds the absolute link.
    """
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if user is None or not user.active:
        return None
    hours = hours or current_app.config["PASSWORD_RESET_HOURS"]
    raw = secrets.token_urlsafe(32)
    token = PasswordResetToken(
        user_id=user.id, token_hash=hash_token(raw), expires_at=utcnow() + timedelta(hours=hours)
    )
    db.session.add(token)
    queue_email(
        user.email, "password_reset", locale=user.preferred_language or "vi",
        user=user, url=reset_url_for(raw), hours=hours,
    )
    db.session.flush()
    return token


INVITATION_HOURS = 72


def invite_user(user):
    """A new account without a password: email a link to set one (valid 72 h)."""
    return request_password_reset(user.email, hours=INVITATION_HOURS)


def _usable_reset_token(raw):
    token = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(raw or ""))
    )
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


def reset_token_is_valid(raw):
    return _usable_reset_token(raw) is not None


def reset_password(raw, new_password):
    token = _usable_reset_token(raw)
    if token is None:
        raise ValidationFailed(
            _l("This reset link is invalid, expired or already used. Ask for a new one."),
            code="invalid_reset_token",
        )
    check_password_policy(new_password, token.user.username)
    token.used_at = utcnow()
    set_new_password(token.user, new_password)
    token.user.failed_logins = 0
    token.user.locked_until = None
    # Any other outstanding link for this user stops working too.
    for other in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == token.user_id, PasswordResetToken.used_at.is_(None)
        )
    ):
        other.used_at = token.used_at
    db.session.flush()
    return token.user


def issue_api_token(user):
    """Return (raw_token, ApiToken). Only the hash is stored."""
    raw = "bbt_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=hash_token(raw),
        expires_at=utcnow() + timedelta(hours=current_app.config["API_TOKEN_HOURS"]),
    )
    db.session.add(token)
    db.session.flush()
    return raw, token


def user_for_token(raw):
    # The user and their roles in the token's statement (every API request reads them).
    token = db.session.scalars(select(ApiToken).options(*with_roles(ApiToken.user))
                               .where(ApiToken.token_hash == hash_token(raw))).unique().one_or_none()
    now = utcnow()
    if token is None or token.revoked_at is not None:
        raise TokenRejected(_l("The token is invalid or revoked."))
    if token.expires_at <= now:
        raise TokenRejected(_l("The token has expired."), code="token_expired")
    if not token.user.active:
        raise TokenRejected(_l("The account is disabled."))
    return token.user


def revoke_api_token(raw):
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token
