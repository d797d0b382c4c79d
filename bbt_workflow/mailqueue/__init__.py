"""Durable outgoing mail: queued in the transaction, sent after commit, retried."""
