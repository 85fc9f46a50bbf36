"""Alembic environment: the URL comes from the caller (api.core.db.migrate), never from a file."""

from alembic import context
from sqlalchemy import engine_from_config, pool

import api.models  # noqa: F401  (registers the tables on Base.metadata)
from api.core.db import Base

config = context.config
target_metadata = Base.metadata

connectable = engine_from_config(
    config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.", poolclass=pool.NullPool
)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
