"""Royalty sheets: compute, queries (read model), transitions, documents, notifications, pages."""
