from django.apps import AppConfig


class CarteiraConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "carteira"
    verbose_name = "Carteira"

    def ready(self):
        from carteira import composicao, contribuicoes

        contribuicoes.registrar_regras()
        composicao.registrar()  # what the stock screens read of carteira (estoque.registro)

        from carteira import trabalhos

        trabalhos.registrar_tipos()  # "Sincronizar agora" runs as a background job (core.trabalhos)

        from carteira import saude
        from core import saude as saude_core

        saude_core.registrar("sincronizacao_carteira", saude.sincronizacao, "Sincronização da carteira")
