import time

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS

from core.comandos import BarraDeProgresso, Comando
from core.formatos import milhar as _milhar
from demo import gerador


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
        progresso = BarraDeProgresso(self.stdout)
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
