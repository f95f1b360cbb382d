import sys

from core.comandos import BarraDeProgresso, Comando
from estoque.management.commands.estoque_reconciliar import imprimir_diferencas
from estoque.services import reconciliacao


class Command(Comando):
    help = "Verifica todo o catálogo sem corrigir; sai com status 1 se houver qualquer divergência (monitoramento)."

    def handle(self, *args, **options):
        # The invoiced-lote flags first: the products' expected forecast reads them.
        lotes = reconciliacao.corrigir_lotes_faturados(corrigir=False)
        for lote in lotes:
            self.stdout.write(f"lote {lote}: marca de faturado diverge dos itens de embarque")
        barra = BarraDeProgresso(self.stdout)
        verificados, encontrados = reconciliacao.verificar_catalogo(
            corrigir=False, progresso=lambda feitos, total: barra("Verificando", feitos, total)
        )
        barra.fechar()
        imprimir_diferencas(self.stdout, encontrados)
        self.stdout.write(f"{verificados} produtos verificados; {len(encontrados)} com divergência.")
        if encontrados or lotes:
            sys.exit(1)
