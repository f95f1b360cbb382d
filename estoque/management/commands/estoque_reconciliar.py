from core.comandos import BarraDeProgresso, Comando
from estoque.models import ReconciliacaoExecucao
from estoque.services import reconciliacao


def imprimir_diferencas(stdout, encontrados):
    for cod in sorted(encontrados):
        for campo, antes, depois in encontrados[cod]:
            stdout.write(f"  {cod}: {campo}: {antes} -> {depois}")


class Command(Comando):
    help = "Verifica as tabelas derivadas contra as origens e corrige divergências (ou só relata com --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--produto", action="append", help="código a verificar (pode repetir); padrão: o catálogo todo"
        )
        parser.add_argument("--dry-run", action="store_true", help="apenas relata, não corrige")

    def handle(self, *args, produto=None, dry_run=False, **options):
        barra = BarraDeProgresso(self.stdout)
        execucao, encontrados = reconciliacao.reconciliar(
            origem=ReconciliacaoExecucao.Origem.COMANDO,
            produtos=produto,
            corrigir=not dry_run,
            catalogo_inteiro=True,
            progresso=lambda feitos, total: barra("Verificando", feitos, total),
        )
        barra.fechar()
        imprimir_diferencas(self.stdout, encontrados)
        acao = "encontrados (não corrigidos: --dry-run)" if dry_run else "corrigidos"
        self.stdout.write(
            f"{execucao.produtos_verificados} produtos verificados; {len(encontrados)} com divergência {acao}."
        )
