"""Royalty rules: what is in force on a day (queries) and admins editing them (services, views)."""
