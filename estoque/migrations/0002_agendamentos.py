from django.db import migrations


def criar(apps, schema_editor):
    from estoque.services.agendamentos import garantir_agendamentos

    garantir_agendamentos(apps.get_model("django_q", "Schedule"))


class Migration(migrations.Migration):
    dependencies = [
        ("estoque", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(criar, migrations.RunPython.noop)]
