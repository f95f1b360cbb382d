"""The base of the project's management commands: what a command writes is "comando <nome>"
(core.autoria); and the one progress bar they print on a terminal (BarraDeProgresso)."""

import time

from django.core.management.base import BaseCommand

from core import autoria
from core.formatos import milhar


class Comando(BaseCommand):
    def execute(self, *args, **options):
        nome = type(self).__module__.rsplit(".", 1)[-1]
        with autoria.atuando(autoria.Origem.COMANDO, rotulo=f"comando {nome}"):
            return super().execute(*args, **options)


class BarraDeProgresso:
    """`barra(fase, feitos, total)`: one header per phase, a bar line every 10 %, the phase's
    wall time at its end (`fechar()` ends the last one). Lines, not carriage returns: it reads
    the same on a terminal, in a log file and in a CI output."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.fase = None
        self.inicio = 0.0
        self.decil = -1

    def __call__(self, fase, feitos, total):
        if fase != self.fase:
            self.fechar()
            self.fase, self.inicio, self.decil = fase, time.monotonic(), -1
            self.stdout.write(f"{fase}...")
        decil = 10 * feitos // max(total, 1)
        if feitos and decil > self.decil:
            self.decil = decil
            porcento = min(100, 100 * feitos // max(total, 1))
            self.stdout.write(f"  [{'#' * decil}{'.' * (10 - decil)}] {porcento:3d}%  {milhar(feitos)}")

    def fechar(self):
        if self.fase is not None:
            self.stdout.write(f"  concluído em {time.monotonic() - self.inicio:.1f} s")
            self.fase = None
