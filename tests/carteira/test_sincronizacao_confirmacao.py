"""A safer sync: the guard that stops a run before writing and waits for confirmation, what a
confirmation applies, the lock taken before the fetch, stale snapshots refused, and
allocations cancelled (never deleted), listed per run and out of the forecast. After every
test the derived tables equal the oracle's recomputation."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from carteira import selectors, services
from carteira.models import CarteiraPrincipal, Pedido, PreSeparacaoItem, Separacao, SincronizacaoCarteira
from carteira.sincronizacao import servico, trava
from carteira.sincronizacao.registros import ErroSincronizacao
from estoque.models import MovimentacaoPrevista
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def oraculo_no_fim(db):
    yield
    assert diferencas_com_derivados() == []


def registro(pedido, cod, saldo):
    return {"num_pedido": pedido, "cod_produto": cod, "qtd_saldo_produto_pedido": D(str(saldo))}


def rodar(registros, **opcoes):
    return servico.sincronizar(lambda: list(registros), origem="ODOO", gatilho="COMANDO", **opcoes)


def retrato():
    return {
        m.__name__: [tuple(sorted(r.items())) for r in m.objects.order_by("pk").values()]
        for m in (CarteiraPrincipal, PreSeparacaoItem, Separacao, MovimentacaoPrevista)
    }


@pytest.fixture
def carteira_de_dez():
    """Ten Odoo lines of product A; line PED0 has a pré-separação and an ABERTO separação."""
    f.produto("A")
    f.movimento("A", 1000)
    for i in range(10):
        f.linha_carteira(f"PED{i}", "A", 10, origem="ODOO")
    pre = f.pre_separacao("A", 4, k=2, pedido="PED0")
    sep = f.separacao("A", 5, k=3, lote="L0", pedido="PED0", status="ABERTO")
    return pre, sep


# ---------------------------------------------------------------- the guard


def test_carteira_parcial_para_antes_de_gravar_e_espera_confirmacao(carteira_de_dez):
    pre, sep = carteira_de_dez
    antes = retrato()
    # A permission lost in Odoo: only 7 of the 10 lines come (30% removed, limit 20%).
    execucao = rodar([registro(f"PED{i}", "A", 10) for i in range(3, 10)])
    assert execucao.status == "AGUARDANDO_CONFIRMACAO"
    assert retrato() == antes  # nothing written: the allocations are untouched
    assert execucao.plano["motivos"] == [
        "remove 3 de 10 linha(s) do Odoo na carteira (30,0%), acima do limite de 20,0% "
        "(CARTEIRA_SINCRONIZACAO_LIMITE_REMOCAO)"
    ]
    assert execucao.plano["removidas"] == [["PED0", "A", "10.000"], ["PED1", "A", "10.000"], ["PED2", "A", "10.000"]]
    # What it would do is on record: counts and the report.
    assert (execucao.linhas_removidas, execucao.pre_separacoes_canceladas, execucao.separacoes_canceladas) == (3, 1, 1)
    assert "Exige confirmação:" in execucao.relatorio and execucao.instantaneo_em is not None


def test_limite_configuravel(carteira_de_dez, settings):
    settings.CARTEIRA_SINCRONIZACAO_LIMITE_REMOCAO = "40"
    assert rodar([registro(f"PED{i}", "A", 10) for i in range(4, 10)]).status == "SUCESSO"  # 4 of 10: 40%
    assert rodar([registro(f"PED{i}", "A", 10) for i in range(7, 10)]).status == "AGUARDANDO_CONFIRMACAO"  # 3 of 6
    settings.CARTEIRA_SINCRONIZACAO_LIMITE_REMOCAO = "cem"
    with pytest.raises(ErroSincronizacao, match="Configuração inválida: CARTEIRA_SINCRONIZACAO_LIMITE_REMOCAO='cem'"):
        rodar([registro(f"PED{i}", "A", 10) for i in range(8, 10)])


def test_separacao_cotada_ou_embarcada_pede_confirmacao_mesmo_sem_remocao(carteira_de_dez):
    f.linha_carteira("PED-C", "A", 50, origem="ODOO")
    f.separacao("A", 50, lote="LC", pedido="PED-C", status="COTADO")
    todas = [registro(f"PED{i}", "A", 10) for i in range(10)]
    execucao = rodar([*todas, registro("PED-C", "A", 40)])
    assert execucao.status == "AGUARDANDO_CONFIRMACAO"
    assert execucao.plano["motivos"] == ["altera 1 separação(ões) COTADO (lotes LC)"]
    f.linha_carteira("PED-E", "A", 50, origem="ODOO")
    f.separacao("A", 50, lote="LE", pedido="PED-E", status="EMBARCADO")
    execucao = rodar([*todas, registro("PED-C", "A", 50), registro("PED-E", "A", 30)])
    assert execucao.plano["motivos"] == ["deixa 1 separação(ões) EMBARCADO acima do novo saldo da linha (lotes LE)"]
    assert execucao.plano["separacoes"][0]["acima"] == "20.000"


# ---------------------------------------------------------------- confirmation


def test_confirmacao_aplica_e_cancela_sem_apagar(carteira_de_dez):
    pre, sep = carteira_de_dez
    dados = [registro(f"PED{i}", "A", 10) for i in range(3, 10)]
    parada = rodar(dados)
    execucao = rodar(dados, confirmacao=parada)

    assert execucao.status == "SUCESSO" and execucao.confirmacao_de == parada
    parada.refresh_from_db()
    assert parada.status == "CONFIRMADA"
    assert CarteiraPrincipal.objects.count() == 7
    # Cancelled, kept with their quantities, naming the run; listed per run.
    pre.refresh_from_db()
    sep.refresh_from_db()
    assert (pre.status, pre.qtd_selecionada_usuario, pre.cancelado_por_sincronizacao) == ("CANCELADO", 4, execucao)
    assert (sep.status, sep.qtd_saldo, sep.cancelado_por_sincronizacao) == ("ABERTO", 5, execucao)
    assert selectors.canceladas_por_sincronizacao(execucao) == ([pre], [sep])
    assert selectors.canceladas_por_sincronizacao(parada) == ([], [])
    # Out of the forecast: no outflow of A is left.
    assert not MovimentacaoPrevista.objects.filter(saida_prevista__gt=0).exists()
    assert not PreSeparacaoItem.objects.ativas().exists() and not Separacao.objects.pendentes().exists()


def test_confirmacao_de_um_plano_que_piorou_espera_de_novo(carteira_de_dez):
    parada = rodar([registro(f"PED{i}", "A", 10) for i in range(3, 10)])  # PED0..PED2 removed
    antes = retrato()
    pior = rodar([registro(f"PED{i}", "A", 10) for i in range(4, 10)], confirmacao=parada)  # PED3 too
    assert pior.status == "AGUARDANDO_CONFIRMACAO" and pior.confirmacao_de == parada
    assert pior.plano["alem_do_confirmado"] == ["1 linha(s) a remover que não estavam no plano confirmado: PED3/A"]
    assert retrato() == antes
    parada.refresh_from_db()
    assert parada.status == "AGUARDANDO_CONFIRMACAO"  # still confirmable as it was
    # A plan within the confirmed one (fewer lines removed) is applied.
    menor = rodar([registro(f"PED{i}", "A", 10) for i in range(1, 10)], confirmacao=parada)
    assert menor.status == "SUCESSO" and menor.linhas_removidas == 1
    pior.refresh_from_db()
    assert pior.status == "SUPERADA"


def test_cotada_reduzida_alem_do_confirmado_espera(carteira_de_dez):
    todas = [registro(f"PED{i}", "A", 10) for i in range(10)]
    f.linha_carteira("PED-C", "A", 50, origem="ODOO")
    f.separacao("A", 50, lote="LC", pedido="PED-C", status="COTADO")
    parada = rodar([*todas, registro("PED-C", "A", 40)])
    pior = rodar([*todas, registro("PED-C", "A", 30)], confirmacao=parada)
    assert pior.status == "AGUARDANDO_CONFIRMACAO"
    assert pior.plano["alem_do_confirmado"] == [
        "separação COTADO lote LC (PED-C/A) ficaria com 30.000; o plano confirmado dizia 40.000"
    ]
    assert rodar([*todas, registro("PED-C", "A", 45)], confirmacao=parada).status == "SUCESSO"


def test_confirmacao_so_uma_vez_e_superada_nao_confirma(carteira_de_dez):
    dados = [registro(f"PED{i}", "A", 10) for i in range(3, 10)]
    parada = rodar(dados)
    outra = rodar(dados)
    rodar(dados, confirmacao=parada)
    with pytest.raises(ErroSincronizacao, match=f"A execução nº {parada.pk} já foi confirmada e aplicada"):
        rodar(dados, confirmacao=parada)
    outra.refresh_from_db()
    assert outra.status == "SUPERADA"
    with pytest.raises(ErroSincronizacao, match="foi superada por uma sincronização aplicada depois dela"):
        rodar(dados, confirmacao=outra)
    with pytest.raises(ErroSincronizacao, match="veio de Odoo: confirme-a com uma sincronização da mesma origem"):
        servico.sincronizar(lambda: dados, origem="PLANILHA", gatilho="COMANDO", confirmacao=parada)


# ---------------------------------------------------------------- lock and snapshot


def test_instantaneo_mais_antigo_que_o_ultimo_aplicado_e_recusado(carteira_de_dez):
    """Two overlapping runs: while this one reads, another reads after it and applies first.
    This one's snapshot is then older than the last applied: refused, nothing written."""
    dados = [registro(f"PED{i}", "A", 9) for i in range(10)]

    def fonte_lenta():
        # The other run (a process whose lock failed us), reading later and committing first.
        SincronizacaoCarteira.objects.create(
            origem="ODOO",
            gatilho="AGENDAMENTO",
            status="SUCESSO",
            iniciado_em=timezone.now(),
            instantaneo_em=trava.instante(),
        )
        return dados

    antes = retrato()
    with pytest.raises(ErroSincronizacao) as erro:
        servico.sincronizar(fonte_lenta, origem="ODOO", gatilho="COMANDO")
    assert "é mais antigo que o da última sincronização aplicada" in str(erro.value)
    assert "sincronização recusada para não desfazer dados mais novos" in str(erro.value)
    assert retrato() == antes
    assert erro.value.execucao.status == "FALHA" and erro.value.execucao.instantaneo_em is not None


def test_instantaneo_registrado_e_crescente(carteira_de_dez):
    dados = [registro(f"PED{i}", "A", 10) for i in range(10)]
    primeira, segunda = rodar(dados), rodar(dados)
    assert primeira.instantaneo_em <= segunda.instantaneo_em
    assert primeira.iniciado_em <= primeira.instantaneo_em


def test_trava_perdida_durante_a_leitura_nao_grava(carteira_de_dez):
    """A run whose lease another run took over (SQLite: it ran past the lease) writes nothing."""

    def fonte():
        SincronizacaoCarteira.objects.filter(status="EM_ANDAMENTO").update(status="FALHA", erro="assumida")
        return [registro(f"PED{i}", "A", 9) for i in range(10)]

    antes = retrato()
    with pytest.raises(ErroSincronizacao, match="A trava desta sincronização expirou"):
        servico.sincronizar(fonte, origem="ODOO", gatilho="COMANDO")
    assert retrato() == antes


def _ocupar(minutos_atras=0):
    return SincronizacaoCarteira.objects.create(
        origem="ODOO",
        gatilho="AGENDAMENTO",
        status="EM_ANDAMENTO",
        iniciado_em=timezone.now() - timedelta(minutes=minutos_atras),
    )


@pytest.mark.skipif("connection.vendor == 'postgresql'", reason="no SQLite a trava é a execução EM_ANDAMENTO")
def test_sqlite_outra_execucao_em_andamento_segura_a_trava(carteira_de_dez):
    ocupante = _ocupar(minutos_atras=5)
    antes = retrato()
    with pytest.raises(
        ErroSincronizacao, match=f"Outra sincronização da carteira está em andamento \\(nº {ocupante.pk}"
    ):
        rodar([registro(f"PED{i}", "A", 9) for i in range(10)], espera=0)
    assert retrato() == antes
    assert SincronizacaoCarteira.objects.filter(status="FALHA").count() == 1
    # Past CARTEIRA_SINCRONIZACAO_TRAVA_MINUTOS (30) the holder is taken as dead.
    SincronizacaoCarteira.objects.filter(pk=ocupante.pk).update(iniciado_em=timezone.now() - timedelta(minutes=31))
    assert rodar([registro(f"PED{i}", "A", 9) for i in range(10)], espera=0).status == "SUCESSO"
    ocupante.refresh_from_db()
    assert ocupante.status == "FALHA" and ocupante.erro.startswith("Interrompida: passou de 30 minuto(s)")


@pytest.mark.postgres
def test_postgres_execucao_de_processo_morto_e_encerrada(carteira_de_dez):
    """Holding the advisory lock proves a leftover EM_ANDAMENTO run's process is gone."""
    ocupante = _ocupar()
    assert rodar([registro(f"PED{i}", "A", 9) for i in range(10)], espera=0).status == "SUCESSO"
    ocupante.refresh_from_db()
    assert ocupante.status == "FALHA" and "a trava do PostgreSQL foi liberada" in ocupante.erro


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_trava_antes_da_leitura():
    """Two overlapping runs: the second one's read of the source starts only after the first
    committed. Each fonte records what the carteira held when its read began."""
    f.produto("A")
    f.linha_carteira("PED0", "A", 10, origem="ODOO")
    dados = [registro("PED0", "A", 10), *[registro(f"NOVO{i}", "A", 1) for i in range(5)]]
    largada, vistos, resultados = threading.Barrier(2), [], []

    def fonte():
        vistos.append(CarteiraPrincipal.objects.count())
        threading.Event().wait(0.3)  # a slow Odoo: the other run has time to try
        return dados

    def rodar_em_thread():
        try:
            largada.wait()
            resultados.append(servico.sincronizar(fonte, origem="ODOO", gatilho="COMANDO"))
        except Exception as erro:  # reported by the assertion below
            resultados.append(repr(erro))
        finally:
            connection.close()

    threads = [threading.Thread(target=rodar_em_thread) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(vistos) == [1, 6]  # the second read saw the first run's 5 new lines
    primeira, segunda = sorted(resultados, key=lambda e: e.instantaneo_em)
    assert (primeira.status, primeira.linhas_novas, segunda.status, segunda.linhas_novas) == (
        "SUCESSO",
        5,
        "SUCESSO",
        0,
    )
    assert segunda.instantaneo_em >= primeira.finalizado_em


# ---------------------------------------------------------------- cancelled allocations in the rules


def test_alocacao_cancelada_libera_a_linha(carteira_de_dez):
    """Line 10 with a pré-separação of 4 and a separação of 5 (1 free). Down to 1: the free 1,
    then the pré-separação (cancelled), then 4 of the separação. Back up to 10: 9 free."""
    pre, sep = carteira_de_dez
    todas = [registro(f"PED{i}", "A", 10) for i in range(1, 10)]
    reduziu = rodar([registro("PED0", "A", 1), *todas])
    assert reduziu.status == "SUCESSO"
    pre.refresh_from_db()
    sep.refresh_from_db()
    assert (pre.status, pre.qtd_selecionada_usuario, pre.cancelado_por_sincronizacao) == ("CANCELADO", 4, reduziu)
    assert (sep.qtd_saldo, sep.cancelado_em) == (1, None)
    rodar([registro("PED0", "A", 10), *todas])
    linha = CarteiraPrincipal.objects.get(num_pedido="PED0")
    assert selectors.saldo_livre(linha) == 9
    item = selectors.workspace("PED0")["itens"][0]
    assert (item["qtd_pre_separada"], item["qtd_separada"], item["qtd_saldo"]) == (0, 1, 9)
    # The freed quantity can be allocated again; the cancelled pré-separação cannot be touched.
    services.criar_pre_separacao(
        num_pedido="PED0", cod_produto="A", qtd_selecionada_usuario=D("9"), data_expedicao_editada=f.dia(1)
    )
    with pytest.raises(ValidationError, match="cancelada pela sincronização da carteira não pode ser alterada"):
        services.editar_pre_separacao(pre.pk, {"qtd_selecionada_usuario": D("1")})
    with pytest.raises(ValidationError, match="cancelada pela sincronização da carteira não pode ser excluída"):
        services.excluir_pre_separacao(pre.pk)


def test_cancelado_so_pela_sincronizacao():
    f.produto("A")
    pre = f.pre_separacao("A", 3)
    pre.status = "CANCELADO"
    with pytest.raises(ValidationError, match="CANCELADO só pela sincronização"):
        pre.full_clean()
    with pytest.raises(ValidationError, match="CANCELADO só pela sincronização"):
        services.criar_pre_separacao(
            num_pedido="PED1",
            cod_produto="A",
            qtd_selecionada_usuario=D("1"),
            data_expedicao_editada=f.dia(1),
            status="CANCELADO",
        )


def test_separacao_cancelada_nao_muda_de_status_no_admin(cliente_staff):
    f.produto("A")
    sep = f.separacao("A", 3, status="ABERTO", cancelado_em=timezone.now())
    url = f"/admin/carteira/separacao/{sep.pk}/change/"
    formulario = cliente_staff.get(url).context["adminform"].form
    dados = {campo: valor for campo, valor in formulario.initial.items() if valor is not None}
    dados.update(status="FATURADO", expedicao=f.dia(1).strftime("%d/%m/%Y"))
    resposta = cliente_staff.post(url, dados)
    assert resposta.status_code == 200
    assert "Separação cancelada pela sincronização da carteira" in resposta.content.decode()
    sep.refresh_from_db()
    assert sep.status == "ABERTO"


def test_restricoes_do_cancelamento():
    from django.db import IntegrityError, transaction

    f.produto("A")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.pre_separacao("A", 3, status="CANCELADO")  # CANCELADO without the time
    with pytest.raises(IntegrityError), transaction.atomic():
        f.separacao("A", 3, status="FATURADO", cancelado_em=timezone.now())  # only ABERTO/COTADO are cancelled


def test_pedido_do_lote_ignora_as_linhas_canceladas():
    f.produto("A")
    f.produto("B")
    agora = timezone.now()
    f.separacao("A", 5, lote="L1", status="ABERTO", valor_saldo=D("50"), cancelado_em=agora)
    f.separacao("B", 7, lote="L1", status="COTADO", valor_saldo=D("70"))
    f.separacao("A", 3, lote="L2", status="ABERTO", valor_saldo=D("30"), cancelado_em=agora)
    f.separacao("B", 4, lote="L2", status="COTADO", valor_saldo=D("40"), cancelado_em=agora)
    lotes = {
        p.separacao_lote_id: (p.status, p.qtd_itens, p.qtd_itens_cancelados, p.valor_saldo_total)
        for p in Pedido.objects.all()
    }
    assert lotes == {"L1": ("COTADO", 1, 1, D("70")), "L2": ("CANCELADO", 0, 2, D("0"))}
