"""The admin audit log (issue 16): who changed rates, endpoints, memberships, users, units, sites and
their plan targets, categories, payees and sheet states, with the values before and after.
Append-only in the database (migration 0016_h16a_secrets_and_audit_log)."""
