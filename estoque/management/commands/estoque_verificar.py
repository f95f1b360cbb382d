import sys

from core.comandos import Comando
from estoque.management.commands.estoque_reconciliar import imprimir_diferencas
from estoque.services import reconciliacao
from estoque.services.unificacao import resolver_principais


class Command(Comando):
    help = "Verifica todo o catálogo sem corrigir; sai com status 1 se houver qualquer divergência (monitoramento)."

    def handle(self, *args, **options):
        # The invoiced-lote flags first: the products' expected forecast reads them.
        lotes = reconciliacao.corrigir_lotes_faturados(corrigir=False)
        for lote in lotes:
            self.stdout.write(f"lote {lote}: marca de faturado diverge dos itens de embarque")
        principais = sorted(set(resolver_principais(reconciliacao.todos_os_codigos()).values()))
        encontrados = reconciliacao.verificar(principais, corrigir=False)
        imprimir_diferencas(self.stdout, encontrados)
        self.stdout.write(f"{len(principais)} produtos verificados; {len(encontrados)} com divergência.")
        if encontrados or lotes:
            sys.exit(1)
