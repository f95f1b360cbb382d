"""Order assembly by lote (carteira.montagem): create, simulate, edit, remove, cancel, confirm.

After every operation the derived tables equal the oracle's recomputation from the sources."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from carteira import montagem, services
from carteira.models import PreSeparacaoItem, Separacao
from carteira.montagem import ItemLote
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db

D = Decimal


def item(cod, qtd, k=2, **extra):
    return ItemLote(cod_produto=cod, qtd=D(str(qtd)), data_expedicao=f.dia(k), **extra)


@pytest.fixture
def pedido():
    """PED1: A (100 in stock, 40 ordered), B (10 in stock, 30 ordered, 5 already pre-separated), C (none)."""
    for cod in "ABC":
        f.produto(cod, palletizacao="10", peso_bruto="2")
    f.movimento("A", 100)
    f.movimento("B", 10)
    f.linha_carteira("PED1", "A", 40, preco="2.50")
    f.linha_carteira("PED1", "B", 30)
    f.linha_carteira("PED1", "C", 8)
    f.pre_separacao("B", 5, k=1)


def test_criar_lote_grava_todos_os_itens_com_o_mesmo_lote(pedido):
    lote, pres = montagem.criar_lote_pre_separacao(
        "PED1", [item("A", 40, protocolo="P-1", agendamento=f.dia(3)), item("B", 25, k=3)], usuario="ana"
    )
    assert lote.startswith("LOTE-")
    guardadas = PreSeparacaoItem.objects.filter(separacao_lote_id=lote).order_by("cod_produto")
    assert [(p.cod_produto, p.qtd_selecionada_usuario, p.criado_por) for p in guardadas] == [
        ("A", D("40"), "ana"),
        ("B", D("25"), "ana"),
    ]
    assert guardadas[0].protocolo_editado == "P-1" and guardadas[0].data_agendamento_editada == f.dia(3)
    assert guardadas[1].data_expedicao_editada == f.dia(3)
    assert diferencas_com_derivados() == []


def test_lotes_diferentes_tem_ids_diferentes(pedido):
    lote1, _ = montagem.criar_lote_pre_separacao("PED1", [item("A", 10)])
    lote2, _ = montagem.criar_lote_pre_separacao("PED1", [item("A", 10)])
    assert lote1 != lote2


def test_quantidade_acima_do_saldo_livre_e_recusada_nomeando_a_linha_e_nada_e_gravado(pedido):
    # B: 30 ordered, 5 already pre-separated: 25 free.
    with pytest.raises(ValidationError) as erro:
        montagem.criar_lote_pre_separacao("PED1", [item("A", 10), item("B", 26)])
    mensagens = erro.value.message_dict["itens"]
    assert len(mensagens) == 1
    assert "Produto B" in mensagens[0] and "26" in mensagens[0] and "(25)" in mensagens[0]
    assert not PreSeparacaoItem.objects.exclude(separacao_lote_id="").exists()  # A not written either
    assert diferencas_com_derivados() == []


def test_produto_fora_do_pedido_e_recusado(pedido):
    f.produto("Z")
    with pytest.raises(ValidationError) as erro:
        montagem.criar_lote_pre_separacao("PED1", [item("A", 1), item("Z", 1)])
    assert "produto Z" in erro.value.message_dict["itens"][0]
    assert not PreSeparacaoItem.objects.filter(cod_produto="A").exists()


@pytest.mark.parametrize(
    ("itens", "texto"),
    [
        ([], "ao menos um produto"),
        ([item("A", 1), item("A", 2)], "duas vezes"),
        ([item("A", 0)], "maior que zero"),
        ([item("A", 1, k=365 * 3)], "Produto A:"),
    ],
)
def test_entrada_invalida_e_recusada(pedido, itens, texto):
    with pytest.raises(ValidationError) as erro:
        montagem.criar_lote_pre_separacao("PED1", itens)
    assert texto in " ".join(erro.value.messages)
    assert not PreSeparacaoItem.objects.filter(cod_produto="A").exists()


def test_envio_com_numeros_velhos_e_recusado(pedido):
    # The page showed B free = 25; meanwhile someone pre-separated 10 more.
    f.pre_separacao("B", 10, k=1)
    with pytest.raises(ValidationError) as erro:
        montagem.criar_lote_pre_separacao("PED1", [item("A", 5), item("B", 5)], vistos={"A": D("40"), "B": D("25")})
    mensagem = erro.value.message_dict["vistos"][0]
    assert mensagem.startswith("Os números do pedido mudaram desde que a página foi aberta")
    assert "produto B" in mensagem and "recarregue" in mensagem and "produto A" not in mensagem
    assert PreSeparacaoItem.objects.filter(cod_produto="B").count() == 2
    assert not PreSeparacaoItem.objects.filter(cod_produto="A").exists()


def test_envio_com_numeros_atuais_passa(pedido):
    lote, pres = montagem.criar_lote_pre_separacao("PED1", [item("B", 25)], vistos={"B": D("25")})
    assert len(pres) == 1 and pres[0].separacao_lote_id == lote


def test_simular_nao_grava_e_avisa_ruptura(pedido):
    antes = PreSeparacaoItem.objects.count()
    # A: 100 in stock, nothing else: 40 leaves D+2 -> menor D+7 60, no stock-out.
    # B: 10 in stock, 5 pre-separated at D+1 -> menor 5; 20 more at D+2 -> -15: creates a stock-out.
    simulacao = {s.cod_produto: s for s in montagem.simular_lote("PED1", [item("A", 40), item("B", 20)])}
    assert PreSeparacaoItem.objects.count() == antes
    a, b = simulacao["A"], simulacao["B"]
    assert (a.menor_estoque_d7_antes, a.menor_estoque_d7_depois, a.cria_ruptura) == (D("100"), D("60"), False)
    assert a.avisos == []
    assert (b.menor_estoque_d7_antes, b.menor_estoque_d7_depois) == (D("5"), D("-15"))
    assert b.cria_ruptura and b.dia_ruptura_depois == f.dia(2)
    assert b.avisos == ["cria ruptura em D0..D7"]


def test_simular_soma_codigos_do_mesmo_grupo_e_avisa_saldo_livre(pedido):
    f.produto("A2")
    f.unificar("A2", "A")
    f.linha_carteira("PED1", "A2", 10)
    simulacao = {s.cod_produto: s for s in montagem.simular_lote("PED1", [item("A", 50), item("A2", 10, k=3)])}
    assert simulacao["A"].menor_estoque_d7_depois == simulacao["A2"].menor_estoque_d7_depois == D("40")
    assert simulacao["A"].avisos == ["quantidade maior que o saldo livre (40)"]


def test_editar_e_remover_item_do_lote(pedido):
    lote, pres = montagem.criar_lote_pre_separacao("PED1", [item("A", 10), item("B", 5)])
    a, b = sorted(pres, key=lambda p: p.cod_produto)
    services.editar_pre_separacao(a.pk, {"qtd_selecionada_usuario": D("40"), "data_expedicao_editada": f.dia(5)})
    a.refresh_from_db()
    assert (a.qtd_selecionada_usuario, a.data_expedicao_editada, a.separacao_lote_id) == (D("40"), f.dia(5), lote)
    assert diferencas_com_derivados() == []
    with pytest.raises(ValidationError):
        services.editar_pre_separacao(a.pk, {"qtd_selecionada_usuario": D("41")})
    services.excluir_pre_separacao(b.pk)
    assert list(montagem.itens_ativos(lote)) == [a]
    assert diferencas_com_derivados() == []


def test_cancelar_lote_remove_os_itens_ativos(pedido):
    lote, _ = montagem.criar_lote_pre_separacao("PED1", [item("A", 10), item("B", 5)])
    outro, _ = montagem.criar_lote_pre_separacao("PED1", [item("A", 7)])
    assert montagem.cancelar_lote(lote) == 2
    assert not PreSeparacaoItem.objects.filter(separacao_lote_id=lote).exists()
    assert PreSeparacaoItem.objects.filter(separacao_lote_id=outro).count() == 1
    assert diferencas_com_derivados() == []
    with pytest.raises(ValidationError) as erro:
        montagem.cancelar_lote(lote)
    assert "não tem pré-separações ativas" in erro.value.message_dict["lote"][0]


def test_confirmar_lote_cria_separacoes_com_o_mesmo_lote(pedido):
    lote, _ = montagem.criar_lote_pre_separacao(
        "PED1", [item("A", 40, protocolo="P9", agendamento=f.dia(4)), item("B", 20, k=3)]
    )
    separacoes = montagem.confirmar_lote(lote)
    assert {s.separacao_lote_id for s in separacoes} == {lote}
    guardadas = {s.cod_produto: s for s in Separacao.objects.filter(num_pedido="PED1")}
    assert set(guardadas) == {"A", "B"}
    a = guardadas["A"]
    assert (a.qtd_saldo, a.valor_saldo, a.peso, a.pallet) == (D("40"), D("100.00"), D("80"), D("4"))
    assert (a.expedicao, a.agendamento, a.protocolo, a.status) == (f.dia(2), f.dia(4), "P9", "ABERTO")
    assert guardadas["B"].expedicao == f.dia(3)
    assert set(PreSeparacaoItem.objects.filter(separacao_lote_id=lote).values_list("status", flat=True)) == {
        "ENVIADO_SEPARACAO"
    }
    assert diferencas_com_derivados() == []
    with pytest.raises(ValidationError):
        montagem.confirmar_lote(lote)  # nothing left to confirm
    with pytest.raises(ValidationError):
        montagem.cancelar_lote(lote)  # a confirmed lote is the separação's now
    assert Separacao.objects.filter(separacao_lote_id=lote).count() == 2


def test_confirmar_sem_lote_e_recusado(pedido):
    with pytest.raises(ValidationError):
        montagem.confirmar_lote("")  # single-item pré-separações have no lote: confirmed one by one
    assert not Separacao.objects.exists()


def test_item_confirmado_nao_e_editado_nem_removido(pedido):
    lote, pres = montagem.criar_lote_pre_separacao("PED1", [item("A", 10)])
    montagem.confirmar_lote(lote)
    with pytest.raises(ValidationError):
        services.editar_pre_separacao(pres[0].pk, {"qtd_selecionada_usuario": D("5")})
    with pytest.raises(ValidationError):
        services.excluir_pre_separacao(pres[0].pk)
