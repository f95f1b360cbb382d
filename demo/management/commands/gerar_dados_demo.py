import time

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS

from core.comandos import Comando
from demo import gerador


def _milhar(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class _Progresso:
    """One header per phase, a bar line every 10 %, the phase's wall time at its end."""

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
            self.stdout.write(f"  [{'#' * decil}{'.' * (10 - decil)}] {porcento:3d}%  {_milhar(feitos)}")

    def fechar(self):
        if self.fase is not None:
            self.stdout.write(f"  concluído em {time.monotonic() - self.inicio:.1f} s")
            self.fase = None


class Command(Comando):
    help = (
        "Gera dados de demonstração realistas e determinísticos. Escala 1 = os volumes dos usuários: 600 produtos, "
        "500 movimentações/dia por um ano, ~300 pedidos, 50 pré-separações e 50 separações ativas."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--escala", type=float, default=1.0, help="multiplica todos os volumes (padrão 1; ex.: 0.1, 100)"
        )
        parser.add_argument(
            "--semente", type=int, default=gerador.SEMENTE_PADRAO, help="semente aleatória (padrão %(default)s)"
        )
        parser.add_argument("--limpar", action="store_true", help="apaga antes os dados das tabelas de demonstração")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="banco de dados (padrão: default)")

    def handle(self, *args, escala, semente, limpar, database, **options):
        if escala <= 0:
            raise CommandError("--escala deve ser maior que zero (1 = volumes reais, 0.1 = um décimo).")
        inicio = time.monotonic()
        progresso = _Progresso(self.stdout)
        self.stdout.write(f"Gerando dados de demonstração (escala {escala:g}, semente {semente})...")
        try:
            resumo = gerador.gerar(escala, semente, using=database, limpar_antes=limpar, progresso=progresso)
        except gerador.BancoComDados as erro:
            raise CommandError(str(erro)) from erro
        progresso.fechar()
        for tabela, linhas in resumo.linhas.items():
            self.stdout.write(f"  {tabela}: {_milhar(linhas)} linhas")
        self.stdout.write(
            self.style.SUCCESS(
                f"Pronto em {time.monotonic() - inicio:.1f} s: {_milhar(resumo.produtos_reconstruidos)} produtos com "
                f"estoque recalculado, {_milhar(resumo.produtos_com_ruptura)} com ruptura prevista até D+7."
            )
        )
