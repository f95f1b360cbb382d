"""The product catalog moved to estoque (estoque.0005); the table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("producao", "0002_mensagens_e_rotulos"),
        ("estoque", "0005_cadastropalletizacao"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CadastroPalletizacao")],
            database_operations=[],
        ),
    ]
