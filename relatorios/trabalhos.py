"""The Excel exports as background jobs (core.trabalhos): one kind per report, so a user may
have one export of each report running. Used above RELATORIOS_LINHAS_FUNDO rows."""

from datetime import date
from types import SimpleNamespace

from django.http import QueryDict

from core.formatos import milhar
from core.periodo import Periodo
from core.trabalhos import ErroTrabalho, Resultado, Tipo, registrar
from estoque.filtros import SaldoEstoqueFilter
from relatorios import exportacao_saldo, exportacoes

PREFIXO = "exportacao:"
SALDO = f"{PREFIXO}saldo-estoque"


def nome_do_tipo(chave: str) -> str:
    return f"{PREFIXO}{chave}"


def parametros(chave: str, periodo: Periodo) -> dict:
    return {
        "relatorio": chave,
        "de": periodo.de.isoformat() if periodo.de else None,
        "ate": periodo.ate.isoformat() if periodo.ate else None,
    }


def exportar(trabalho, progresso) -> Resultado:
    dados = trabalho.parametros
    chave = dados["relatorio"]
    periodo = Periodo(
        date.fromisoformat(dados["de"]) if dados.get("de") else None,
        date.fromisoformat(dados["ate"]) if dados.get("ate") else None,
    )
    progresso(0, exportacoes.contar(chave, periodo), "Contando as linhas")
    progresso(0, None, "Gerando a planilha")
    exportacao = exportacoes.gerar(chave, periodo, avancar=progresso)
    progresso(exportacao.linhas, exportacao.linhas, "Planilha pronta")
    linhas = milhar(exportacao.linhas)
    return Resultado(
        resumo=f"{exportacoes.RELATORIOS[chave].titulo}: {linhas} linha(s) de dados.",
        arquivo=exportacao.arquivo,
        arquivo_nome=exportacao.nome_arquivo,
    )


def filtro_saldo(filtros: dict[str, list[str]], usuario) -> SaldoEstoqueFilter:
    """The /estoque/ list's filter from its query string, for `usuario` (what they may see)."""
    dados = QueryDict(mutable=True)
    for nome, valores in filtros.items():
        dados.setlist(nome, valores)
    return SaldoEstoqueFilter(dados, request=SimpleNamespace(user=usuario))


def exportar_saldo(trabalho, progresso) -> Resultado:
    filtro = filtro_saldo(trabalho.parametros["filtros"], trabalho.usuario)
    if not filtro.is_valid():
        raise ErroTrabalho("Filtro inválido: peça a exportação de novo a partir da lista de saldo.")
    progresso(0, filtro.qs.count(), "Gerando a planilha")
    exportacao = exportacao_saldo.gerar(filtro, trabalho.usuario, avancar=progresso)
    progresso(exportacao.linhas, exportacao.linhas, "Planilha pronta")
    linhas = milhar(exportacao.linhas)
    return Resultado(
        resumo=f"{exportacao_saldo.TITULO}: {linhas} produto(s).",
        arquivo=exportacao.arquivo,
        arquivo_nome=exportacao.nome_arquivo,
    )


def registrar_tipos():
    for chave, relatorio in exportacoes.RELATORIOS.items():
        registrar(Tipo(nome_do_tipo(chave), f"Exportação: {relatorio.titulo}", exportar))
    registrar(Tipo(SALDO, f"Exportação: {exportacao_saldo.TITULO}", exportar_saldo))
