"""Benchmark of the Excel writers (not a test): openpyxl write-only (before issue 16) against
XlsxWriter constant_memory (relatorios.excel now), on the same rows, side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_xlsx \\
        .venv/bin/python manage.py gerar_dados_demo --escala 10 --limpar
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_xlsx \\
        .venv/bin/python -m benchmarks.bench_exportacao [--relatorio carteira-detalhada] [--repeticoes 3]
        [--sem-tracemalloc] [--sem-escrita] [--sem-completa] [--comparar]

1. Writers alone, in this one process: the export's rows are captured once (queries and row
   building done), then replayed into each writer, alternating old/new, best of N; rows/s,
   the ratio new/old, CPU seconds, and the peak Python heap of each writer (tracemalloc, in
   a separate traced pass as tracing slows Python down).
2. The whole export as the view runs it (queries, rows, writer, zip), each run in a fresh
   child process so its RSS growth (peak RSS, VmHWM reset just before, minus the size
   before) is its own.
3. With --comparar: both files read back with openpyxl and compared cell by cell (value,
   number format, bold, italic, fill), plus outline levels, widths, freeze, filter, rules.

The old writer is benchmarks.escritor_openpyxl, swapped into relatorios.excel for the run.
The machine may be shared: figures are the best of N alternating runs, ratios from those.
"""

import argparse
import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import time
import tracemalloc
import zipfile
from io import BytesIO
from types import SimpleNamespace

ESTE_MODULO = "benchmarks.bench_exportacao"
ESCRITORES = ("openpyxl", "xlsxwriter")


def configurar_django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
    django.setup()


def rss_atual_kb() -> int:
    with open("/proc/self/statm") as arquivo:
        paginas = int(arquivo.read().split()[1])
    return paginas * os.sysconf("SC_PAGE_SIZE") // 1024


def zerar_pico_rss() -> bool:
    """Reset the kernel's peak RSS (VmHWM) to the current RSS, so the peak is the export's own
    (getrusage's ru_maxrss also remembers start-up, which on this VM pages are reclaimed from)."""
    try:
        with open("/proc/self/clear_refs", "w") as arquivo:
            arquivo.write("5")
        return True
    except OSError:
        return False


def pico_rss_kb(zerado: bool) -> int:
    if zerado:
        with open("/proc/self/status") as arquivo:
            for linha in arquivo:
                if linha.startswith("VmHWM:"):
                    return int(linha.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


@contextlib.contextmanager
def escritor(nome: str):
    """relatorios.excel with the given writer in place (the exports look it up at call time)."""
    from benchmarks import escritor_openpyxl
    from relatorios import excel

    originais = excel.Planilha, excel.novo_livro, excel.salvar
    if nome == "openpyxl":
        excel.Planilha, excel.novo_livro, excel.salvar = (
            escritor_openpyxl.Planilha,
            escritor_openpyxl.novo_livro,
            escritor_openpyxl.salvar,
        )
    try:
        yield
    finally:
        excel.Planilha, excel.novo_livro, excel.salvar = originais


# ---------------------------------------------------------------- 1. writers alone, same rows


class Gravacao:
    """The calls an export makes on relatorios.excel, in order, to replay into any writer."""

    def __init__(self):
        self.eventos: list[tuple] = []
        self.linhas = 0

    def planilha_gravadora(self):
        gravacao = self

        class Gravadora:
            def __init__(self, livro, *args, **kwargs):
                self.indice = sum(1 for evento in gravacao.eventos if evento[0] == "aba")
                gravacao.eventos.append(("aba", args, kwargs))
                self.linhas_dados = 0

            def linha(self, valores, nivel=0):
                gravacao.eventos.append(("linha", self.indice, valores, nivel))
                gravacao.linhas += 1
                self.linhas_dados += 1

            def fechar(self):
                gravacao.eventos.append(("fechar", self.indice))

        return Gravadora

    def primeiras(self, linhas: int) -> "Gravacao":
        """The same sheets with only the first rows."""
        parcial = Gravacao()
        for evento in self.eventos:
            if evento[0] == "linha":
                if parcial.linhas == linhas:
                    continue
                parcial.linhas += 1
            parcial.eventos.append(evento)
        return parcial


def gravar(chave: str) -> Gravacao:
    from relatorios import excel, exportacoes

    gravacao = Gravacao()
    originais = excel.Planilha, excel.novo_livro, excel.salvar
    excel.Planilha, excel.novo_livro, excel.salvar = (
        gravacao.planilha_gravadora(),
        SimpleNamespace,  # a book the recording sheets ignore (the export sets its progress callback on it)
        lambda livro: BytesIO(),
    )
    try:
        exportacoes.gerar(chave)
    finally:
        excel.Planilha, excel.novo_livro, excel.salvar = originais
    return gravacao


def reproduzir(gravacao: Gravacao):
    """Write the recorded rows with the writer now in relatorios.excel; returns the rewound file."""
    from relatorios import excel

    livro = excel.novo_livro()
    abas = []
    for evento in gravacao.eventos:
        if evento[0] == "linha":
            abas[evento[1]].linha(evento[2], evento[3])
        elif evento[0] == "aba":
            abas.append(excel.Planilha(livro, *evento[1], **evento[2]))
        else:
            abas[evento[1]].fechar()
    return excel.salvar(livro)


def medir_escrita(gravacao: Gravacao, nome: str, rastrear: bool) -> dict:
    with escritor(nome):
        if rastrear:
            tracemalloc.start()
        inicio, cpu = time.perf_counter(), time.process_time()
        arquivo = reproduzir(gravacao)
        segundos, cpu = time.perf_counter() - inicio, time.process_time() - cpu
        pico = tracemalloc.get_traced_memory()[1] if rastrear else None
        if rastrear:
            tracemalloc.stop()
    tamanho = os.fstat(arquivo.fileno()).st_size
    arquivo.close()
    return {"segundos": segundos, "cpu": cpu, "bytes": tamanho, "pico_heap_mb": pico / 2**20 if pico else None}


def so_escrita(chave: str, repeticoes: int, rastrear: bool) -> None:
    inicio = time.perf_counter()
    gravacao = gravar(chave)
    print(
        f"\n== 1. só a escrita ({milhar(gravacao.linhas)} linhas capturadas em {time.perf_counter() - inicio:.1f} s; "
        f"melhor de {repeticoes}, alternando, neste processo)",
        flush=True,
    )
    melhores: dict[str, dict] = {}
    for _ in range(repeticoes):
        for nome in ESCRITORES:
            medida = medir_escrita(gravacao, nome, rastrear=False)
            if nome not in melhores or medida["segundos"] < melhores[nome]["segundos"]:
                melhores[nome] = medida
    for nome in ESCRITORES:
        melhores[nome]["pico_heap_mb"] = (
            medir_escrita(gravacao, nome, rastrear=True)["pico_heap_mb"] if rastrear else None
        )
        imprimir(nome, gravacao.linhas, melhores[nome])
    imprimir_razao(melhores)
    if rastrear:
        # Constant memory: the heap peak hardly moves while the rows grow tenfold.
        decimo = gravacao.primeiras(gravacao.linhas // 10)
        picos = [
            f"{nome} {medir_escrita(decimo, nome, rastrear=True)['pico_heap_mb']:.2f} -> "
            f"{melhores[nome]['pico_heap_mb']:.2f} MiB"
            for nome in ESCRITORES
        ]
        print(f"  pico heap com {milhar(decimo.linhas)} -> {milhar(gravacao.linhas)} linhas: " + "; ".join(picos))


def milhar(numero: float) -> str:
    return f"{numero:,.0f}".replace(",", ".")


def imprimir(nome: str, linhas: int, medida: dict) -> None:
    partes = [
        f"  {nome:10s}: {linhas:>9,} linhas  {medida['segundos']:7.1f} s  {linhas / medida['segundos']:>7,.0f} linhas/s",
        f"CPU {medida['cpu']:6.1f} s ({linhas / medida['cpu']:>6,.0f} linhas/s)",
        f"arquivo {medida['bytes'] / 2**20:5.1f} MiB",
    ]
    if medida.get("pico_heap_mb") is not None:
        partes.append(f"pico heap {medida['pico_heap_mb']:6.1f} MiB")
    if medida.get("crescimento_rss_mb") is not None:
        partes.append(f"RSS +{medida['crescimento_rss_mb']:6.1f} MiB")
    print("  ".join(partes).replace(",", "."), flush=True)


def imprimir_razao(medidas: dict) -> None:
    velho, novo = medidas["openpyxl"], medidas["xlsxwriter"]
    razoes = [
        f"linhas/s {velho['segundos'] / novo['segundos']:.2f}x",
        f"linhas/s em CPU {velho['cpu'] / novo['cpu']:.2f}x",
        f"arquivo {novo['bytes'] / velho['bytes']:.2f}x",
    ]
    if velho.get("pico_heap_mb") and novo.get("pico_heap_mb"):
        razoes.append(f"pico heap {novo['pico_heap_mb'] / velho['pico_heap_mb']:.2f}x")
    print("  razões xlsxwriter/openpyxl: " + ", ".join(razoes), flush=True)


# ---------------------------------------------------------------- 2. the whole export, fresh processes


def medir_completa(chave: str, nome: str) -> dict:
    """Child process: one whole export with the given writer, measured."""
    from django.db import connection

    from relatorios import exportacoes

    connection.ensure_connection()
    zerado = zerar_pico_rss()
    rss_antes = rss_atual_kb()
    with escritor(nome):
        inicio, cpu = time.perf_counter(), time.process_time()
        exportacao = exportacoes.gerar(chave)
        segundos, cpu = time.perf_counter() - inicio, time.process_time() - cpu
    tamanho = os.fstat(exportacao.arquivo.fileno()).st_size
    exportacao.arquivo.close()
    pico_rss = pico_rss_kb(zerado)
    return {
        "segundos": segundos,
        "cpu": cpu,
        "linhas": exportacao.linhas,
        "bytes": tamanho,
        "crescimento_rss_mb": (pico_rss - rss_antes) / 1024,
    }


def completa(chave: str, repeticoes: int) -> None:
    print(
        f"\n== 2. exportação completa (consultas + linhas + escrita; processo novo a cada; melhor de {repeticoes})",
        flush=True,
    )
    melhores: dict[str, dict] = {}
    for _ in range(repeticoes):
        for nome in ESCRITORES:
            comando = [sys.executable, "-m", ESTE_MODULO, "--relatorio", chave, "--filho", nome]
            saida = subprocess.run(comando, check=True, capture_output=True, text=True)
            medida = json.loads(saida.stdout.strip().splitlines()[-1])
            anterior = melhores.get(nome)
            if anterior is None or medida["segundos"] < anterior["segundos"]:
                medida["crescimento_rss_mb"] = max(
                    medida["crescimento_rss_mb"], (anterior or medida)["crescimento_rss_mb"]
                )
                melhores[nome] = medida
            else:
                anterior["crescimento_rss_mb"] = max(anterior["crescimento_rss_mb"], medida["crescimento_rss_mb"])
    for nome in ESCRITORES:
        imprimir(nome, melhores[nome]["linhas"], melhores[nome])
    print("  (RSS: o maior crescimento entre as repetições)")
    imprimir_razao(melhores)


# ---------------------------------------------------------------- 3. same content?


def comparar(chave: str) -> None:
    from openpyxl import load_workbook

    gravacao = gravar(chave)
    conteudos = {}
    for nome in ESCRITORES:
        with escritor(nome):
            arquivo = reproduzir(gravacao)
        conteudos[nome] = arquivo.read()
        arquivo.close()
    print("\n== 3. comparação dos dois arquivos (openpyxl lê os dois)", flush=True)
    livros = {nome: load_workbook(BytesIO(conteudo)) for nome, conteudo in conteudos.items()}
    velho, novo = livros["openpyxl"], livros["xlsxwriter"]
    diferencas = []
    if velho.sheetnames != novo.sheetnames:
        diferencas.append(f"abas {velho.sheetnames} != {novo.sheetnames}")
    for aba in velho.sheetnames:
        diferencas += comparar_abas(aba, velho[aba], novo[aba])
    niveis = {nome: niveis_de_estrutura(conteudo) for nome, conteudo in conteudos.items()}
    if niveis["openpyxl"] != niveis["xlsxwriter"]:
        diferencas.append("níveis de estrutura (outlineLevel) diferentes")
    for diferenca in diferencas[:30]:
        print("  " + diferenca)
    print(f"  {len(diferencas)} diferença(s); {sum(len(n) for n in niveis['xlsxwriter'].values())} linhas com nível")


def comparar_abas(aba: str, ws_velho, ws_novo) -> list[str]:
    diferencas = []
    for atributo in ("max_row", "max_column", "freeze_panes"):
        if getattr(ws_velho, atributo) != getattr(ws_novo, atributo):
            diferencas.append(f"{aba}: {atributo} {getattr(ws_velho, atributo)} != {getattr(ws_novo, atributo)}")
    if ws_velho.auto_filter.ref != ws_novo.auto_filter.ref:
        diferencas.append(f"{aba}: filtro {ws_velho.auto_filter.ref} != {ws_novo.auto_filter.ref}")
    if ws_velho.sheet_properties.outlinePr != ws_novo.sheet_properties.outlinePr:
        diferencas.append(
            f"{aba}: outlinePr {ws_velho.sheet_properties.outlinePr} != {ws_novo.sheet_properties.outlinePr}"
        )
    if larguras(ws_velho) != larguras(ws_novo):
        diferencas.append(f"{aba}: larguras {larguras(ws_velho)} != {larguras(ws_novo)}")
    regras = [
        {
            (
                str(faixa.sqref),
                regra.formula[0],
                regra.dxf.fill.fgColor.rgb[-6:],
                bool(regra.dxf.font and regra.dxf.font.b),
            )
            for faixa in ws.conditional_formatting
            for regra in faixa.rules
        }
        for ws in (ws_velho, ws_novo)
    ]
    if regras[0] != regras[1]:
        diferencas.append(f"{aba}: formatação condicional {regras[0]} != {regras[1]}")
    for linha_velha, linha_nova in zip(ws_velho.iter_rows(), ws_novo.iter_rows()):
        for velha, nova in zip(linha_velha, linha_nova):
            if celula(velha) != celula(nova):
                diferencas.append(f"{aba}!{velha.coordinate}: {celula(velha)} != {celula(nova)}")
    return diferencas


def larguras(ws) -> dict[int, float]:
    """Width per column; XlsxWriter writes equal neighbours as one <col min max> range."""
    return {
        indice: dimensao.width
        for dimensao in ws.column_dimensions.values()
        for indice in range(dimensao.min, dimensao.max + 1)
    }


def celula(c) -> tuple:
    formato = c.number_format if c.value is not None and not isinstance(c.value, str) else None
    cor = c.fill.fgColor.rgb[-6:] if c.fill.fill_type == "solid" else None
    return (c.value, formato, bool(c.font.b), bool(c.font.i), cor)


def niveis_de_estrutura(conteudo: bytes) -> dict[str, list]:
    """Row outline levels read from the sheets' XML (openpyxl's row_dimensions need a full load)."""
    niveis = {}
    with zipfile.ZipFile(BytesIO(conteudo)) as pacote:
        for nome in sorted(n for n in pacote.namelist() if n.startswith("xl/worksheets/sheet")):
            xml = pacote.read(nome).decode()
            niveis[nome] = [
                (int(linha), int(nivel)) for linha, nivel in re.findall(r'<row r="(\d+)"[^>]*outlineLevel="(\d+)"', xml)
            ]
    return niveis


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--relatorio", default="carteira-detalhada")
    parser.add_argument("--repeticoes", type=int, default=3, help="alternating runs of each writer; the best counts")
    parser.add_argument("--sem-tracemalloc", action="store_true", help="skip the (slow) traced runs")
    parser.add_argument("--sem-escrita", action="store_true", help="skip the writers-alone runs (1.)")
    parser.add_argument("--sem-completa", action="store_true", help="skip the whole-export runs (2.)")
    parser.add_argument("--comparar", action="store_true", help="compare the two files cell by cell (slow)")
    parser.add_argument("--filho", help=argparse.SUPPRESS)
    args = parser.parse_args()
    configurar_django()
    if args.filho:
        print(json.dumps(medir_completa(args.relatorio, args.filho)))
        return
    from django.db import connection

    print(f"banco: {connection.vendor} {connection.settings_dict['NAME']}; relatório: {args.relatorio}", flush=True)
    if not args.sem_escrita:
        so_escrita(args.relatorio, args.repeticoes, not args.sem_tracemalloc)
    if not args.sem_completa:
        completa(args.relatorio, args.repeticoes)
    if args.comparar:
        comparar(args.relatorio)


if __name__ == "__main__":
    main()
