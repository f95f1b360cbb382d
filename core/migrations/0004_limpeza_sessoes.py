from django.db import migrations


def agendar(apps, schema_editor):
    from core.sessoes import garantir_agendamento

    garantir_agendamento(apps.get_model("django_q", "Schedule"))


def desagendar(apps, schema_editor):
    from core.sessoes import LIMPEZA

    apps.get_model("django_q", "Schedule").objects.filter(name=LIMPEZA).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_sessoes"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(agendar, desagendar)]
