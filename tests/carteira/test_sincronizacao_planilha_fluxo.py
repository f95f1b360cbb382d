"""The carteira spreadsheet import can never wipe the order book by accident: the upload is always
a simulation (nothing written), destructive plans are reported as warnings with their counts, and
"Aplicar este plano" applies the file kept with the simulation (no second upload) only if the fresh
plan stays within the simulated one; once, and only with carteira.executar_sincronizacao.
After every step the derived tables equal the oracle's recomputation."""

import io
import threading
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao, SincronizacaoCarteira
from carteira.sincronizacao import servico
from carteira.sincronizacao.registros import ErroSincronizacao
from estoque.models import MovimentacaoPrevista
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
D = Decimal
URL_PLANILHA = "admin:carteira_sincronizacaocarteira_planilha"
URL_APLICAR = "admin:carteira_sincronizacaocarteira_aplicar"
URL_RUN = "admin:carteira_sincronizacaocarteira_change"
URL_CONFIRMAR = "admin:carteira_sincronizacaocarteira_confirmar"


@pytest.fixture(autouse=True)
def oraculo_no_fim(db):
    yield
    assert diferencas_com_derivados() == []


def limpo():
    assert diferencas_com_derivados() == []
    return True


def xlsx(linhas) -> bytes:
    livro = openpyxl.Workbook()
    livro.active.append(["num_pedido", "cod_produto", "qtd_saldo_produto_pedido"])
    for linha in linhas:
        livro.active.append(list(linha))
    saida = io.BytesIO()
    livro.save(saida)
    return saida.getvalue()


def retrato():
    return {
        m.__name__: [tuple(sorted(r.items())) for r in m.objects.order_by("pk").values()]
        for m in (CarteiraPrincipal, PreSeparacaoItem, Separacao, MovimentacaoPrevista)
    }


def carteira():
    return {
        (c.num_pedido, c.cod_produto): c.qtd_saldo_produto_pedido
        for c in CarteiraPrincipal.objects.filter(origem="ODOO")
    }


def textos(resposta, nivel=None):
    return [str(m) for m in get_messages(resposta.wsgi_request) if nivel is None or m.level == nivel]


@pytest.fixture
def dez():
    """Ten Odoo lines of A (10 each). PED0: a pré-separação of 4 and an ABERTO separação of 5;
    PED1: a pré-separação of 8."""
    f.produto("A")
    f.movimento("A", 1000)
    for i in range(10):
        f.linha_carteira(f"PED{i}", "A", 10, origem="ODOO")
    return {
        "pre0": f.pre_separacao("A", 4, k=2, pedido="PED0"),
        "sep0": f.separacao("A", 5, k=3, lote="L0", pedido="PED0", status="ABERTO"),
        "pre1": f.pre_separacao("A", 8, k=2, pedido="PED1"),
    }


# The file: PED0 removed, PED1 down to 3, the rest as they are, PED-N new.
ARQUIVO = [("PED1", "A", 3), *[(f"PED{i}", "A", 10) for i in range(2, 10)], ("PED-N", "A", 7)]


def simular(cliente, linhas=ARQUIVO, nome="carteira.xlsx"):
    resposta = cliente.post(reverse(URL_PLANILHA), {"arquivo": SimpleUploadedFile(nome, xlsx(linhas))})
    simulacao = SincronizacaoCarteira.objects.order_by("pk").last()
    assert simulacao.status == "SIMULACAO", simulacao.erro
    assert (resposta.status_code, resposta.url) == (302, reverse(URL_RUN, args=[simulacao.pk]))
    return resposta, simulacao


def aplicar(cliente, simulacao, **dados):
    return cliente.post(reverse(URL_APLICAR, args=[simulacao.pk]), dados)


# ---------------------------------------------------------------- the first step is a simulation


def test_formulario_so_simula_e_nada_e_gravado(dez, cliente_staff):
    pagina = cliente_staff.get(reverse(URL_PLANILHA)).content.decode()
    assert "Primeiro vem sempre uma simulação: nada é gravado ao enviar a planilha." in pagina
    assert 'value="Simular"' in pagina and 'name="simular"' not in pagina
    antes, conteudo = retrato(), xlsx(ARQUIVO)
    # Even a client that still sends the old "simular" field off only simulates.
    resposta = cliente_staff.post(
        reverse(URL_PLANILHA), {"arquivo": SimpleUploadedFile("c.xlsx", conteudo), "simular": ""}
    )
    assert resposta.status_code == 302
    assert retrato() == antes and limpo()
    simulacao = SincronizacaoCarteira.objects.get()
    assert simulacao.status == "SIMULACAO" and bytes(simulacao.conteudo_planilha) == conteudo
    assert (simulacao.linhas_removidas, simulacao.pre_separacoes_canceladas, simulacao.separacoes_canceladas) == (
        1,
        1,
        1,
    )
    assert simulacao.pre_separacoes_reduzidas == 1 and simulacao.linhas_novas == 1
    pagina = cliente_staff.get(resposta.url).content.decode()
    assert "Aplicar este plano" in pagina and "Simulação: nada foi gravado." in pagina
    # The button comes after the plan and the report: read before applying.
    assert pagina.index('value="Aplicar este plano"') > pagina.index('class="app-relatorio"')
    # What it would cut, one row per pré-separação/separação.
    assert "Pré-separações e separações (fora as COTADO) reduzidas ou canceladas: 3" in pagina
    pre0 = dez["pre0"]
    assert f"<td>pré-separação</td><td>{pre0.pk}</td><td>PED0</td><td>A</td><td>cancelada</td>" in pagina


def test_simulacao_destrutiva_e_um_aviso_com_as_contagens(dez, cliente_staff):
    resposta, simulacao = simular(cliente_staff)
    assert textos(resposta, messages.SUCCESS) == []
    (aviso,) = textos(resposta, messages.WARNING)
    assert aviso.startswith(f"Simulação nº {simulacao.pk}, nada foi gravado. Atenção: aplicado, este plano faria ")
    for trecho in (
        "1 linha(s) removida(s) da carteira",
        "1 pré-separação(ões) reduzida(s) e 1 cancelada(s)",
        "0 separação(ões) reduzida(s) e 1 cancelada(s)",
    ):
        assert trecho in aviso
    pagina = cliente_staff.get(resposta.url).content.decode()
    assert '<li class="warning">Simulação: nada foi gravado. Atenção, aplicado, este plano faria:' in pagina


def test_simulacao_com_separacao_cotada_e_um_aviso(dez, cliente_staff):
    f.linha_carteira("PED-C", "A", 50, origem="ODOO")
    f.separacao("A", 50, lote="LC", pedido="PED-C", status="COTADO")
    linhas = [(f"PED{i}", "A", 10) for i in range(10)] + [("PED-C", "A", 40)]
    resposta, simulacao = simular(cliente_staff, linhas)
    (aviso,) = textos(resposta, messages.WARNING)
    assert "1 alerta(s) de separação COTADO" in aviso and "1 separação(ões) reduzida(s)" in aviso
    assert simulacao.plano["motivos"] == ["altera 1 separação(ões) COTADO (lotes LC)"]
    pagina = cliente_staff.get(resposta.url).content.decode()
    assert "Este plano exige confirmação porque:" in pagina
    assert '<input type="checkbox" name="confirmar" value="sim" required>' in pagina


def test_simulacao_sem_nada_destrutivo_e_informativa(dez, cliente_staff):
    linhas = [(f"PED{i}", "A", 12) for i in range(10)]  # every line up: nothing removed or cut
    resposta, simulacao = simular(cliente_staff, linhas)
    assert textos(resposta, messages.SUCCESS) == [] and textos(resposta, messages.WARNING) == []
    (info,) = textos(resposta, messages.INFO)
    assert info.startswith(f"Simulação nº {simulacao.pk}, nada foi gravado; nada destrutivo: 0 novas, 0 removidas")
    assert "Nada destrutivo neste plano" in cliente_staff.get(resposta.url).content.decode()


# ---------------------------------------------------------------- applying the simulated plan


def test_aplicar_este_plano_aplica_a_planilha_guardada(dez, cliente_staff):
    _, simulacao = simular(cliente_staff)
    resposta = aplicar(cliente_staff, simulacao)  # no file in this request
    execucao = SincronizacaoCarteira.objects.get(status="SUCESSO")
    assert (resposta.status_code, resposta.url) == (302, reverse(URL_RUN, args=[execucao.pk]))
    assert carteira() == {(p, c): D(q) for p, c, q in ARQUIVO}
    # The allocations as simulated: PED0's cancelled (kept), PED1's pré-separação down to 3.
    for nome in ("pre0", "sep0", "pre1"):
        dez[nome].refresh_from_db()
    assert dez["pre0"].status == "CANCELADO" and dez["pre0"].cancelado_por_sincronizacao == execucao
    assert dez["sep0"].cancelado_por_sincronizacao == execucao
    assert dez["pre1"].qtd_selecionada_usuario == 3 and dez["pre1"].status == "CRIADO"
    contagens = ("linhas_removidas", "linhas_novas", "pre_separacoes_reduzidas", "pre_separacoes_canceladas")
    assert [getattr(execucao, c) for c in contagens] == [getattr(simulacao, c) for c in contagens]
    simulacao.refresh_from_db()
    assert simulacao.status == "CONFIRMADA" and execucao.confirmacao_de == simulacao
    assert (execucao.origem, execucao.arquivo, execucao.usuario) == ("PLANILHA", "carteira.xlsx", "staff")
    # Destructive, so a warning with the counts; never a green box.
    assert textos(resposta, messages.SUCCESS) == []
    assert any(f"Carteira sincronizada (nº {execucao.pk}): 1 novas, 1 removidas" in t for t in textos(resposta))
    assert limpo()


def test_simulacao_que_exige_confirmacao_so_se_aplica_confirmando(dez, cliente_staff):
    """The same guard as the Odoo sync: a plan that removes too much is applied only when the user
    ticks that they confirm the reasons the simulation's page shows."""
    linhas = [(f"PED{i}", "A", 10) for i in range(5, 10)]  # 5 of 10 removed: above the 20% limit
    _, simulacao = simular(cliente_staff, linhas)
    assert simulacao.plano["motivos"][0].startswith("remove 5 de 10 linha(s) do Odoo na carteira (50,0%)")
    antes = retrato()
    resposta = aplicar(cliente_staff, simulacao)  # the box left unticked
    assert textos(resposta, messages.ERROR)[-1].startswith(
        f"Plano não aplicado, nada foi alterado: O plano da simulação nº {simulacao.pk} exige confirmação (remove 5"
    )
    assert retrato() == antes and SincronizacaoCarteira.objects.count() == 1
    aplicar(cliente_staff, simulacao, confirmar="sim")
    assert SincronizacaoCarteira.objects.get(confirmacao_de=simulacao).status == "SUCESSO"
    assert carteira() == {(p, c): D(q) for p, c, q in linhas}


def test_carteira_que_encolheu_o_plano_ainda_aplica(dez, cliente_staff):
    """Within the simulated plan: the pré-separação the plan would cancel is gone already."""
    _, simulacao = simular(cliente_staff)
    dez["pre0"].delete()
    aplicar(cliente_staff, simulacao)
    execucao = SincronizacaoCarteira.objects.get(confirmacao_de=simulacao)
    assert execucao.status == "SUCESSO" and execucao.pre_separacoes_canceladas == 0
    assert carteira() == {(p, c): D(q) for p, c, q in ARQUIVO}


# ---------------------------------------------------------------- refused: the carteira changed


def _recusada(cliente, simulacao, *trechos):
    antes, aplicadas = retrato(), SincronizacaoCarteira.objects.filter(status="SUCESSO").count()
    resposta = aplicar(cliente, simulacao)
    assert (resposta.status_code, resposta.url) == (302, reverse(URL_RUN, args=[simulacao.pk]))
    erro = textos(resposta, messages.ERROR)[-1]  # an earlier one is still pending when the redirect is not followed
    assert erro.startswith("Plano não aplicado, nada foi alterado: ")
    for trecho in trechos:
        assert trecho in erro
    assert retrato() == antes and limpo()
    assert SincronizacaoCarteira.objects.filter(status="SUCESSO").count() == aplicadas
    return erro


def test_recusada_com_pre_separacao_nova_numa_linha_removida(dez, cliente_staff):
    _, simulacao = simular(cliente_staff)
    nova = f.pre_separacao("A", 1, k=4, pedido="PED0")
    _recusada(
        cliente_staff,
        simulacao,
        f"A carteira mudou desde a simulação nº {simulacao.pk}: ",
        f"pré-separação #{nova.pk} (PED0/A) seria cancelada e não estava no plano simulado",
        "Simule de novo; nada foi gravado.",
    )
    simulacao.refresh_from_db()
    assert simulacao.status == "SIMULACAO"  # nothing changed it: a new simulation shows the new plan
    falha = SincronizacaoCarteira.objects.get(status="FALHA")
    assert falha.confirmacao_de == simulacao and "a carteira mudou desde a simulação" in falha.erro.lower()


def test_recusada_com_alocacao_nova_numa_linha_reduzida(dez, cliente_staff):
    _, simulacao = simular(cliente_staff)
    # PED1 goes 10 -> 3; its pré-separação of 8 was to become 3. A separação of 2 made since holds
    # 2 of those 3 (separações give way last): the pré-separação would keep only 1.
    f.separacao("A", 2, k=4, lote="L1", pedido="PED1", status="ABERTO")
    _recusada(
        cliente_staff,
        simulacao,
        f"pré-separação #{dez['pre1'].pk} (PED1/A) ficaria com 1.000; o plano simulado dizia 3.000",
    )
    # A new pré-separação is taken first (newest first): it would be cancelled, not in the plan.
    nova = f.pre_separacao("A", 1, k=4, pedido="PED1")
    _recusada(cliente_staff, simulacao, f"pré-separação #{nova.pk} (PED1/A) seria cancelada e não estava no plano")


def test_recusada_com_linha_nova_na_carteira_que_a_planilha_removeria(dez, cliente_staff):
    _, simulacao = simular(cliente_staff)
    f.linha_carteira("PED-X", "A", 5, origem="ODOO")
    _recusada(cliente_staff, simulacao, "1 linha(s) a remover que não estavam no plano simulado: PED-X/A")


def test_recusada_quando_o_plano_passou_a_exigir_confirmacao(dez, cliente_staff, settings):
    settings.CARTEIRA_SINCRONIZACAO_LIMITE_REMOCAO = "100"
    _, simulacao = simular(cliente_staff, [(f"PED{i}", "A", 10) for i in range(5, 10)])
    assert simulacao.plano["motivos"] == []
    settings.CARTEIRA_SINCRONIZACAO_LIMITE_REMOCAO = "20"
    _recusada(cliente_staff, simulacao, "o plano agora exige confirmação (remove 5 de 10 linha(s)")


def test_recusada_depois_de_outra_sincronizacao_aplicada(dez, cliente_staff):
    _, simulacao = simular(cliente_staff)
    outra = servico.sincronizar(
        lambda: [{"num_pedido": f"PED{i}", "cod_produto": "A", "qtd_saldo_produto_pedido": D("10")} for i in range(10)],
        origem="ODOO",
        gatilho="COMANDO",
    )
    assert outra.status == "SUCESSO"
    simulacao.refresh_from_db()
    assert simulacao.status == "SUPERADA" and simulacao.conteudo_planilha is None
    _recusada(
        cliente_staff,
        simulacao,
        f"A simulação nº {simulacao.pk} foi superada por uma sincronização aplicada depois dela: a carteira mudou "
        "desde a simulação; simule de novo.",
    )
    assert (
        "Superada por uma sincronização aplicada depois dela"
        in cliente_staff.get(reverse(URL_RUN, args=[simulacao.pk])).content.decode()
    )


# ---------------------------------------------------------------- once, and with the permission


def test_nao_aplica_duas_vezes(dez, cliente_staff):
    _, simulacao = simular(cliente_staff)
    aplicar(cliente_staff, simulacao)
    execucao = SincronizacaoCarteira.objects.get(status="SUCESSO")
    antes = retrato()
    resposta = aplicar(cliente_staff, simulacao)
    assert textos(resposta, messages.ERROR) == [
        f"Plano não aplicado, nada foi alterado: A simulação nº {simulacao.pk} já foi aplicada (execução nº "
        f"{execucao.pk}): um plano se aplica uma vez só; nada foi feito."
    ]
    assert retrato() == antes
    assert SincronizacaoCarteira.objects.count() == 2  # refused before starting a run
    pagina = cliente_staff.get(reverse(URL_RUN, args=[simulacao.pk])).content.decode()
    assert "Aplicar este plano" not in pagina and "um plano se aplica uma vez só" in pagina


def test_aplicar_exige_post_e_permissao(dez, cliente_staff, client, django_user_model):
    _, simulacao = simular(cliente_staff)
    assert cliente_staff.get(reverse(URL_APLICAR, args=[simulacao.pk])).status_code == 405
    leitor = django_user_model.objects.create_user("leitor", password="senha-forte-123", is_staff=True)
    leitor.user_permissions.add(Permission.objects.get(codename="view_sincronizacaocarteira"))
    client.force_login(leitor)
    antes = retrato()
    assert client.post(reverse(URL_APLICAR, args=[simulacao.pk])).status_code == 403
    assert retrato() == antes
    pagina = client.get(reverse(URL_RUN, args=[simulacao.pk])).content.decode()
    assert "Aplicar este plano" not in pagina and "Você não tem permissão para aplicar" in pagina
    simulacao.refresh_from_db()
    assert simulacao.status == "SIMULACAO"


def test_so_simulacao_de_planilha_se_aplica(dez):
    odoo = servico.sincronizar(lambda: [], origem="ODOO", gatilho="COMANDO", simular=True)
    with pytest.raises(ErroSincronizacao, match=f"A simulação nº {odoo.pk} veio do Odoo"):
        servico.aplicar_simulacao(odoo, gatilho="ADMIN")
    simulacao = servico.sincronizar_planilha(io.BytesIO(xlsx(ARQUIVO)), nome="c.xlsx", gatilho="ADMIN", simular=True)
    with pytest.raises(ErroSincronizacao, match="A sincronização agendada nunca confirma"):
        servico.aplicar_simulacao(simulacao, gatilho="AGENDAMENTO")
    SincronizacaoCarteira.objects.filter(pk=simulacao.pk).update(conteudo_planilha=None)
    simulacao.refresh_from_db()
    with pytest.raises(ErroSincronizacao, match="não guardou a planilha"):
        servico.aplicar_simulacao(simulacao, gatilho="ADMIN")


# ---------------------------------------------------------------- a waiting run confirmed without re-upload


def test_execucao_parada_de_planilha_confirma_com_o_arquivo_guardado(dez, cliente_staff, tmp_path):
    linhas = [(f"PED{i}", "A", 10) for i in range(5, 10)]
    arquivo = tmp_path / "carteira.xlsx"
    conteudo = xlsx(linhas)  # (xlsx bytes hold the time they were made: compare with these)
    arquivo.write_bytes(conteudo)
    parada = servico.sincronizar_planilha(str(arquivo), gatilho="COMANDO")
    assert parada.status == "AGUARDANDO_CONFIRMACAO" and bytes(parada.conteudo_planilha) == conteudo
    arquivo.unlink()  # the file is gone: the confirmation reads the copy kept with the run
    url = reverse(URL_CONFIRMAR, args=[parada.pk])
    pagina = cliente_staff.get(url).content.decode()
    assert 'type="file"' not in pagina and "da planilha guardada com esta execução" in pagina
    resposta = cliente_staff.post(url)
    execucao = SincronizacaoCarteira.objects.get(status="SUCESSO")
    assert (resposta.status_code, execucao.confirmacao_de) == (302, parada)
    assert carteira() == {(p, c): D(q) for p, c, q in linhas}
    assert textos(resposta, messages.SUCCESS) == [] and textos(resposta, messages.WARNING)


def test_comando_confirma_a_planilha_guardada(dez, tmp_path, capsys):
    linhas = [(f"PED{i}", "A", 10) for i in range(5, 10)]
    arquivo = tmp_path / "carteira.xlsx"
    arquivo.write_bytes(xlsx(linhas))
    with pytest.raises(CommandError, match="--confirmar"):
        call_command("sincronizar_carteira", "--planilha", str(arquivo))
    arquivo.write_bytes(xlsx([]))  # changed on disk afterwards: what was planned is what is confirmed
    call_command("sincronizar_carteira", "--planilha", str(arquivo), "--confirmar")
    assert carteira() == {(p, c): D(q) for p, c, q in linhas}


# ---------------------------------------------------------------- PostgreSQL: two applies at once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_duas_aplicacoes_ao_mesmo_tempo_so_uma_aplica():
    f.produto("A")
    f.movimento("A", 1000)
    for i in range(10):
        f.linha_carteira(f"PED{i}", "A", 10, origem="ODOO")
    pre = f.pre_separacao("A", 4, k=2, pedido="PED0")
    simulacao = servico.sincronizar_planilha(io.BytesIO(xlsx(ARQUIVO)), nome="c.xlsx", gatilho="ADMIN", simular=True)
    largada, resultados = threading.Barrier(2), []

    def aplicar_em_thread():
        try:
            alvo = SincronizacaoCarteira.objects.get(pk=simulacao.pk)
            largada.wait()
            resultados.append(servico.aplicar_simulacao(alvo, gatilho="ADMIN", espera=30).status)
        except Exception as erro:  # reported by the assertion below
            resultados.append(repr(erro))
        finally:
            connection.close()

    threads = [threading.Thread(target=aplicar_em_thread) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    aplicou = SincronizacaoCarteira.objects.get(status="SUCESSO")
    assert sorted(resultados) == sorted(
        [
            "SUCESSO",
            f"ErroSincronizacao('A simulação nº {simulacao.pk} já foi aplicada (execução nº {aplicou.pk}): um plano "
            "se aplica uma vez só; nada foi feito.')",
        ]
    )
    assert carteira() == {(p, c): D(q) for p, c, q in ARQUIVO}
    pre.refresh_from_db()
    assert pre.status == "CANCELADO" and pre.cancelado_por_sincronizacao == aplicou
    assert limpo()
