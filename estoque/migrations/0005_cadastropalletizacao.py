"""The product catalog moves from producao to estoque (state only: the table keeps its name).

The engine reads the catalog; with the model here no domain app is imported by the engine.
The content type follows, so permissions and admin history granted on the catalog stay.
"""

from django.db import migrations, models


def mover_tipo_de_conteudo(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    antigo = ContentType.objects.filter(app_label="producao", model="cadastropalletizacao").first()
    if antigo is None:
        return
    if ContentType.objects.filter(app_label="estoque", model="cadastropalletizacao").exists():
        return
    antigo.app_label = "estoque"
    antigo.save(update_fields=["app_label"])


def voltar_tipo_de_conteudo(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="estoque", model="cadastropalletizacao").update(app_label="producao")


class Migration(migrations.Migration):
    dependencies = [
        ("estoque", "0004_lote_faturado"),
        ("producao", "0002_mensagens_e_rotulos"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CadastroPalletizacao",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("cod_produto", models.CharField(max_length=50, unique=True, verbose_name="código do produto")),
                        ("nome_produto", models.CharField(max_length=255, verbose_name="nome do produto")),
                        (
                            "palletizacao",
                            models.DecimalField(
                                decimal_places=3, max_digits=15, verbose_name="palletização (un/pallet)"
                            ),
                        ),
                        (
                            "peso_bruto",
                            models.DecimalField(decimal_places=3, max_digits=15, verbose_name="peso bruto (kg/un)"),
                        ),
                        ("categoria", models.CharField(blank=True, default="", max_length=100)),
                        ("subcategoria", models.CharField(blank=True, default="", max_length=100)),
                        (
                            "linha_producao",
                            models.CharField(blank=True, default="", max_length=100, verbose_name="linha de produção"),
                        ),
                        ("ativo", models.BooleanField(default=True)),
                    ],
                    options={
                        "db_table": "producao_cadastropalletizacao",
                        "verbose_name": "cadastro de palletização",
                        "verbose_name_plural": "cadastro de palletização",
                        "ordering": ["cod_produto"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("palletizacao__gt", 0)),
                                name="palletizacao_positiva",
                                violation_error_message="A palletização deve ser maior que zero.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("peso_bruto__gte", 0)),
                                name="peso_bruto_nao_negativo",
                                violation_error_message="O peso bruto não pode ser negativo.",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(mover_tipo_de_conteudo, voltar_tipo_de_conteudo),
    ]
