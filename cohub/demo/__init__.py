"""A demo project to explore cohub with: people, stories, themes and quotes.

Everything the demo holds is fictional and written for cohub. The stories live
as data files in ``data/`` (a manifest and one transcript per story, as a team
would bring them); ``manifest`` reads and checks them without a database, and
``loader`` makes them through the services the product uses, safely repeatable.

The names below are what the README, the CLI and the tests rely on. They are
read from the shipped manifest, so it stays the one place they are written.
"""

from __future__ import annotations

from cohub.demo.loader import DemoInfo, demo_load
from cohub.demo.manifest import DATA_DIR, Demo, DemoDataError, find_quote, read_demo

__all__ = [
    "DATA_DIR",
    "DECISION_MAKER",
    "DEMO_ORGANISATION_SLUG",
    "DEMO_PASSWORD",
    "DEMO_PROJECT_SLUG",
    "FACILITATOR",
    "MEMBER",
    "ORG_ADMIN",
    "REPORTER",
    "Demo",
    "DemoDataError",
    "DemoInfo",
    "demo_load",
    "find_quote",
    "read_demo",
]

_SHIPPED = read_demo()

DEMO_PASSWORD = _SHIPPED.password
DEMO_ORGANISATION_SLUG = _SHIPPED.organisation_slug
DEMO_PROJECT_SLUG = _SHIPPED.project_slug
FACILITATOR = _SHIPPED.email_for(project_role="facilitator")
REPORTER = _SHIPPED.email_for(project_role="community_reporter")
MEMBER = _SHIPPED.email_for(project_role="member")
DECISION_MAKER = _SHIPPED.email_for(project_role="decision_maker")
ORG_ADMIN = _SHIPPED.email_for(organisation_role="admin")
