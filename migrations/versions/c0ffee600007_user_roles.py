"""roles in their own table (user_roles) instead of a comma-separated users.roles column

Revision ID: c0ffee600007
Revises: c0ffee600006
Create Date: 2026-12-06 07:10:00

"Everyone holding role X" (a lane's candidates, the expert pool, the supervisors) was a LIKE over the
comma-separated column, which cannot use an index and matches substrings. One row per (user, role) with an
index on role answers it exactly. The data moves row by row in Python: splitting a list in SQL differs
between SQLite and PostgreSQL, and there are a few hundred users at most.

users.roles is dropped with a plain ALTER TABLE DROP COLUMN (SQLite 3.35+), not a batch-mode rebuild:
rebuilding users would drop a table that every other table references while foreign keys are enforced.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee600007'
down_revision = 'c0ffee600006'
branch_labels = None
depends_on = None


def upgrade():
    user_roles = op.create_table(
        'user_roles',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles')),
    )
    op.create_index(op.f('ix_user_roles_role'), 'user_roles', ['role'], unique=False)
    bind = op.get_bind()
    rows = [{'user_id': user_id, 'role': role}
            for user_id, csv in bind.execute(sa.text("SELECT id, roles FROM users"))
            for role in sorted({r.strip() for r in (csv or '').split(',') if r.strip()})]
    if rows:
        op.bulk_insert(user_roles, rows)
    op.drop_column('users', 'roles')


def downgrade():
    op.add_column('users', sa.Column('roles', sa.String(length=300), nullable=False, server_default=''))
    bind = op.get_bind()
    held: dict[int, list[str]] = {}
    for user_id, role in bind.execute(sa.text("SELECT user_id, role FROM user_roles ORDER BY user_id, role")):
        held.setdefault(user_id, []).append(role)
    for user_id, roles in held.items():
        bind.execute(sa.text("UPDATE users SET roles = :roles WHERE id = :id"),
                     {'roles': ','.join(roles), 'id': user_id})
    if bind.dialect.name != 'sqlite':
        op.alter_column('users', 'roles', server_default=None)  # as the initial schema had it
    op.drop_index(op.f('ix_user_roles_role'), table_name='user_roles')
    op.drop_table('user_roles')
