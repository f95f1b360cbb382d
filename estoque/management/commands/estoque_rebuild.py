import time

from core.comandos import BarraDeProgresso, Comando
from estoque.services import reconstrucao


class Command(Comando):
    help = "Recalcula do zero EstoqueTempoReal e MovimentacaoPrevista a partir das tabelas de origem (seguro com o sistema em uso)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--lote", type=int, default=reconstrucao.LOTE, help="produtos por transação (padrão %(default)s)"
        )

    def handle(self, *args, lote, **options):
        inicio = time.monotonic()
        barra = BarraDeProgresso(self.stdout)
        self.stdout.write("Reconstruindo tabelas derivadas (leitura do catálogo inteiro numa só fotografia)...")
        total = reconstrucao.reconstruir(lote=lote, progresso=lambda feitos, n: barra("Gravando", feitos, n))
        barra.fechar()
        self.stdout.write(self.style.SUCCESS(f"{total} produtos recalculados em {time.monotonic() - inicio:.1f} s."))
