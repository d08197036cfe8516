"""Every module that defines tables, imported together so `Base.metadata` is complete (Alembic's
autogenerate and the ORM's string references need all of them). A feature with tables of its
own adds its module here."""

from db import (
    broadcasts,  # noqa: F401  (subscriptions, job board, broadcasts, outbox media)
    courses,  # noqa: F401
    models,  # noqa: F401  (core tables, shared assessments, outbox)
    officers,  # noqa: F401  (ward officers: households, visits, reminders)
    targets,  # noqa: F401  (the year's targets set by an admin)
)
