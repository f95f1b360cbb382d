"""gerar_dados_demo: deterministic, at the users' proportions, consistent with the engine.

The generator writes with raw COPY/executemany and TRUNCATE/DELETE, all inside one
transaction, so the ordinary (rolled back) test transaction isolates it on both databases.
"""

import hashlib
from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import timezone

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from demo import gerador as demo
from embarques.models import ERRO_NF_PENDENTE, Embarque, EmbarqueItem
from estoque.models import CadastroPalletizacao, EstoqueTempoReal, MovimentacaoEstoque, UnificacaoCodigos
from estoque.services.reconciliacao import todos_os_codigos, verificar
from estoque.services.unificacao import resolver_principais
from producao.models import ProgramacaoProducao
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db

PEQUENA = 0.05
SEM_IMPRESSAO = {"id", "criado_em", "atualizado_em"}


def impressao_digital() -> dict[str, str]:
    """A hash per source table of every row, without auto ids and timestamps."""
    resultado = {}
    for model in demo.FONTES:
        campos = [f.attname for f in model._meta.concrete_fields if f.name not in SEM_IMPRESSAO]
        campos = ["embarque__numero" if campo == "embarque_id" else campo for campo in campos]
        linhas = sorted(repr(linha) for linha in model._base_manager.values_list(*campos))
        resultado[model._meta.db_table] = hashlib.sha256("\n".join(linhas).encode()).hexdigest()
    return resultado


def lotes_faturados() -> set[str]:
    """Lotes the engine treats as invoiced: a matched embarque item, or every line invoiced."""
    casados = EmbarqueItem.objects.faturados()
    separacoes = Separacao.objects.filter(Q(sincronizado_nf=True) | Q(status__in=Separacao.FATURADOS))
    return set(casados.values_list("separacao_lote_id", flat=True)) | set(
        separacoes.values_list("separacao_lote_id", flat=True)
    )


def test_mesma_semente_gera_os_mesmos_dados():
    demo.gerar(PEQUENA)
    primeira = impressao_digital()
    demo.gerar(PEQUENA, limpar_antes=True)
    assert impressao_digital() == primeira
    demo.gerar(PEQUENA, semente=7, limpar_antes=True)
    outra = impressao_digital()
    assert outra[MovimentacaoEstoque._meta.db_table] != primeira[MovimentacaoEstoque._meta.db_table]
    assert outra[CarteiraPrincipal._meta.db_table] != primeira[CarteiraPrincipal._meta.db_table]


def test_volumes_proporcionais_a_escala():
    escala = 0.2
    demo.gerar(escala)
    hoje = timezone.localdate()
    assert CadastroPalletizacao.objects.count() == 600 * escala
    assert UnificacaoCodigos.objects.count() == 20 * escala
    dias = demo.DIAS_HISTORICO + 1
    movimentacoes = MovimentacaoEstoque.objects.count()
    assert 0.97 * 500 * escala * dias < movimentacoes < 1.06 * 500 * escala * dias
    assert MovimentacaoEstoque.objects.filter(ativo=False).exists()
    assert set(MovimentacaoEstoque.objects.values_list("tipo_movimentacao", flat=True).distinct()) == set(
        MovimentacaoEstoque.Tipo.values
    )
    datas = MovimentacaoEstoque.objects.values_list("data_movimentacao", flat=True)
    assert min(datas) == hoje - timedelta(days=365) and max(datas) <= hoje
    assert CarteiraPrincipal.objects.values("num_pedido").distinct().count() == 300 * escala
    assert CarteiraPrincipal.objects.filter(origem="MANUAL", odoo_line_id__isnull=True).exists()
    assert CarteiraPrincipal.objects.filter(origem="ODOO", odoo_line_id__isnull=True).count() == 0

    faturados = lotes_faturados()
    ativos = Separacao.objects.exclude(separacao_lote_id__in=faturados)
    lotes_ativos = ativos.values("separacao_lote_id").distinct().count()
    assert lotes_ativos == 50 * escala
    assert 8 <= ativos.count() / lotes_ativos <= 22
    assert set(ativos.values_list("status", flat=True).distinct()) <= {"ABERTO", "COTADO", "EMBARCADO"}
    expedicoes = ativos.values_list("expedicao", flat=True)
    assert hoje - timedelta(days=2) <= min(expedicoes) and max(expedicoes) <= hoje + timedelta(days=20)
    pre = PreSeparacaoItem.objects.filter(status__in=PreSeparacaoItem.ATIVOS)
    grupos = pre.values("num_pedido", "data_expedicao_editada").distinct().count()
    assert grupos == 50 * escala
    assert 8 <= pre.count() / grupos <= 22
    assert Separacao.objects.filter(status="FATURADO", sincronizado_nf=True).exclude(numero_nf="").exists()

    programadas = ProgramacaoProducao.objects.values_list("data_programacao", flat=True)
    assert min(programadas) >= hoje and max(programadas) <= hoje + timedelta(days=27)
    assert Embarque.objects.exists()


def test_unificacao_tem_cadeia_e_codigos_nao_numericos():
    demo.gerar(PEQUENA)
    pares = list(UnificacaoCodigos.objects.filter(ativo=True).values_list("codigo_origem", "codigo_destino"))
    destino_de = dict(pares)
    cadeias = [(a, b, destino_de[b]) for a, b in pares if b in destino_de]
    assert cadeias, "falta uma cadeia A->B->C"
    a, b, c = cadeias[0]
    assert len(set(resolver_principais([a, b, c]).values())) == 1
    assert any(not cod.isdigit() for par in pares for cod in par)
    com_movimento = set(
        MovimentacaoEstoque.objects.filter(cod_produto__in=[a, b, c]).values_list("cod_produto", flat=True)
    )
    assert len(com_movimento) >= 2
    assert set(CadastroPalletizacao.objects.values_list("cod_produto", flat=True)) >= {a, b, c}


def test_alocacoes_nao_excedem_a_linha_da_carteira():
    demo.gerar(PEQUENA)
    linhas = {
        (p, c): (qtd, saldo, cancelada)
        for p, c, qtd, saldo, cancelada in CarteiraPrincipal.objects.values_list(
            "num_pedido",
            "cod_produto",
            "qtd_produto_pedido",
            "qtd_saldo_produto_pedido",
            "qtd_cancelada_produto_pedido",
        )
    }
    faturados = lotes_faturados()
    ativo, faturado = defaultdict(int), defaultdict(int)
    for p, c, qtd in PreSeparacaoItem.objects.filter(status__in=PreSeparacaoItem.ATIVOS).values_list(
        "num_pedido", "cod_produto", "qtd_selecionada_usuario"
    ):
        ativo[(p, c)] += qtd
    for lote, p, c, qtd in Separacao.objects.values_list("separacao_lote_id", "num_pedido", "cod_produto", "qtd_saldo"):
        (faturado if lote in faturados else ativo)[(p, c)] += qtd
    referenciadas = set(PreSeparacaoItem.objects.values_list("num_pedido", "cod_produto"))
    assert referenciadas | set(ativo) | set(faturado) <= set(linhas)
    for chave, qtd in ativo.items():
        assert qtd <= linhas[chave][1], chave
    for chave, qtd in faturado.items():
        total, saldo, cancelada = linhas[chave]
        assert qtd <= total - saldo - cancelada, chave


def test_embarques_faturados_e_pendentes():
    demo.gerar(PEQUENA)
    itens = EmbarqueItem.objects.filter(status="ATIVO")
    pendentes = itens.filter(erro_validacao=ERRO_NF_PENDENTE)
    faturados = itens.exclude(erro_validacao=ERRO_NF_PENDENTE)
    assert pendentes.exists() and faturados.exists()
    assert not pendentes.exclude(nota_fiscal="").exists()
    assert not faturados.filter(nota_fiscal="").exists()
    assert set(faturados.values_list("erro_validacao", flat=True)) <= {None, ""}
    notas = set(faturados.values_list("nota_fiscal", flat=True))
    faturamentos = MovimentacaoEstoque.objects.filter(tipo_movimentacao="FATURAMENTO", separacao_lote_id__gt="")
    assert notas <= set(faturamentos.values_list("numero_nf", flat=True))


def test_derivadas_iguais_ao_recalculo_e_com_rupturas():
    demo.gerar(PEQUENA)
    principais = sorted(set(resolver_principais(todos_os_codigos()).values()))
    assert verificar(principais, corrigir=False) == {}
    assert diferencas_com_derivados(historico=False) == []  # demo rows are written around the ORM: no history
    estoques = EstoqueTempoReal.objects
    assert estoques.filter(dia_ruptura__isnull=False).exists()
    assert estoques.filter(saldo_atual__gt=0).count() > 0.7 * estoques.count()
    assert not estoques.filter(saldo_atual__lt=0).exists()


def test_comando_recusa_banco_com_dados_sem_limpar(capsys):
    call_command("gerar_dados_demo", escala=PEQUENA)
    saida = capsys.readouterr().out
    assert "movimentações de estoque" in saida and "100%" in saida
    with pytest.raises(CommandError, match="--limpar"):
        call_command("gerar_dados_demo", escala=PEQUENA)
    antes = impressao_digital()
    call_command("gerar_dados_demo", escala=PEQUENA, limpar=True)
    assert impressao_digital() == antes
    with pytest.raises(CommandError, match="maior que zero"):
        call_command("gerar_dados_demo", escala=0, limpar=True)


def test_datas_da_demonstracao_dentro_da_janela_de_datas():
    """Every date the users' rule bounds (core.limites) stays inside the window in the demo data."""
    from django.db.models import Max, Min

    from core.limites import janela_de_datas, validar_data_negocio

    demo.gerar(PEQUENA)
    inicio, fim = janela_de_datas()
    verificados = 0
    for model in demo.FONTES:
        for campo in model._meta.concrete_fields:
            if validar_data_negocio not in campo.validators:
                continue
            extremos = model._base_manager.aggregate(menor=Min(campo.name), maior=Max(campo.name))
            if extremos["menor"] is None:
                continue
            verificados += 1
            assert inicio <= extremos["menor"] and extremos["maior"] <= fim, (model.__name__, campo.name, extremos)
    assert verificados >= 8
