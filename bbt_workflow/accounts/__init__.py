"""Sites, units, users, memberships and categories: the model of the installation."""
