"""JSON API v1 (API.md). Handlers validate with marshmallow schemas; flask-smorest
generates /api/v1/openapi.json from the same schemas."""
from flask_smorest import Api as SmorestApi

from ..extensions import csrf
from . import admin, publishing, reports, royalties, royalty_incentives, royalty_tax_year, sites, submissions, tokens  # noqa: F401  (routes register on import)
from .blueprint import blp
from .schemas import ErrorSchema


class Api(SmorestApi):
    # The default error responses in the document use the API's error format.
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # One error handler for the whole app lives in web_errors.py; it answers
        # in the API's JSON format under /api/ and with HTML pages elsewhere.
        pass


def init_api(app):
    api = Api(app, spec_kwargs={"info": {"description": "BBT Workflow JSON API v1 (API.md)."}})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/tokens"}
    )
    csrf.exempt(blp)
    api.register_blueprint(blp)
    app.extensions["bbt_api"] = api
    return api
