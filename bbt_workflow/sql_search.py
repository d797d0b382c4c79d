"""LIKE patterns for "contains" searches, with the user's % and _ taken literally."""


def contains(column, text):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")
