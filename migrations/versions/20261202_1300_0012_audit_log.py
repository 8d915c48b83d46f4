"""audit log: who changed what, when and from where; the database refuses to change or delete a line of it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

ACTIONS = ('create', 'update', 'delete', 'sign_in', 'sign_in_failed', 'sign_in_refused', 'sign_out')
SOURCES = ('web', 'api', 'cli', 'job')
REFUSAL = "audit entries are append-only"


def upgrade() -> None:
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=200), nullable=False),
        sa.Column('action', sa.Enum(*ACTIONS, name='auditaction', native_enum=False, create_constraint=True,
                                    length=20), nullable=False),
        sa.Column('subject', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=True),
        sa.Column('reference', sa.String(length=200), nullable=True),
        sa.Column('changes', sa.Text(), nullable=True),
        sa.Column('source', sa.Enum(*SOURCES, name='auditsource', native_enum=False, create_constraint=True,
                                    length=8), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('token_name', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_entries_subject', ['subject', 'subject_id'], unique=False)
    _refuse_changes()


def _refuse_changes() -> None:
    """Nobody edits the log, not even through SQL: UPDATE, DELETE (and on PostgreSQL TRUNCATE) are refused."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$")
        op.execute("CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
                   "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()")
        op.execute("CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()")
        return
    for event in ('UPDATE', 'DELETE'):
        op.execute(f"CREATE TRIGGER audit_entries_no_{event.lower()} BEFORE {event} ON audit_entries "
                   f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TABLE audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
        return
    op.drop_table('audit_entries')
