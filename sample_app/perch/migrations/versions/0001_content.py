"""Users, pages and posts.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("published_at", sa.DateTime),
        sa.UniqueConstraint("kind", "slug"),
    )
    welcome = (
        "This site was deployed by roost.wsgi: nginx in front, uWSGI behind it over a unix socket, "
        "supervisord keeping it up.\n\nLog in at [/admin/](/admin/) to write your first post."
    )
    op.execute(
        sa.text(
            "INSERT INTO entry (kind, slug, title, body, body_html, status, created_at, updated_at, published_at) "
            "VALUES ('post', 'welcome', 'Welcome to perch', :body, :html, 'published', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ).bindparams(body=welcome, html=_render(welcome))
    )


def downgrade():
    op.drop_table("entry")
    op.drop_table("user")


def _render(text):
    from perch.markup import render

    return render(text)
