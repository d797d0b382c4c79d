"""Importing items already published on the old portal, with their gradings."""
