"""Submissions: drafts, revisions, the tracked workflow, history, notifications."""
