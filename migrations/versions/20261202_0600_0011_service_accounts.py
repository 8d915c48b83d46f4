"""service accounts: users that are other systems, and who issued each API token

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 06:00:00
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_account', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_api_tokens_issued_by_id_users', 'users', ['issued_by_id'], ['id'],
                                    ondelete='SET NULL')
    # Until now only admins made tokens, for people too: each live one may have been seen by someone other than
    # its person, so it stops working; people make their own again, on their My API tokens page.
    tokens = sa.table('api_tokens', sa.column('revoked_at', sa.DateTime(timezone=True)))
    op.execute(tokens.update().where(tokens.c.revoked_at.is_(None)).values(revoked_at=datetime.now(timezone.utc)))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint('fk_api_tokens_issued_by_id_users', type_='foreignkey')
        batch_op.drop_column('issued_by_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('service_account')
