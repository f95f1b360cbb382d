"""Benchmark (not a test): previewing and applying a movements spreadsheet, on PostgreSQL.

.venv/bin/python -m benchmarks.bench_importacao [--linhas 10000] [--escala 10 [--reusar]]
    [--banco bench_importacao] [--servidor postgres://postgres@127.0.0.1:5432]

For each size, in one run on the same file: "prévia" is core.importacoes.servico.receber
(read, convert, the services' rules, one query for the unknown products, totals); "linha a
linha" is the former apply (MovimentacoesImportador.aplicar_por_linha: every row through
operacoes.criar_movimentacao and the engine); "em conjunto" is the apply now
(MovimentacoesImportador.aplicar: operacoes.criar_movimentacoes, one bulk_create per 2,000
rows, the engine and the history set-based); both on the same parsed rows, as the import
service calls them (core.autoria "importação nº n"); "confirmar" is the whole
servico.aplicar (the stored bytes read again, checked, totals compared, applied). Each
measurement runs inside a transaction rolled back afterwards, so the database is the same
for all of them; both applies must leave the same stock for the file's products.

The database (--banco, created and migrated when missing) holds the demo data of --escala
(manage.py gerar_dados_demo; --reusar keeps it when the product count matches) or, without
--escala, 500 products; the file's codes are drawn from its catalog and unification codes.
"""

import argparse
import io
import os
import random
import time

PRODUTOS = 500


class Desfazer(Exception):
    pass


def preparar(servidor: str, banco: str, escala: float | None, reusar: bool):
    url = f"{servidor.rstrip('/')}/{banco}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
    from benchmarks.bench_api import _criar_banco

    _criar_banco(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from estoque.models import CadastroPalletizacao

    if escala is not None:
        from benchmarks.bench_api import gerar_dados

        gerar_dados(escala, reusar)
    elif CadastroPalletizacao.objects.count() < PRODUTOS:
        CadastroPalletizacao.objects.bulk_create(
            [
                CadastroPalletizacao(
                    cod_produto=f"B{n:05d}", nome_produto=f"PRODUTO {n}", palletizacao=100, peso_bruto=1
                )
                for n in range(PRODUTOS)
            ],
            ignore_conflicts=True,
        )


def codigos() -> list[str]:
    """The catalog's codes and, when there are unification groups, some alias codes."""
    from estoque.models import CadastroPalletizacao, CodigoUnificado

    catalogo = list(CadastroPalletizacao.objects.order_by("cod_produto").values_list("cod_produto", flat=True))
    apelidos = list(CodigoUnificado.objects.order_by("cod_produto").values_list("cod_produto", flat=True)[:50])
    return catalogo + apelidos


def planilha(linhas: int, produtos: list[str]) -> bytes:
    import openpyxl
    from django.utils import timezone

    hoje = timezone.localdate()
    aleatorio = random.Random(linhas)
    livro = openpyxl.Workbook()
    livro.active.append(["cod_produto", "data_movimentacao", "tipo_movimentacao", "qtd_movimentacao", "observacao"])
    for _ in range(linhas):
        qtd = aleatorio.randint(1, 500)
        tipo = aleatorio.choice(["ENTRADA", "SAIDA"])
        livro.active.append([aleatorio.choice(produtos), hoje, tipo, qtd if tipo == "ENTRADA" else -qtd, "bench"])
    saida = io.BytesIO()
    livro.save(saida)
    return saida.getvalue()


def desfeito(funcao):
    """funcao() inside a transaction rolled back afterwards; its result."""
    from django.db import transaction

    resultado = None
    try:
        with transaction.atomic():
            resultado = funcao()
            raise Desfazer
    except Desfazer:
        pass
    return resultado


def medir(linhas: int, produtos: list[str], so_confirmar: bool = False) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import Sum
    from django.test import override_settings

    from core.importacoes import importador, servico
    from core.models import Importacao
    from estoque.models import EstoqueTempoReal

    conteudo = planilha(linhas, produtos)
    tipo = importador("movimentacoes")
    tempos: dict = {}

    def receber():
        importacao = servico.receber(SimpleUploadedFile("bench.xlsx", conteudo), "movimentacoes", "bench")
        assert importacao.status == Importacao.Status.PREVIA, importacao.erros[:3]
        return importacao

    def saldo_do_arquivo(validas):
        cods = {linha.dados["cod_produto"] for linha in validas}
        return EstoqueTempoReal.objects.filter(cod_produto__in=cods).aggregate(s=Sum("saldo_atual"))["s"]

    with override_settings(ESTOQUE_IMPORTACAO_BYTES_FUNDO=10**12):

        def previa():
            inicio = time.perf_counter()
            receber()
            tempos["previa"] = time.perf_counter() - inicio

        desfeito(previa)

        def gravar(metodo: str):
            def medir_gravacao():
                importacao = receber()
                validas, erros, _, _ = servico.ler(importacao)
                assert not erros and len(validas) == linhas
                inicio = time.perf_counter()
                with servico._como_importacao(importacao, "bench"):
                    getattr(tipo, metodo)(validas, importacao, "bench", lambda feitas, total: None)
                tempos[metodo] = time.perf_counter() - inicio
                assert importacao.movimentacoes.count() == linhas
                return saldo_do_arquivo(validas)

            return desfeito(medir_gravacao)

        if not so_confirmar:
            saldos = {"por_linha": gravar("aplicar_por_linha"), "em_conjunto": gravar("aplicar")}
            assert saldos["por_linha"] == saldos["em_conjunto"], saldos

        def confirmar():
            importacao = receber()
            inicio = time.perf_counter()
            servico.aplicar(importacao.pk, "bench")
            tempos["confirmar"] = time.perf_counter() - inicio

        desfeito(confirmar)
    return tempos


def tamanho() -> str:
    from estoque.models import CadastroPalletizacao, MovimentacaoEstoque

    return (
        f"{CadastroPalletizacao.objects.count():,} produtos, "
        f"~{MovimentacaoEstoque.objects.count():,} movimentações no banco".replace(",", ".")
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--linhas", type=int, nargs="+", default=[10000])
    parser.add_argument("--escala", type=float, help="demo data of this scale (gerar_dados_demo --escala)")
    parser.add_argument("--reusar", action="store_true", help="keep the demo data when the scale matches")
    parser.add_argument("--banco", default="bench_importacao")
    parser.add_argument("--servidor", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--so-confirmar", action="store_true", help="only the preview and the whole confirm (no per-row apply)"
    )
    args = parser.parse_args()
    preparar(args.servidor, args.banco, args.escala, args.reusar)
    produtos = codigos()
    escala = f"escala {args.escala:g}" if args.escala is not None else "sem demo"
    print(f"banco {args.banco} ({escala}): {tamanho()}")
    print(
        f"{'linhas':>7}  {'prévia':>8}  {'linha a linha':>20}  {'em conjunto':>20}  {'razão':>6}  {'confirmar (novo)':>17}"
    )
    for linhas in args.linhas:
        t = medir(linhas, produtos, args.so_confirmar)
        if args.so_confirmar:
            print(f"{linhas:>7}  {t['previa']:>6.2f} s  {'-':>20}  {'-':>20}  {'-':>6}  {t['confirmar']:>15.2f} s")
            print(f"carga da máquina (loadavg 1 min): {os.getloadavg()[0]:.1f} em {os.cpu_count()} CPUs")
            continue
        antes, depois = t["aplicar_por_linha"], t["aplicar"]
        print(
            f"{linhas:>7}  {t['previa']:>6.2f} s  {antes:>6.2f} s {linhas / antes:>7.0f} l/s"
            f"  {depois:>6.2f} s {linhas / depois:>7.0f} l/s  {antes / depois:>5.1f}x  {t['confirmar']:>15.2f} s"
        )
        print(f"carga da máquina (loadavg 1 min): {os.getloadavg()[0]:.1f} em {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
