"""Queue protection of the background ruptura analysis: its own cluster, reuse of a recent or
running analysis of the same orders, and the daily cleanup of old ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carteira.models import AnaliseRuptura, AnaliseRupturaLote
from carteira.ruptura import jobs
from tests import fabricas as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def fila(monkeypatch):
    """The broker as a list: what was enqueued, on which cluster (no worker runs it)."""
    enviados = []

    def enfileirar(funcao, *args, **opcoes):
        enviados.append((funcao, args, opcoes))

    monkeypatch.setattr(jobs, "async_task", enfileirar)
    return enviados


def pedidos(n):
    f.movimento("A1", 100)
    for i in range(n):
        f.linha_carteira(f"PED{i:03d}", "A1", 10)
    return [f"PED{i:03d}" for i in range(n)]


def test_lotes_vao_para_o_cluster_da_ruptura(fila, settings):
    analise = jobs.iniciar(pedidos(70))
    assert analise.total_lotes == 3 and len(fila) == 3
    # Enqueued in order: the small first lot is the first a worker takes.
    indices = AnaliseRupturaLote.objects.in_bulk([args[0] for _, args, _ in fila])
    assert [indices[args[0]].indice for _, args, _ in fila] == [0, 1, 2]
    assert {opcoes["cluster"] for _, _, opcoes in fila} == {settings.RUPTURA_CLUSTER} == {"ruptura"}
    assert "ruptura" in settings.Q_CLUSTER["ALT_CLUSTERS"]


def test_lotes_dobram_ate_o_maximo():
    numeros = [f"P{i}" for i in range(3000)]
    lotes = jobs.dividir_em_lotes(numeros)
    assert [len(lote) for lote in lotes] == [20, 40, 80, 160, 320, 640, 640, 640, 460]
    assert [num for lote in lotes for num in lote] == numeros
    assert jobs.dividir_em_lotes([]) == [] and jobs.dividir_em_lotes(["P"]) == [["P"]]


def test_mesmo_conjunto_recente_reaproveita_a_analise(fila):
    numeros = pedidos(25)
    primeira = jobs.iniciar(numeros)
    segunda = jobs.iniciar(list(reversed(numeros)))  # the same set in another order
    assert segunda.pk == primeira.pk
    assert AnaliseRuptura.objects.count() == 1 and len(fila) == 2  # two lots, enqueued once
    outra = jobs.iniciar(numeros[:10])
    assert outra.pk != primeira.pk and len(fila) == 3


def test_analise_concluida_ha_mais_de_um_minuto_nao_e_reaproveitada(fila):
    numeros = pedidos(5)
    primeira = jobs.iniciar(numeros)
    AnaliseRupturaLote.objects.filter(analise=primeira).update(concluido_em=timezone.now())
    AnaliseRuptura.objects.filter(pk=primeira.pk).update(criado_em=timezone.now() - timedelta(seconds=90))
    nova = jobs.iniciar(numeros)
    assert nova.pk != primeira.pk and len(fila) == 2


def test_analise_em_andamento_e_reaproveitada_ate_parar_de_progredir(fila):
    numeros = pedidos(5)
    primeira = jobs.iniciar(numeros)
    # Started 2 minutes ago, its lot still pending: still running, reused.
    AnaliseRuptura.objects.filter(pk=primeira.pk).update(criado_em=timezone.now() - timedelta(minutes=2))
    assert jobs.iniciar(numeros).pk == primeira.pk
    # No progress for longer than the workers' silence limit: a new analysis.
    AnaliseRuptura.objects.filter(pk=primeira.pk).update(criado_em=timezone.now() - timedelta(minutes=10))
    assert jobs.iniciar(numeros).pk != primeira.pk


def test_api_devolve_a_mesma_analise(cliente_staff, fila):
    pedidos(3)
    corpo = {"pedidos": ["PED000", "PED001", "PED002"]}
    primeira = cliente_staff.post("/api/carteira/ruptura/analisar", corpo, content_type="application/json").json()
    segunda = cliente_staff.post("/api/carteira/ruptura/analisar", corpo, content_type="application/json").json()
    assert primeira["job_id"] == segunda["job_id"] and len(fila) == 1


def test_limpeza_apaga_analises_de_mais_de_um_dia(fila):
    velha = jobs.iniciar(pedidos(3))
    recente = jobs.iniciar(["PED000"])
    AnaliseRuptura.objects.filter(pk=velha.pk).update(criado_em=timezone.now() - timedelta(hours=25))
    assert jobs.limpar_analises() == 1
    assert list(AnaliseRuptura.objects.values_list("pk", flat=True)) == [recente.pk]
    assert not AnaliseRupturaLote.objects.filter(analise_id=velha.pk).exists()


def test_limpeza_esta_agendada():
    from django_q.models import Schedule

    agendamento = Schedule.objects.get(name="carteira: limpeza das análises de ruptura")
    assert agendamento.func == "carteira.ruptura.tasks.limpar_analises" and agendamento.repeats == -1


def test_ultimas_analises_a_mais_nova_de_cada_pedido_vale():
    from carteira.ruptura.selectors import rotulo, ultimas_analises

    agora = timezone.now()
    for minutos, p1, p2 in ((10, "CRITICA", "ALTA"), (1, "MEDIA", None), (60 * 25, "BAIXA", "BAIXA")):
        analise = AnaliseRuptura.objects.create(total_pedidos=2, total_lotes=1)
        resultados = [{"num_pedido": "P1", "pedido_ok": False, "criticidade": p1, "linhas": [{"qtd": 1.0}]}]
        if p2:
            resultados.append({"num_pedido": "P2", "pedido_ok": p2 == "BAIXA", "criticidade": p2, "linhas": []})
        AnaliseRupturaLote.objects.create(
            analise=analise,
            indice=0,
            pedidos=["P1", "P2"],
            resultados=resultados,
            concluido_em=agora - timedelta(minutes=minutos),
        )
    analises = ultimas_analises()
    # P1: the analysis of a minute ago; P2: the one of ten minutes ago (a day-old one does not count).
    assert {num: rotulo(r) for num, r in analises.items()} == {"P1": "MEDIA", "P2": "ALTA"}
