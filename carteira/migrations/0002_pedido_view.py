from django.db import migrations

from carteira.migrations._pedido_view import PEDIDO_VIEW_0002 as PEDIDO_VIEW


class Migration(migrations.Migration):
    dependencies = [("carteira", "0001_initial")]

    operations = [
        migrations.RunSQL(PEDIDO_VIEW, "DROP VIEW IF EXISTS carteira_pedido"),
    ]
