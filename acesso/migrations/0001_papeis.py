"""The roles' groups (acesso/papeis.py). post_migrate re-applies the table after every migrate."""

from django.db import migrations


def criar_papeis(apps, schema_editor):
    from acesso import sincronizacao

    sincronizacao.criar_permissoes(apps, schema_editor.connection.alias)
    sincronizacao.aplicar(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), estrito=False)


def remover_papeis(apps, schema_editor):
    from acesso.papeis import PAPEIS

    apps.get_model("auth", "Group").objects.filter(name__in=[papel.nome for papel in PAPEIS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("estoque", "0005_cadastropalletizacao"),
        ("producao", "0003_catalogo_em_estoque"),
        ("carteira", "0006_permissao_analisar_ruptura"),
        ("embarques", "0002_mensagens_e_rotulos"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(criar_papeis, remover_papeis)]
