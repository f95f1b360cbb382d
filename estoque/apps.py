from django.apps import AppConfig


class EstoqueConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "estoque"
    verbose_name = "Estoque"

    def ready(self):
        from estoque import checks, contribuicoes, importadores, signals  # noqa: F401  (checks, imports register themselves)

        contribuicoes.registrar_regras()
        signals.conectar()

        from estoque import trabalhos

        trabalhos.registrar_tipos()  # rebuild and reconciliation from the admin (core.trabalhos)

        from core import saude as saude_core
        from estoque import saude

        saude_core.registrar("reconciliacao", saude.reconciliacao, "Reconciliação do estoque")
