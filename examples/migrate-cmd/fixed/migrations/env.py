from alembic import context

context.configure(url="sqlite:///app.db")
with context.begin_transaction():
    context.run_migrations()
