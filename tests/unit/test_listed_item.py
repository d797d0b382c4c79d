"""queries.listed_items builds each ListedItem from a row's values in their order (no keywords, for the queue's
cost): the dataclass's fields must be listed_submissions' columns, in the same order, then site and category."""
from dataclasses import fields
from types import SimpleNamespace

from bbt_workflow.submissions.queries import ListedItem, listed_submissions


def test_listed_item_fields_are_the_rows_columns_in_order():
    reader = SimpleNamespace(id=7, is_authenticated=True, is_admin=False, memberships=[])  # a User's attributes read
    for args in ({}, {"state": "submitted"}, {"sort": "title"}):
        columns = [c["name"] for c in listed_submissions(reader, args).column_descriptions]
        assert [f.name for f in fields(ListedItem)] == columns + ["site", "category"]
