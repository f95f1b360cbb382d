"""The base of the project's management commands: what a command writes is "comando <nome>" (core.autoria)."""

from django.core.management.base import BaseCommand

from core import autoria


class Comando(BaseCommand):
    def execute(self, *args, **options):
        nome = type(self).__module__.rsplit(".", 1)[-1]
        with autoria.atuando(autoria.Origem.COMANDO, rotulo=f"comando {nome}"):
            return super().execute(*args, **options)
