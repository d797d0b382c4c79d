"""Payees: a record per user and named outsiders, with personal fields for accountants."""
