import time

from core.comandos import Comando
from estoque.services import reconstrucao


class Command(Comando):
    help = "Recalcula do zero EstoqueTempoReal e MovimentacaoPrevista a partir das tabelas de origem (seguro com o sistema em uso)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--lote", type=int, default=reconstrucao.LOTE, help="produtos por transação (padrão %(default)s)"
        )

    def handle(self, *args, lote, **options):
        inicio = time.monotonic()

        def progresso(feitos, total):
            self.stdout.write(f"\r  {feitos}/{total} produtos ({100 * feitos // max(total, 1)}%)", ending="")
            self.stdout.flush()

        self.stdout.write("Reconstruindo tabelas derivadas...")
        total = reconstrucao.reconstruir(lote=lote, progresso=progresso)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"{total} produtos recalculados em {time.monotonic() - inicio:.1f} s."))
