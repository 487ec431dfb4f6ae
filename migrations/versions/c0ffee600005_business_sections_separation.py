"""business sections (对口业务科室) of departments; separation of duties on task rows

Revision ID: c0ffee600005
Revises: c0ffee600004
Create Date: 2026-12-06 06:40:00

A department names the finance business section that reviews its money, and finance tasks are routed to
that section's queue (the task row's department is the section; no section: NULL, every section may take
it). Open finance tasks written before this move to NULL, which keeps them in every section's queue as
before. Task rows carry the BPMN task's `distinct_from` (四眼原则).

human_tasks only gains a column (ALTER TABLE ADD COLUMN, no table rebuild), so its queue size triggers
(c0ffee600004) stay; they log the finance rows' move from (lane, department) to (lane, NULL) themselves.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee600005'
down_revision = 'c0ffee600004'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # Not batch mode: rebuilding departments would drop a table every other table references.
        op.execute("ALTER TABLE departments ADD COLUMN business_section_id INTEGER "
                   "CONSTRAINT fk_departments_business_section_id_departments REFERENCES departments (id)")
    else:
        op.add_column('departments', sa.Column('business_section_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_departments_business_section_id_departments'), 'departments',
                              'departments', ['business_section_id'], ['id'])
    op.add_column('human_tasks', sa.Column('distinct_from', sa.String(length=300), nullable=True))
    op.execute("UPDATE human_tasks SET department_id = NULL "
               "WHERE lane = 'finance_business' AND state = 'ready'")


def downgrade():
    op.execute("UPDATE human_tasks SET department_id = (SELECT department_id FROM process_instances AS i "
               "WHERE i.id = human_tasks.instance_id) WHERE lane = 'finance_business' AND state = 'ready'")
    # Plain DROP COLUMN (SQLite 3.35+): no table rebuild, so the human_tasks triggers and the tables that
    # reference departments stay as they are.
    op.drop_column('human_tasks', 'distinct_from')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_departments_business_section_id_departments'), 'departments',
                           type_='foreignkey')
    op.drop_column('departments', 'business_section_id')
