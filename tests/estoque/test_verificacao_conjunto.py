"""The set-based verification and rebuild (issue 16): the whole catalog read in one snapshot,
drift of every kind found and repaired, the rebuild from wrong or empty derived tables equal
to the oracle, both safe beside concurrent writers, and the sweep's whole-catalog decision."""

import random
import threading
import traceback
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from carteira.models import PreSeparacaoItem
from estoque.models import (
    EstoqueTempoReal,
    MovimentacaoPrevista,
    ReconciliacaoExecucao,
    ReparoEstoque,
    UnificacaoCodigos,
)
from estoque.services import reconciliacao, reconstrucao
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

D = Decimal


def _dados():
    """A little of everything: movements, production, pré-separações, separações (one lote
    invoiced), a unification group (P9 -> P8) and a catalog-only product."""
    for i in range(1, 9):
        f.movimento(f"P{i}", 10 * i)
        f.producao(f"P{i}", i, k=i % 5)
        f.pre_separacao(f"P{i}", i + 1, k=(i + 2) % 9)
    f.movimento("P9", 7)
    f.separacao("P1", 3, k=2, lote="LA")
    f.separacao("P2", 4, k=0, lote="LB")
    f.separacao("P3", 500, k=1, lote="LA")  # ruptura within D+7
    f.embarque_item("LB", erro=None)  # LB invoiced: its separação no longer counts
    f.unificar("P9", "P8")
    f.produto("P7")
    f.produto("PSOCADASTRO")


def _injetar_deriva():
    """One drift of each kind; returns the codes each one is under."""
    EstoqueTempoReal.objects.filter(cod_produto="P1").update(saldo_atual=D(999))
    MovimentacaoPrevista.objects.filter(cod_produto="P2").order_by("data_prevista").first().delete()
    MovimentacaoPrevista.objects.create(
        cod_produto="P3", data_prevista=f.dia(20), entrada_prevista=D(5), saida_prevista=D(0)
    )
    EstoqueTempoReal.objects.filter(cod_produto="P4").update(status="CRITICO", menor_estoque_d7=D(-1))
    EstoqueTempoReal.objects.filter(cod_produto="P5").delete()
    EstoqueTempoReal.objects.create(cod_produto="P9", saldo_atual=D(7))  # P9 is not principal (P8 is)
    MovimentacaoPrevista.objects.create(
        cod_produto="P9", data_prevista=f.dia(3), entrada_prevista=D(0), saida_prevista=D(2)
    )
    return {"P1", "P2", "P3", "P4", "P5", "P9"}


@pytest.mark.django_db
def test_catalogo_inteiro_encontra_cada_tipo_de_deriva_e_corrige():
    _dados()
    assert diferencas_com_derivados() == []
    assert reconciliacao.verificar_catalogo(corrigir=False)[1] == {}
    esperados = _injetar_deriva()

    _, encontrados = reconciliacao.verificar_catalogo(corrigir=False)
    assert set(encontrados) == esperados
    [(campo, antes, depois)] = encontrados["P1"]
    assert (campo, D(antes), D(depois)) == ("saldo_atual", 999, 10)
    assert encontrados["P9"][0][0] == reconciliacao.CAMPO_NAO_PRINCIPAL
    assert diferencas_com_derivados() != []  # dry run: nothing fixed

    execucao, encontrados = reconciliacao.reconciliar(origem="COMANDO", catalogo_inteiro=True)
    assert set(encontrados) == esperados
    assert execucao.catalogo_inteiro and execucao.produtos_corrigidos == len(esperados)
    # P1..P8 and the catalog-only code (P9 belongs to P8's group).
    assert execucao.produtos_verificados == 9
    campos = dict(execucao.reparos.values_list("cod_produto", "campo").order_by("cod_produto", "campo"))
    assert campos["P9"] == reconciliacao.CAMPO_NAO_PRINCIPAL
    assert diferencas_com_derivados() == []
    assert reconciliacao.verificar_catalogo(corrigir=False)[1] == {}


@pytest.mark.django_db
def test_estoque_verificar_usa_o_catalogo_inteiro(capsys):
    _dados()
    call_command("estoque_verificar")
    assert "0 com divergência" in capsys.readouterr().out
    _injetar_deriva()
    with pytest.raises(SystemExit):
        call_command("estoque_verificar")
    saida = capsys.readouterr().out
    assert "P9: linha sob código não principal" in saida and "6 com divergência" in saida
    assert "[##########] 100%" in saida  # the commands' progress bar


@pytest.mark.django_db
@pytest.mark.parametrize("estrago", ["vazias", "erradas", "saudaveis"])
def test_rebuild_igual_ao_oraculo(estrago):
    _dados()
    if estrago == "vazias":
        MovimentacaoPrevista.objects.all().delete()
        EstoqueTempoReal.objects.all().delete()
    elif estrago == "erradas":
        _injetar_deriva()
        EstoqueTempoReal.objects.update(saldo_atual=D(-3), status="ATENCAO")
    progresso = []
    total = reconstrucao.reconstruir(lote=3, progresso=lambda feitos, n: progresso.append((feitos, n)))
    assert diferencas_com_derivados() == []
    assert total == 9 and progresso[0] == (0, 9) and progresso[-1] == (9, 9)
    assert [feitos for feitos, _ in progresso] == sorted(feitos for feitos, _ in progresso)
    assert EstoqueTempoReal.objects.get(cod_produto="P7").nome_produto == "PRODUTO P7"
    assert EstoqueTempoReal.objects.filter(cod_produto="PSOCADASTRO").exists()


@pytest.mark.django_db
def test_rebuild_depois_de_mudanca_de_grupos_recalcula_exato(monkeypatch):
    """A unification change after the snapshot: the remaining batches are recomputed from the
    sources, not patched with differences computed under the old groups."""
    _dados()
    EstoqueTempoReal.objects.update(saldo_atual=D(0))
    original = reconstrucao.marca_unificacao
    chamadas = []

    def marca_que_muda(using="default"):
        chamadas.append(1)
        if len(chamadas) == 2:  # the first batch, after the snapshot: groups change now
            f.unificar("P2", "P1")
        return original(using)

    monkeypatch.setattr(reconstrucao, "marca_unificacao", marca_que_muda)
    reconstrucao.reconstruir(lote=2)
    assert diferencas_com_derivados() == []


@pytest.mark.django_db
def test_varredura_decide_catalogo_inteiro_ou_lotes_e_diz_por_que(settings):
    settings.ESTOQUE_RECONCILIACAO_MINUTOS = 1  # whole catalog while a run takes at most 30 s
    _dados()
    primeira, _ = reconciliacao.reconciliar()
    assert primeira.catalogo_inteiro and primeira.observacao.startswith("Primeira verificação")
    segunda, _ = reconciliacao.reconciliar()
    assert segunda.catalogo_inteiro and segunda.observacao == ""

    # The whole-catalog runs took 100 s: too long for the minute, so batches.
    for execucao in (primeira, segunda):
        ReconciliacaoExecucao.objects.filter(pk=execucao.pk).update(
            iniciado_em=execucao.finalizado_em - timedelta(seconds=100)
        )
    EstoqueTempoReal.objects.update(saldo_atual=D(5))  # drift everywhere
    vistos = set()
    execucoes = []
    for _ in range(5):
        execucao, encontrados = reconciliacao.reconciliar(lote=4)
        execucoes.append(execucao)
        vistos |= set(encontrados)
        if execucao.catalogo_inteiro:
            break
    lotes, ultima = execucoes[:-1], execucoes[-1]
    assert lotes and all(not e.catalogo_inteiro for e in lotes)
    assert all(e.observacao.startswith(reconciliacao.EM_LOTES) and "100.0 s" in e.observacao for e in lotes)
    assert all(e.produtos_verificados <= 4 for e in lotes)
    assert lotes[-1].cursor_fim == ""  # the batches went round the catalog...
    assert ultima.catalogo_inteiro and ultima.observacao.startswith("Nova tentativa")  # ...so whole again
    assert vistos == {f"P{i}" for i in range(1, 9)}
    assert diferencas_com_derivados() == []


# ---------------------------------------------------------------- beside concurrent writers

PRODUTOS = [f"C{i}" for i in range(1, 7)]


def _escrever(semente, operacoes, erros):
    rng = random.Random(semente)
    hoje = timezone.localdate()
    try:
        for _ in range(operacoes):
            cod = rng.choice(PRODUTOS)
            escolha = rng.randrange(6)
            if escolha <= 1:
                f.movimento(cod, rng.choice([-1, 1, 2]) * rng.randint(1, 30))
            elif escolha == 2:
                PreSeparacaoItem.objects.create(
                    num_pedido="P",
                    cod_produto=cod,
                    qtd_selecionada_usuario=D(rng.randint(1, 9)),
                    data_expedicao_editada=hoje + timedelta(days=rng.randint(-1, 12)),
                )
            elif escolha == 3:
                pre = PreSeparacaoItem.objects.filter(cod_produto=cod).order_by("?").first()
                if pre:
                    pre.status = rng.choice(["CRIADO", "ENVIADO_SEPARACAO"])
                    pre.data_expedicao_editada = hoje + timedelta(days=rng.randint(0, 9))
                    pre.save()
            elif escolha == 4:
                f.separacao(cod, rng.randint(1, 5), k=rng.randint(0, 9), lote=rng.choice(["LA", "LB"]))
            elif semente == 0:  # one writer also regroups codes now and then
                par = UnificacaoCodigos.objects.first()
                par.ativo = not par.ativo
                par.save()
    except Exception:
        erros.append(traceback.format_exc())
    finally:
        connections.close_all()


def _repetir(funcao, parar, erros, resultados):
    try:
        while True:  # at least once, then until the writers end
            resultados.append(funcao())
            if parar.is_set():
                break
    except Exception:
        erros.append(traceback.format_exc())
    finally:
        connections.close_all()


def _em_paralelo(escritores, operacoes, *funcoes):
    """Writer threads plus threads repeating each function until the writers end."""
    erros: list[str] = []
    parar = threading.Event()
    resultados: list[list] = [[] for _ in funcoes]
    threads = [threading.Thread(target=_escrever, args=(s, operacoes, erros)) for s in range(escritores)]
    outras = [threading.Thread(target=_repetir, args=(fn, parar, erros, r)) for fn, r in zip(funcoes, resultados)]
    for t in threads + outras:
        t.start()
    for t in threads:
        t.join(timeout=300)
    parar.set()
    for t in outras:
        t.join(timeout=300)
    assert erros == [], "\n".join(erros)
    return resultados


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_verificacao_e_rebuild_com_escritores_concorrentes():
    for cod in PRODUTOS:
        f.movimento(cod, 100)
    f.unificar("C6", "C5")
    f.embarque_item("LB", erro=None)

    # Verification beside writers: a healthy database never shows drift in one snapshot.
    verificacoes, varreduras = _em_paralelo(
        4,
        40,
        lambda: reconciliacao.verificar_catalogo(corrigir=False)[1],
        lambda: reconciliacao.reconciliar(catalogo_inteiro=True)[1],
    )
    assert len(verificacoes) >= 2 and all(encontrados == {} for encontrados in verificacoes)
    assert all(encontrados == {} for encontrados in varreduras)
    assert ReparoEstoque.objects.count() == 0
    assert diferencas_com_derivados() == []

    # The derived tables emptied, then rebuilt while writers write and the sweep repairs.
    MovimentacaoPrevista.objects.all().delete()
    EstoqueTempoReal.objects.all().delete()
    reconstrucoes, _ = _em_paralelo(
        4, 40, lambda: reconstrucao.reconstruir(lote=2), lambda: reconciliacao.reconciliar(catalogo_inteiro=True)
    )
    assert reconstrucoes
    assert diferencas_com_derivados() == []
    assert reconciliacao.verificar_catalogo(corrigir=False)[1] == {}


@pytest.mark.django_db
def test_reconciliar_e_comandos_mostram_progresso(capsys):
    _dados()
    passos = []
    reconciliacao.reconciliar(catalogo_inteiro=True, progresso=lambda feitos, total: passos.append((feitos, total)))
    assert passos and passos[-1][0] == passos[-1][1] and [p for p, _ in passos] == sorted(p for p, _ in passos)
    passos.clear()
    reconciliacao.reconciliar(produtos=["P1", "P9"], progresso=lambda feitos, total: passos.append((feitos, total)))
    assert passos[-1] == (2, 2)  # P1 and P8 (P9's principal)
    call_command("estoque_rebuild")
    call_command("estoque_reconciliar")
    saida = capsys.readouterr().out
    assert saida.count("[##########] 100%") == 2 and "9 produtos recalculados" in saida
