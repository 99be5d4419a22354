"""The table of the database cache (CSFPILOT_CACHE=database), made with the schema.

Several worker processes count sign-in failures in it (docs/accounts.md). Made here
rather than by ``createcachetable`` at start-up, so that every way of preparing a
database (``csfpilot serve``, ``csfpilot manage migrate``, a restore, the tests)
has it, on SQLite and PostgreSQL alike.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "csfpilot_cache"  # settings.SHARED_CACHE_TABLE


def create(apps, schema_editor):
    # Does nothing when the table is already there.
    command = CreateCacheTable(no_color=True)
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(create, drop)]
