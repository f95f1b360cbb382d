from django.apps import AppConfig


class ProducaoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "producao"
    verbose_name = "Produção"

    def ready(self):
        from producao import composicao, contribuicoes, importadores  # noqa: F401  (imports register themselves)

        contribuicoes.registrar_regras()
        composicao.registrar()  # what the stock screens read of producao (estoque.registro)
