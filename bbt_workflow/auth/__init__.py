"""Login, lockout, password reset, API tokens."""
