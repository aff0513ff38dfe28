"""Alembic's environment: perch always hands it an open connection (see perch.db.upgrade)."""

from alembic import context

from perch.db import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
