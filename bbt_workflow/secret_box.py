"""Secrets at rest (issue 16): webhook secrets and WordPress Application Passwords are stored
encrypted with Fernet keys from the environment.

SECRETS_KEYS is a list of Fernet keys (comma-separated in the environment): the first encrypts,
every one decrypts (MultiFernet), so a new key is put first, `flask bbt rotate-secrets`
re-encrypts every stored value under it, and then the old key can be dropped. Columns use the
`EncryptedText` type: the code reads and writes plaintext, the database only sees ciphertext.
"""
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text, column, select, table, update
from sqlalchemy.types import TypeDecorator


class SecretKeysMissing(RuntimeError):
    pass


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
        raise SecretKeysMissing("A stored secret cannot be decrypted with SECRETS_KEYS (a key was removed "
                                "before `flask bbt rotate-secrets` ran?).") from exc


def is_encrypted(value):
    # Every Fernet token starts with version byte 0x80: "gAAAAA" once base64-encoded.
    return isinstance(value, str) and value.startswith("gAAAAA")


class EncryptedText(TypeDecorator):
    """A text column stored encrypted; None stays NULL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


def rotate_columns(connection, table_name, key_column, columns, keys=None, only_plaintext=False):
    """Re-encrypt every non-NULL value of `columns` under the first key (plaintext values are
    encrypted; with only_plaintext, encrypted ones are left alone). Returns how many values changed.
    Works on the raw columns: this table() has no EncryptedText types to decrypt or encrypt them."""
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
