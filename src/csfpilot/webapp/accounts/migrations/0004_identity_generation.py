"""The identity generation (accounts/identity_cache.py) and the triggers that replace it.

Triggers rather than signals: a row changed by any path (the ORM's bulk updates, the
command line, a restore, plain SQL) still moves the generation, in the same transaction.
Columns written on every use (a token's ``last_used``, a user's ``last_login``) are left
out, so that a read is never turned into an invalidation.
"""

import secrets

from django.db import migrations, models

TABLE = "csfpilot_identity_generation"

# (table, the columns whose update matters; None: any column).
WATCHED = [
    ("django_session", None),
    (
        "accounts_user",
        [
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
        ],
    ),
    (
        "accounts_apitoken",
        ["user_id", "organization_id", "role", "digest", "expires", "revoked"],
    ),
    ("organizations_organization", None),
    ("organizations_membership", None),
]


def _sqlite(table: str, columns: list[str] | None) -> list[str]:
    bump = (
        "INSERT OR REPLACE INTO csfpilot_identity_generation (id, value) "
        "VALUES (1, lower(hex(randomblob(16))));"
    )
    update = "UPDATE" + (f" OF {', '.join(columns)}" if columns else "")
    return [
        f"CREATE TRIGGER csfpilot_identity_{table}_{op.split()[0].lower()} AFTER {op} ON {table} "
        f"BEGIN {bump} END"
        for op in ("INSERT", update, "DELETE")
    ]


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION csfpilot_identity_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO csfpilot_identity_generation (id, value) VALUES (1, md5(random()::text || clock_timestamp()::text))
  ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
  RETURN NULL;
END $$;
"""


def _postgres(table: str, columns: list[str] | None) -> list[str]:
    update = "UPDATE" + (f" OF {', '.join(columns)}" if columns else "")
    return [
        f"CREATE TRIGGER csfpilot_identity_{table} AFTER INSERT OR {update} OR DELETE "
        f"OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION csfpilot_identity_bump()"
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    # Random from the start: two databases sharing one Redis never share a generation.
    schema_editor.execute(
        "INSERT INTO csfpilot_identity_generation (id, value) VALUES (1, %s)",
        [secrets.token_hex(16)],
    )
    statements = []
    if vendor == "postgresql":
        statements.append(_PG_FUNCTION)
        for table, columns in WATCHED:
            statements.extend(_postgres(table, columns))
    elif vendor == "sqlite":
        for table, columns in WATCHED:
            statements.extend(_sqlite(table, columns))
    else:  # pragma: no cover - the two databases csfpilot runs on
        raise RuntimeError(f"no identity triggers for {vendor}")
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, _ in WATCHED:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS csfpilot_identity_{table} ON {table}")
        else:
            for op in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS csfpilot_identity_{table}_{op}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS csfpilot_identity_bump()")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_shared_cache_table"),
        ("organizations", "0003_invitations"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="IdentityGeneration",
            fields=[
                ("id", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("value", models.CharField(max_length=64)),
            ],
            options={"db_table": TABLE},
        ),
        migrations.RunPython(create, drop),
    ]
