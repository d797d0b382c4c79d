"""Roles held per site (WORKFLOW.md) and site kinds."""

CONTRIBUTOR = "contributor"
EDITOR = "editor"
APPROVER = "approver"
ACCOUNTANT = "accountant"

ROLES = (CONTRIBUTOR, EDITOR, APPROVER, ACCOUNTANT)

PORTAL, COMPONENT = "portal", "component"
SITE_KINDS = (PORTAL, COMPONENT)
APPROVAL_LEVELS = (1, 2)

# Roles that work the editorial queue of a site.
REVIEW_ROLES = frozenset({EDITOR, APPROVER})
# Who may create items on a site (WORKFLOW.md); accountants only read.
CREATE_ROLES = frozenset({CONTRIBUTOR, EDITOR, APPROVER})
