"""Password policy, kept pure so forms, API and CLI apply the same rule."""
import re

COMMON_PASSWORDS = frozenset(
    {
        "password", "password1", "password123", "123456789", "1234567890", "12345678910",
        "qwertyuiop", "abc123456", "matkhau123", "iloveyou123", "admin12345", "welcome123",
    }
)


def password_problems(password, *, min_length, username=None):
    """Return a list of problem codes; empty when the password is acceptable.

    Codes: too_short, too_long, too_common, no_letter, no_digit, contains_username.
    """
    problems = []
    if len(password) < min_length:
        problems.append("too_short")
    if len(password) > 128:
        problems.append("too_long")
    if password.lower() in COMMON_PASSWORDS:
        problems.append("too_common")
    if not re.search(r"[^\W\d_]", password):
        problems.append("no_letter")
    if not re.search(r"\d", password):
        problems.append("no_digit")
    if username and len(username) >= 3 and username.lower() in password.lower():
        problems.append("contains_username")
    return problems
