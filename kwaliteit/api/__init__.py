"""The JSON API under /api/v1: personal bearer tokens (tokens, auth), strict input (params), one
error body (errors), the views (views) and their OpenAPI description (openapi, docs); the page
where users make and revoke their tokens (token_views)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from kwaliteit import csrf
    from kwaliteit.api import docs, token_views, views
    from kwaliteit.api.errors import ApiError, handle_api_error

    # The API takes no cookies, only bearer tokens: a cross-site request cannot carry one, so the
    # forms' CSRF check does not apply (and would refuse every API client).
    csrf.exempt(views.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(token_views.bp)
    app.register_error_handler(ApiError, handle_api_error)
