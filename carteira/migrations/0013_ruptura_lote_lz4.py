"""The ruptura lots' results compressed with lz4 instead of pglz on PostgreSQL: a lot of 640
orders stores ~2.4 MB of JSON, and pglz took ~60 ms of the server's CPU per lot (lz4 about a
tenth). Where lz4 is not built in (or not PostgreSQL 14+) nothing changes."""

from django.db import migrations

LZ4 = """
DO $$
BEGIN
    ALTER TABLE carteira_analiserupturalote ALTER COLUMN resultados SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
    NULL;
END $$;
"""
PGLZ = "ALTER TABLE carteira_analiserupturalote ALTER COLUMN resultados SET COMPRESSION pglz"


def aplicar(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LZ4)


def desfazer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql" and schema_editor.connection.pg_version >= 140000:
        schema_editor.execute(PGLZ)


class Migration(migrations.Migration):
    dependencies = [("carteira", "0012_historico")]

    operations = [migrations.RunPython(aplicar, desfazer)]
