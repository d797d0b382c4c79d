"""Secrets at rest (issue 16): webhook secrets and WordPress Application Passwords are stored
encrypted with Fernet keys from the environment.

SECRETS_KEYS is a list of Fernet keys (comma-separated in the environment): the first encrypts,
every one decrypts (MultiFernet), so a new key is put first, `flask bbt rotate-secrets`
re-encrypts every stored value under it, and then the old key can be dropped.

A model keeps the Fernet token in a plain text column and exposes the plaintext through a `sealed`
property: loading a row decrypts nothing, so screens that list the rows keep working when
SECRETS_KEYS cannot read them (a key changed without rotation); only the code that uses a secret
decrypts it, and gets `SecretUnreadable` to report. Token columns are marked `info=SEALED_COLUMN`
so generic readers of a row's columns (the audit log's snapshots) leave them out.
"""
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import column, select, table, update

# The `info` of a column holding a Fernet token (never logged nor shown, even encrypted).
SEALED_COLUMN = {"sealed": True}


def is_sealed(column):
    return bool(column.info.get("sealed"))


class SecretKeysMissing(RuntimeError):
    pass


class SecretUnreadable(SecretKeysMissing):
    """A stored token that none of SECRETS_KEYS decrypts (the keys themselves are well-formed)."""


@functools.lru_cache(maxsize=8)
def _box(keys):
    if not keys:
        raise SecretKeysMissing("SECRETS_KEYS is empty: stored secrets can be neither encrypted nor read.")
    try:
        return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise SecretKeysMissing("SECRETS_KEYS holds a value that is not a Fernet key "
                                "(32 url-safe base64-encoded bytes).") from exc


def box(keys=None):
    return _box(tuple(keys if keys is not None else current_app.config.get("SECRETS_KEYS") or ()))


def encrypt(plaintext, keys=None):
    return box(keys).encrypt(plaintext.encode()).decode()


def decrypt(token, keys=None):
    try:
        return box(keys).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("A stored secret cannot be decrypted with SECRETS_KEYS (a key was removed "
                                "before `flask bbt rotate-secrets` ran?).") from exc


def is_encrypted(value):
    # Every Fernet token starts with version byte 0x80: "gAAAAA" once base64-encoded.
    return isinstance(value, str) and value.startswith("gAAAAA")


def readable(token, keys=None):
    """Whether SECRETS_KEYS decrypts this stored token (None: nothing stored, so nothing unreadable).
    For saying where a secret is lost; the plaintext is not kept."""
    if token is None:
        return True
    try:
        decrypt(token, keys)
    except SecretUnreadable:
        return False
    return True


def sealed(token_attribute, doc=None):
    """A plaintext property over the model attribute holding the token: reading decrypts (may raise
    SecretUnreadable), writing encrypts under the first key; None stays None."""

    def get(obj):
        token = getattr(obj, token_attribute)
        return None if token is None else decrypt(token)

    def put(obj, value):
        setattr(obj, token_attribute, None if value is None else encrypt(value))

    return property(get, put, doc=doc)


def rotate_columns(connection, table_name, key_column, columns, keys=None, only_plaintext=False):
    """Re-encrypt every non-NULL value of `columns` under the first key (plaintext values are
    encrypted; with only_plaintext, encrypted ones are left alone). Returns how many values changed.
    Works on the raw columns, whatever the models map them to."""
    fernet = box(keys)
    raw = table(table_name, column(key_column), *(column(name) for name in columns))
    changed = 0
    for row in connection.execute(select(raw)).mappings().all():
        values = {}
        for name in columns:
            value = row[name]
            if value is None or (only_plaintext and is_encrypted(value)):
                continue
            token = fernet.rotate(value.encode()) if is_encrypted(value) else fernet.encrypt(value.encode())
            values[name] = token.decode()
        if values:
            connection.execute(update(raw).where(raw.c[key_column] == row[key_column]).values(**values))
            changed += len(values)
    return changed
