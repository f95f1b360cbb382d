"""Embarque lifecycle: the separações move only along ABERTO → COTADO → EMBARCADO → FATURADO."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from carteira.models import Separacao
from embarques import ciclo, services
from embarques.faturamento import registrar_faturamento
from embarques.models import Embarque, EmbarqueItem
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db


def status(lote):
    return set(Separacao.objects.filter(separacao_lote_id=lote).values_list("status", flat=True))


@pytest.fixture
def lotes(db):
    f.produto("A")
    f.movimento("A", 100)
    f.separacao("A", 10, lote="L1", pedido="PED1")
    f.separacao("A", 5, lote="L2", pedido="PED2")
    return services.criar_embarque(transportadora="TRANSP", data_prevista_embarque=f.dia(1))


@pytest.mark.parametrize(
    ("de", "para", "permitida"),
    [
        ("ABERTO", "COTADO", True),
        ("COTADO", "EMBARCADO", True),
        ("EMBARCADO", "FATURADO", True),
        ("FATURADO", "EMBARCADO", True),
        ("COTADO", "ABERTO", True),
        ("EMBARCADO", "ABERTO", True),
        ("ABERTO", "EMBARCADO", False),
        ("ABERTO", "FATURADO", False),
        ("COTADO", "FATURADO", False),
        ("FATURADO", "ABERTO", False),
        ("FATURADO", "COTADO", False),
        ("NF no CD", "EMBARCADO", False),
        ("EMBARCADO", "NF no CD", False),
    ],
)
def test_tabela_de_transicoes(de, para, permitida):
    assert ciclo.transicao_permitida(de, para) is permitida
    if not permitida:
        with pytest.raises(ValidationError, match=f"não pode passar de {de} para {para}"):
            ciclo.exigir_transicao(de, para)


def test_transicao_ilegal_nao_grava_nada(lotes):
    with pytest.raises(ValidationError, match="ABERTO para FATURADO"):
        ciclo.mudar_status("L1", "FATURADO")
    assert status("L1") == {"ABERTO"}


def test_numero_automatico_e_repetido_recusado(lotes):
    assert lotes.numero == 1
    assert services.criar_embarque().numero == 2
    with pytest.raises(ValidationError, match="Já existe o embarque 1"):
        services.criar_embarque(numero=1)


def test_adicionar_lote_cota_as_separacoes(lotes):
    item = services.adicionar_lote(lotes.pk, "L1")
    assert (item.num_pedido, item.status, item.erro_validacao, item.nota_fiscal) == (
        "PED1",
        "ATIVO",
        "NF_PENDENTE_FATURAMENTO",
        "",
    )
    assert status("L1") == {"COTADO"}
    assert diferencas_com_derivados() == []


def test_lote_em_outro_embarque_ativo_e_recusado(lotes):
    services.adicionar_lote(lotes.pk, "L1")
    outro = services.criar_embarque()
    with pytest.raises(ValidationError, match="já está no Embarque 1"):
        services.adicionar_lote(outro.pk, "L1")


def test_lote_inexistente_faturado_ou_cancelado_e_recusado(lotes):
    with pytest.raises(ValidationError, match="não tem separações"):
        services.adicionar_lote(lotes.pk, "NAO-EXISTE")
    f.separacao("A", 1, lote="L3", status="FATURADO")
    with pytest.raises(ValidationError, match="L3 está FATURADO"):
        services.adicionar_lote(lotes.pk, "L3")
    from django.utils import timezone

    f.separacao("A", 1, lote="L4", cancelado_em=timezone.now())
    with pytest.raises(ValidationError, match="não tem separações"):
        services.adicionar_lote(lotes.pk, "L4")


def test_remover_lote_volta_a_aberto_e_item_cancelado_nao_apagado(lotes):
    item = services.adicionar_lote(lotes.pk, "L1")
    services.remover_lote(item.pk)
    assert status("L1") == {"ABERTO"}
    assert EmbarqueItem.objects.get(pk=item.pk).status == "CANCELADO"
    with pytest.raises(ValidationError, match="já foi removido"):
        services.remover_lote(item.pk)
    # free again: another embarque takes it
    assert services.adicionar_lote(services.criar_embarque().pk, "L1").status == "ATIVO"


def test_marcar_embarcado(lotes):
    services.adicionar_lote(lotes.pk, "L1")
    services.adicionar_lote(lotes.pk, "L2")
    emb = services.marcar_embarcado(lotes.pk, f.dia(0))
    assert emb.data_embarque == f.hoje()
    assert status("L1") == status("L2") == {"EMBARCADO"}
    with pytest.raises(ValidationError, match="já foi embarcado"):
        services.marcar_embarcado(lotes.pk)
    with pytest.raises(ValidationError, match="não recebe lotes"):
        services.adicionar_lote(lotes.pk, "L9")


def test_embarque_vazio_nao_embarca(lotes):
    with pytest.raises(ValidationError, match="não tem lotes"):
        services.marcar_embarcado(lotes.pk)


def test_cancelar_embarque_libera_lotes(lotes):
    i1 = services.adicionar_lote(lotes.pk, "L1")
    services.adicionar_lote(lotes.pk, "L2")
    services.marcar_embarcado(lotes.pk)
    services.cancelar_embarque(lotes.pk)
    assert Embarque.objects.get(pk=lotes.pk).status == "CANCELADO"
    assert status("L1") == status("L2") == {"ABERTO"}
    assert EmbarqueItem.objects.get(pk=i1.pk).status == "CANCELADO"
    with pytest.raises(ValidationError, match="está cancelado"):
        services.adicionar_lote(lotes.pk, "L1")
    assert diferencas_com_derivados() == []


def test_cancelar_embarque_ou_remover_lote_faturado_e_recusado(lotes):
    item = services.adicionar_lote(lotes.pk, "L1")
    services.marcar_embarcado(lotes.pk)
    registrar_faturamento(separacao_lote_id="L1", nota_fiscal="55")
    with pytest.raises(ValidationError, match="lotes faturados"):
        services.cancelar_embarque(lotes.pk)
    with pytest.raises(ValidationError, match="cancele a NF antes"):
        services.remover_lote(item.pk)
    assert status("L1") == {"FATURADO"}
    assert Embarque.objects.get(pk=lotes.pk).status == "ATIVO"
    assert diferencas_com_derivados() == []


def test_faturado_sai_da_previsao_e_nao_volta_a_contar(lotes):
    services.adicionar_lote(lotes.pk, "L1")
    services.marcar_embarcado(lotes.pk)
    registrar_faturamento(separacao_lote_id="L1", nota_fiscal="55", quantidades={"A": Decimal("4")})
    assert Separacao.objects.pendentes().filter(separacao_lote_id="L1").count() == 0
    assert diferencas_com_derivados() == []
