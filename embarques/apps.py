from django.apps import AppConfig


class EmbarquesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "embarques"
    verbose_name = "Embarques"

    def ready(self):
        from embarques import contribuicoes, faturamento, importadores  # noqa: F401  (imports register themselves)
        from estoque.services import operacoes

        contribuicoes.registrar_regras()
        operacoes.registrar_vinculo(faturamento.vinculos)
