"""Admin screens: sites, units, users, memberships, categories, targets, CSV import."""
