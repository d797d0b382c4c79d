"""Pushing approved items to the public portal: outbox, relay, adapters, feeds (PUBLISHING.md)."""
