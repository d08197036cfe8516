"""The migrations build exactly the tables the models describe (so a new table such as
year_targets cannot exist in the models only), and go down again cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import db.schema  # noqa: F401  (every table module, so the metadata is complete)
from db.migrate import alembic_config
from db.models import Base


def test_migrations_match_the_models_and_downgrade(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{tmp_path}/m.db")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "heads")
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = {t for t in Base.metadata.tables}
    assert "year_targets" in tables
    assert [d for d in diff if d[0] in ("add_table", "remove_table")] == []
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0007_assessment_runs")
    with engine.begin() as conn:
        names = set(conn.dialect.get_table_names(conn))
    assert "year_targets" not in names
    engine.dispose()
