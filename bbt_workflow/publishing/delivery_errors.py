"""What a receiver's failure means, in the reader's language.

The relay stores the raw text it got (an HTTP status line, an exception from the HTTP client, a
WordPress step): it is what an administrator needs to debug the receiver, so pages keep it
visible. This recognises the usual ones at display time and says them in the page's language.
"""
import re

from flask_babel import gettext

from ..validation_messages import N_

# The raw error of a send that needed an endpoint's stored secret (webhook signing secret, WordPress
# Application Password) and could not decrypt it with SECRETS_KEYS. No receiver was contacted.
SECRET_UNREADABLE = "secret_unreadable"

_STATUS = re.compile(r"(?:(?P<step>[^:]{1,200}): )?HTTP (?P<status>\d{3})\b")
# Also said on the endpoints page next to an endpoint whose stored secret is unreadable.
SECRET_UNREADABLE_MEANING = N_(
    "The endpoint's stored secret cannot be decrypted with the configured keys: check SECRETS_KEYS (the key "
    "that encrypted it must be listed), or rotate the secret (webhook) or enter the Application Password "
    "again (WordPress).")

_PATTERNS = [
    (re.compile(rf"^{SECRET_UNREADABLE}\b"), SECRET_UNREADABLE_MEANING),
    (re.compile(r"^timed out$|timeout", re.I), N_("The receiver did not answer in time.")),
    (re.compile(r"connection refused", re.I), N_("The receiver refused the connection.")),
    (re.compile(r"name or service not known|nodename nor servname|getaddrinfo failed|"
                r"temporary failure in name resolution", re.I),
     N_("The receiver's address could not be found (DNS).")),
    (re.compile(r"certificate|ssl", re.I), N_("The secure connection to the receiver failed (certificate or TLS).")),
    (re.compile(r"connection (reset|aborted)|remoteprotocolerror|server disconnected", re.I),
     N_("The receiver closed the connection.")),
    (re.compile(r"connecterror|connectionerror|network is unreachable|no route to host", re.I),
     N_("The receiver could not be reached.")),
    (re.compile(r"not an http\(s\) URL", re.I), N_("The receiver's address is not an http(s) URL.")),
    (re.compile(r"answer is not JSON", re.I), N_("The receiver's answer is not JSON.")),
    (re.compile(r"^no WordPress REST API at", re.I), N_("No WordPress REST API was found at the receiver's address.")),
    (re.compile(r"^gone$"), N_("The receiver says the address is gone; the endpoint was switched off.")),
    (re.compile(r"^refused$"), N_("The receiver refused the item; it is not retried.")),
    (re.compile(r"^retries_exhausted$"), N_("Every retry failed; the delivery was given up.")),
]


# Raw errors the system wrote itself, not the receiver's words (delivery_policy's reasons, the secret check):
# a page shows them as a code, never as "the receiver's answer".
_OWN_CODE = re.compile(rf"^({SECRET_UNREADABLE}|gone|refused|retries_exhausted)\b")


def is_own_code(raw):
    return bool(raw and _OWN_CODE.match(raw))


def describe_delivery_error(raw):
    """The meaning of a stored delivery error in the reader's language, or None when unknown."""
    if not raw:
        return None
    match = _STATUS.search(raw)
    if match:
        return gettext("The receiver answered HTTP %(status)s.", status=match["status"])
    for pattern, message in _PATTERNS:
        if pattern.search(raw):
            return gettext(message)
    return None
