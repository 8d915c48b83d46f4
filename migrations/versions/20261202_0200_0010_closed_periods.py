"""closed periods: the months finance has closed, after which nothing is dated in them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:00:00
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('closed_periods',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("month >= '2000-01-01' AND month <= '2100-12-01'", name=op.f('ck_closed_periods_month_bounded')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_closed_periods_closed_by_id_users')),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_closed_periods'))
    )


def downgrade() -> None:
    op.drop_table('closed_periods')
