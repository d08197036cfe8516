"""Every module that defines tables, imported together so `Base.metadata` is complete (Alembic's
autogenerate and the ORM's string references need all of them). A feature with tables of its
own adds its module here."""

from db import (
    broadcasts,  # noqa: F401  (subscriptions, broadcasts)
    courses,  # noqa: F401
    jobs,  # noqa: F401  (job notices, job seekers)
    models,  # noqa: F401  (core tables, shared assessments, outbox)
    targets,  # noqa: F401  (the year's targets set by an admin)
)
from db.officers import (  # the ward officers' tables
    households,  # noqa: F401  (household lists, category changes)
    queue,  # noqa: F401  (shared self-assessments dealt with)
    roster,  # noqa: F401  (officers' wards, invites)
    visits,  # noqa: F401  (visits, reminders)
)
