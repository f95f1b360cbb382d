"""Invoicing a lote: stock down once, forecast outflow gone once, carteira reduced by what was invoiced,
and every step reversible exactly. After each operation the derived tables equal the oracle."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from carteira.models import CarteiraPrincipal, Separacao
from carteira.selectors import saldo_livre
from embarques.faturamento import cancelar_faturamento, registrar_faturamento
from embarques.models import EmbarqueItem, FaturamentoItem, FaturamentoLote
from estoque.models import EstoqueTempoReal, LoteFaturado, MovimentacaoEstoque, MovimentacaoPrevista
from estoque.services import operacoes
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
D = Decimal


def saldo(cod):
    return EstoqueTempoReal.objects.get(cod_produto=cod).saldo_atual


def saida_prevista(cod):
    return sum(MovimentacaoPrevista.objects.filter(cod_produto=cod).values_list("saida_prevista", flat=True), D(0))


def linha(cod):
    return CarteiraPrincipal.objects.get(num_pedido="PED1", cod_produto=cod)


def livre(cod):
    return saldo_livre(linha(cod))


def status_lote():
    return set(Separacao.objects.filter(separacao_lote_id="L1").values_list("status", flat=True))


def test_estado_antes_do_faturamento(lote_embarcado):
    assert (saldo("A"), saida_prevista("A")) == (D(200), D(30))
    assert (livre("A"), livre("B")) == (D(70), D(30))
    assert status_lote() == {"EMBARCADO"}
    assert diferencas_com_derivados() == []


def test_registrar_baixa_estoque_e_previsao_uma_vez_e_a_carteira(lote_embarcado):
    _, item = lote_embarcado
    r = registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123", usuario="ana")
    assert r.criado
    assert (saldo("A"), saldo("B")) == (D(170), D(80))
    assert (saida_prevista("A"), saida_prevista("B")) == (D(0), D(0))
    assert (linha("A").qtd_saldo_produto_pedido, linha("B").qtd_saldo_produto_pedido) == (D(70), D(30))
    assert (livre("A"), livre("B")) == (D(70), D(30))  # what was free stays free
    assert status_lote() == {"FATURADO"}
    item.refresh_from_db()
    assert (item.nota_fiscal, item.erro_validacao) == ("123", "")
    assert LoteFaturado.objects.filter(separacao_lote_id="L1").exists()
    movs = MovimentacaoEstoque.objects.filter(tipo_movimentacao="FATURAMENTO").order_by("cod_produto")
    assert [(m.cod_produto, m.qtd_movimentacao, m.numero_nf, m.separacao_lote_id, m.num_pedido) for m in movs] == [
        ("A", D(-30), "123", "L1", "PED1"),
        ("B", D(-20), "123", "L1", "PED1"),
    ]
    assert "NF 123" in movs[0].observacao and "lote L1" in movs[0].observacao
    assert set(Separacao.objects.filter(separacao_lote_id="L1").values_list("numero_nf", flat=True)) == {"123"}
    assert diferencas_com_derivados() == []


def test_mesma_nf_de_novo_nao_muda_nada_e_avisa(lote_embarcado):
    primeiro = registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123")
    segundo = registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123", quantidades={"A": D(1)})
    assert not segundo.criado and segundo.faturamento.pk == primeiro.faturamento.pk
    assert "já está registrada" in segundo.mensagem
    assert MovimentacaoEstoque.objects.filter(tipo_movimentacao="FATURAMENTO").count() == 2
    assert (saldo("A"), linha("A").qtd_saldo_produto_pedido) == (D(170), D(70))
    assert diferencas_com_derivados() == []


def test_outra_nf_no_lote_faturado_e_recusada(lote_embarcado):
    registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123")
    with pytest.raises(ValidationError, match="já está faturado com a NF 123"):
        registrar_faturamento(separacao_lote_id="L1", nota_fiscal="999")
    assert FaturamentoLote.objects.count() == 1 and saldo("A") == D(170)


def test_cancelar_nf_desfaz_exatamente(lote_embarcado):
    _, item = lote_embarcado
    registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123")
    fat = cancelar_faturamento(separacao_lote_id="L1", nota_fiscal="123", usuario="ana")
    assert fat.status == "CANCELADO" and fat.cancelado_em is not None and fat.cancelado_por == "ana"
    assert (saldo("A"), saldo("B")) == (D(200), D(100))
    assert (saida_prevista("A"), saida_prevista("B")) == (D(30), D(20))
    assert (linha("A").qtd_saldo_produto_pedido, linha("B").qtd_saldo_produto_pedido) == (D(100), D(50))
    assert (livre("A"), livre("B")) == (D(70), D(30))
    assert status_lote() == {"EMBARCADO"}
    item.refresh_from_db()
    assert (item.nota_fiscal, item.erro_validacao) == ("", "NF_PENDENTE_FATURAMENTO")
    # cancelled, never deleted
    assert list(
        MovimentacaoEstoque.objects.filter(tipo_movimentacao="FATURAMENTO").values_list("ativo", flat=True)
    ) == [
        False,
        False,
    ]
    assert diferencas_com_derivados() == []


def test_cancelar_e_faturar_de_novo_baixa_uma_vez(lote_embarcado):
    registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123")
    cancelar_faturamento(separacao_lote_id="L1")
    r = registrar_faturamento(separacao_lote_id="L1", nota_fiscal="124")
    assert r.criado
    assert (saldo("A"), saida_prevista("A"), linha("A").qtd_saldo_produto_pedido) == (D(170), D(0), D(70))
    assert FaturamentoLote.objects.filter(status="ATIVO").get().nota_fiscal == "124"
    assert MovimentacaoEstoque.objects.filter(tipo_movimentacao="FATURAMENTO", ativo=True).count() == 2
    assert diferencas_com_derivados() == []


def test_faturamento_parcial_devolve_o_resto_ao_saldo_livre(lote_embarcado):
    registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123", quantidades={"A": D("25.5"), "B": D(0)})
    assert (saldo("A"), saldo("B")) == (D("174.5"), D(100))
    assert (saida_prevista("A"), saida_prevista("B")) == (D(0), D(0))
    assert (linha("A").qtd_saldo_produto_pedido, linha("B").qtd_saldo_produto_pedido) == (D("74.5"), D(50))
    assert (livre("A"), livre("B")) == (D("74.5"), D(50))  # 4,5 of A and all 20 of B back to the order
    itens = {i.cod_produto: i for i in FaturamentoItem.objects.all()}
    assert (itens["B"].qtd_faturada, itens["B"].movimentacao_id) == (D(0), None)
    assert diferencas_com_derivados() == []
    cancelar_faturamento(separacao_lote_id="L1")
    assert (saldo("A"), linha("A").qtd_saldo_produto_pedido, livre("A"), livre("B")) == (D(200), D(100), D(70), D(30))
    assert diferencas_com_derivados() == []


def test_baixa_da_carteira_limitada_ao_saldo_e_estorno_exato(lote_embarcado):
    CarteiraPrincipal.objects.filter(num_pedido="PED1", cod_produto="A").update(qtd_saldo_produto_pedido=D(10))
    registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123")
    assert linha("A").qtd_saldo_produto_pedido == D(0)
    assert FaturamentoItem.objects.get(cod_produto="A").qtd_baixada_carteira == D(10)
    cancelar_faturamento(separacao_lote_id="L1")
    assert linha("A").qtd_saldo_produto_pedido == D(10)


@pytest.mark.parametrize(
    ("quantidades", "mensagem"),
    [
        ({"A": D(31)}, "não se fatura 31"),
        ({"A": D(-1)}, "negativa"),
        ({"Z": D(1)}, "fora do lote"),
        ({"A": D(0), "B": D(0)}, "Nenhuma quantidade"),
        ({"A": D("1.0001")}, "3 casas"),
    ],
)
def test_quantidades_invalidas_nao_gravam_nada(lote_embarcado, quantidades, mensagem):
    with pytest.raises(ValidationError, match=mensagem):
        registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123", quantidades=quantidades)
    assert (FaturamentoLote.objects.count(), saldo("A"), status_lote()) == (0, D(200), {"EMBARCADO"})
    assert diferencas_com_derivados() == []


def test_so_fatura_lote_embarcado_e_em_embarque(db):
    f.produto("A")
    f.separacao("A", 5, lote="L9")
    with pytest.raises(ValidationError, match="não está em nenhum embarque"):
        registrar_faturamento(separacao_lote_id="L9", nota_fiscal="1")
    from embarques import services

    emb = services.criar_embarque()
    services.adicionar_lote(emb.pk, "L9")
    with pytest.raises(ValidationError, match="COTADO: só se fatura um lote EMBARCADO"):
        registrar_faturamento(separacao_lote_id="L9", nota_fiscal="1")


def test_cancelar_sem_nf_ou_com_outra_nf_e_recusado(lote_embarcado):
    with pytest.raises(ValidationError, match="não tem NF registrada"):
        cancelar_faturamento(separacao_lote_id="L1")
    registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123")
    with pytest.raises(ValidationError, match="não com a 999"):
        cancelar_faturamento(separacao_lote_id="L1", nota_fiscal="999")
    assert saldo("A") == D(170)


def test_movimentacao_do_faturamento_so_se_cancela_pela_nf(lote_embarcado):
    registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123")
    mov = MovimentacaoEstoque.objects.get(tipo_movimentacao="FATURAMENTO", cod_produto="A")
    with pytest.raises(ValidationError, match="cancele a NF"):
        operacoes.cancelar_movimentacao(mov.pk)
    with pytest.raises(ValidationError, match="cancele a NF"):
        operacoes.editar_movimentacao(mov.pk, {"qtd_movimentacao": D(-1)})
    cancelar_faturamento(separacao_lote_id="L1")
    with pytest.raises(ValidationError, match="cancele a NF"):
        operacoes.reativar_movimentacao(mov.pk)
    assert saldo("A") == D(200)
    assert diferencas_com_derivados() == []


def test_item_continua_o_mesmo(lote_embarcado):
    _, item = lote_embarcado
    registrar_faturamento(separacao_lote_id="L1", nota_fiscal="123")
    assert EmbarqueItem.objects.get().pk == item.pk
