"""Standard Webhooks 1.0 signatures (PUBLISHING.md). Pure: no Flask, no database.

signature = "v1," + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")), where key is the
base64-decoded part of the `whsec_` secret. Several signatures are space-separated, so a
receiver keeps accepting while a secret is being rotated.
"""
import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
MIN_BYTES, MAX_BYTES = 24, 64


def generate_secret(nbytes=32):
    if not MIN_BYTES <= nbytes <= MAX_BYTES:
        raise ValueError(f"a secret has {MIN_BYTES}–{MAX_BYTES} random bytes")
    return PREFIX + base64.b64encode(secrets.token_bytes(nbytes)).decode("ascii")


def secret_key(secret):
    if not secret.startswith(PREFIX):
        raise ValueError("not a whsec_ secret")
    key = base64.b64decode(secret[len(PREFIX):], validate=True)
    if not MIN_BYTES <= len(key) <= MAX_BYTES:
        raise ValueError("secret length out of range")
    return key


def sign(secret, msg_id, timestamp, body: bytes):
    """One `v1,<base64>` signature of exactly these body bytes."""
    to_sign = f"{msg_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(secret_key(secret), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(secrets_in_use, msg_id, timestamp, body: bytes):
    """The webhook-signature value: one signature per secret still valid (current first)."""
    return " ".join(sign(s, msg_id, timestamp, body) for s in secrets_in_use if s)


def headers(secrets_in_use, msg_id, timestamp, body: bytes):
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": signature_header(secrets_in_use, msg_id, timestamp, body),
        "Content-Type": "application/json",
    }
