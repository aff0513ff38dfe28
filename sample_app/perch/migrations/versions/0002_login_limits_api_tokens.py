"""Failed-login records for rate limiting, API tokens, and an index for the home page and feed.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("remote_addr", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_login_failure_at", "login_failure", ["at"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_entry_kind_status_published_at", "entry", ["kind", "status", "published_at"])


def downgrade():
    op.drop_index("ix_entry_kind_status_published_at", "entry")
    op.drop_table("api_token")
    op.drop_index("ix_login_failure_at", "login_failure")
    op.drop_table("login_failure")
