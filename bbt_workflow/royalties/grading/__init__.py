"""Grading an item: read, store, price and quote a grading; the workflow's grading step; regrade."""
