"""Thin HTTP layer: blueprints turn requests into plain arguments and data into pages."""

from __future__ import annotations

from flask import Flask

from . import (
    admin_accounts,
    api,
    auth,
    clerk,
    comments,
    context,
    downloads,
    errors,
    feeds,
    filters,
    follower,
    i18n,
    login_state,
    oai,
    openapi,
    public,
    second_factor,
    security,
    sharing,
    statistics,
)
from . import export as export_views
from .clerk_export import bp as clerk_export_bp
from .clerk_review import bp as clerk_review_bp
from .uploads import StreamedUploads


def init_app(app: Flask) -> None:
    app.request_class = StreamedUploads
    i18n.init_app(app)
    context.init_app(app)
    filters.init_app(app)
    security.init_app(app)
    login_state.init_app(app)  # after security: its check needs the session
    errors.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(oai.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(second_factor.bp)
    app.register_blueprint(admin_accounts.bp)
    app.register_blueprint(clerk.bp)
    app.register_blueprint(clerk_export_bp)
    app.register_blueprint(clerk_review_bp)
    app.register_blueprint(export_views.bp)
    app.register_blueprint(sharing.bp)
    app.register_blueprint(statistics.bp)
    comments.init_app(app)
    follower.init_app(app)
