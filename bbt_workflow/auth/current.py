"""The request's user as a service's actor: views and API handlers only (services take the actor)."""
from flask_login import current_user


def current_actor():
    """The signed-in user (or the bearer token's), as the plain object services are given."""
    return current_user._get_current_object()
