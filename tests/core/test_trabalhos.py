"""Background jobs (core.trabalhos): lifecycle, live progress, the file only for allowed users, one
per user and kind (also under a concurrent double click), a refusing broker, crashes, stalled
jobs, the cleanup; and the four uses: big exports, "Sincronizar agora", large import applies, the
admin's rebuild and reconciliation. django-q2 runs in sync mode (tarefas_sincronas) where a job
must run; elsewhere the broker is replaced so the job stays queued."""

import io
import logging
import threading
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from core import trabalhos
from core.autoria import Origem
from core.models import Importacao, Trabalho
from core.trabalhos import ErroTrabalho, Resultado, Tipo, servico
from core.trabalhos.agendamentos import FUNCAO, LIMPEZA
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque, ReconciliacaoExecucao
from relatorios import excel
from tests import fabricas as f
from tests.core.test_historico import historico
from tests.core.test_importacoes import csv, movimentos_csv, receber
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
Status = Trabalho.Status
LINHAS_TESTE = 5


@pytest.fixture
def tipo_teste():
    """A kind that writes LINHAS_TESTE rows, reporting each, and returns a small file."""

    def executar(trabalho, progresso):
        progresso(0, LINHAS_TESTE, "Escrevendo")
        for feitas in range(1, LINHAS_TESTE + 1):
            progresso(feitas)
        return Resultado(resumo="Pronto: 5 linhas.", arquivo=b"conteudo do arquivo", arquivo_nome="teste.txt")

    trabalhos.registrar(Tipo("teste", "Trabalho de teste", executar))
    yield "teste"
    trabalhos._tipos.pop("teste", None)


@pytest.fixture
def tipo_com_erro():
    def executar(trabalho, progresso):
        progresso(1, 4, "Quase lá")
        if trabalho.parametros.get("recusa"):
            raise ErroTrabalho("A origem recusou o pedido.")
        raise RuntimeError("disco cheio")

    trabalhos.registrar(Tipo("quebra", "Trabalho que quebra", executar))
    yield "quebra"
    trabalhos._tipos.pop("quebra", None)


@pytest.fixture
def ana(django_user_model):
    return django_user_model.objects.create_user("ana", "ana@example.com", "senha-forte-123")


@pytest.fixture
def fila_parada(monkeypatch):
    """A broker that takes the task and never runs it: the job stays PENDENTE."""
    enfileiradas = []
    monkeypatch.setattr(servico, "async_task", lambda *args, **kwargs: enfileiradas.append(args))
    return enfileiradas


@pytest.fixture
def publicados(monkeypatch):
    """Every progress write, as (feitos, total, percentual)."""
    vistos = []
    original = servico.Progresso.publicar

    def publicar(self):
        vistos.append((self.feitos, self.total, servico._percentual(self.feitos, self.total)))
        original(self)

    monkeypatch.setattr(servico.Progresso, "publicar", publicar)
    return vistos


# ---------------------------------------------------------------- lifecycle and progress


def test_ciclo_de_vida_progresso_e_arquivo(tarefas_sincronas, tipo_teste, ana, publicados):
    trabalho = servico.iniciar(tipo_teste, ana, {"x": 1})
    trabalho.refresh_from_db()
    assert trabalho.status == Status.CONCLUIDO and trabalho.progresso == 100
    assert (trabalho.linhas_feitas, trabalho.linhas_total) == (LINHAS_TESTE, LINHAS_TESTE)
    assert trabalho.iniciado_em and trabalho.finalizado_em >= trabalho.iniciado_em >= trabalho.criado_em
    assert trabalho.resumo == "Pronto: 5 linhas." and trabalho.erro == ""
    assert trabalho.arquivo_nome == "teste.txt" and trabalho.parametros == {"x": 1}
    with trabalho.arquivo.open("rb") as aberto:
        assert aberto.read() == b"conteudo do arquivo"
    assert str(tarefas_sincronas) in trabalho.arquivo.path
    # The progress advanced row by row, and never claimed 100 % before the end.
    percentuais = [p for feitos, total, p in publicados if total == LINHAS_TESTE]
    assert percentuais == sorted(percentuais) and len(set(percentuais)) >= LINHAS_TESTE
    assert percentuais[0] == 0 and max(percentuais) == 99  # 100 only once it is CONCLUIDO
    assert servico.progresso_ao_vivo(trabalho.pk) is None  # the live entry is gone with the job


@pytest.mark.django_db(transaction=True)
def test_banco_ocupado_ao_gravar_o_progresso_nao_derruba_o_trabalho(tarefas_sincronas, tipo_teste, ana, monkeypatch):
    from django.db import OperationalError

    gravacoes = []

    def ocupado(*args):
        gravacoes.append(args)
        raise OperationalError("database is locked")

    monkeypatch.setattr(servico, "_gravar_na_linha", ocupado)
    trabalho = servico.iniciar(tipo_teste, ana)
    trabalho.refresh_from_db()
    assert gravacoes and trabalho.status == Status.CONCLUIDO and trabalho.linhas_feitas == LINHAS_TESTE


def test_progresso_ao_vivo_aparece_na_situacao_enquanto_roda(ana):
    trabalho = Trabalho.objects.create(
        tipo="teste", titulo="x", usuario=ana, status=Status.EXECUTANDO, atualizado_em=timezone.now()
    )
    servico.Progresso(trabalho)(250, 1000, "Gravando")
    situacao = servico.situacao(trabalho)
    assert (situacao["linhas_feitas"], situacao["linhas_total"], situacao["progresso"]) == (250, 1000, 25)
    assert situacao["etapa"] == "Gravando" and situacao["em_andamento"] is True
    assert situacao["unidade"] == "linha(s)"  # a kind that does not say counts lines


def test_pagina_json_e_arquivo_so_para_o_dono_ou_staff_com_permissao(
    tarefas_sincronas, tipo_teste, ana, client, django_user_model
):
    trabalho = servico.iniciar(tipo_teste, ana)
    detalhe = reverse("trabalhos:detalhe", args=[trabalho.pk])
    situacao = reverse("trabalhos:situacao", args=[trabalho.pk])
    arquivo = reverse("trabalhos:arquivo", args=[trabalho.pk])

    assert client.get(arquivo).status_code == 302  # anonymous: to the login
    client.force_login(ana)
    pagina = client.get(detalhe).content.decode()
    assert "Trabalho de teste" in pagina and "Pronto: 5 linhas." in pagina and arquivo in pagina
    assert 'src="/static/js/trabalho.js"' in pagina and "<script>" not in pagina
    dados = client.get(situacao).json()
    assert (dados["status"], dados["progresso"], dados["tem_arquivo"]) == ("CONCLUIDO", 100, True)
    baixado = client.get(arquivo)
    assert baixado.status_code == 200 and b"".join(baixado.streaming_content) == b"conteudo do arquivo"
    assert 'filename="teste.txt"' in baixado["Content-Disposition"]
    assert str(trabalho.pk) in client.get(reverse("trabalhos:lista")).content.decode()

    outro = django_user_model.objects.create_user("bia", password="senha-forte-123")
    client.force_login(outro)
    assert [client.get(u).status_code for u in (detalhe, situacao, arquivo)] == [403] * 3
    assert f">{trabalho.pk}<" not in client.get(reverse("trabalhos:lista")).content.decode()
    chefe = django_user_model.objects.create_user("chefe", password="senha-forte-123", is_staff=True)
    client.force_login(chefe)
    assert client.get(arquivo).status_code == 403  # staff alone is not enough
    chefe.user_permissions.add(Permission.objects.get(codename="view_trabalho"))
    client.force_login(chefe)
    assert [client.get(u).status_code for u in (detalhe, situacao, arquivo)] == [200] * 3
    # The admin lists it with its progress bar and the link.
    chefe.is_superuser = True
    chefe.save()
    lista = client.get(reverse("admin:core_trabalho_changelist")).content.decode()
    assert '<progress value="100" max="100">' in lista and arquivo in lista


# ---------------------------------------------------------------- one per user and kind


def test_um_trabalho_em_andamento_por_usuario_e_tipo(tipo_teste, tipo_com_erro, ana, django_user_model, fila_parada):
    primeiro = servico.iniciar(tipo_teste, ana)
    with pytest.raises(servico.TrabalhoEmAndamento) as recusa:
        servico.iniciar(tipo_teste, ana)
    assert recusa.value.trabalho == primeiro
    assert f"nº {primeiro.pk}" in str(recusa.value) and "já tem um trabalho deste tipo em andamento" in str(
        recusa.value
    )
    # Another user, or another kind, is not blocked.
    servico.iniciar(tipo_teste, django_user_model.objects.create_user("bia"))
    servico.iniciar(tipo_com_erro, ana)
    # Once it ends, a new one may start.
    Trabalho.objects.filter(pk=primeiro.pk).update(status=Status.CONCLUIDO)
    servico.iniciar(tipo_teste, ana)
    assert Trabalho.objects.filter(usuario=ana, tipo=tipo_teste).count() == 2
    assert len(fila_parada) == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_clique_duplo_ao_mesmo_tempo_cria_um_so(tipo_teste, ana, fila_parada):
    barreira = threading.Barrier(2)
    resultados = []

    def pedir():
        try:
            barreira.wait()
            resultados.append(servico.iniciar(tipo_teste, ana).pk)
        except servico.TrabalhoEmAndamento as erro:
            resultados.append(f"recusado: {erro.trabalho.pk}")
        finally:
            connection.close()

    fios = [threading.Thread(target=pedir) for _ in range(2)]
    for fio in fios:
        fio.start()
    for fio in fios:
        fio.join()
    criado = Trabalho.objects.get()
    assert sorted(map(str, resultados)) == sorted([str(criado.pk), f"recusado: {criado.pk}"])
    assert len(fila_parada) == 1


# ---------------------------------------------------------------- broker refusing, crashes, stalls


def test_fila_recusando_nao_deixa_nada(tipo_teste, ana, monkeypatch, caplog):
    def recusar(*args, **kwargs):
        raise ConnectionError("Redis fora do ar")

    monkeypatch.setattr(servico, "async_task", recusar)
    with caplog.at_level(logging.ERROR), pytest.raises(servico.FilaIndisponivel, match="nada foi iniciado"):
        servico.iniciar(tipo_teste, ana)
    assert not Trabalho.objects.exists()
    assert "Redis fora do ar" in caplog.text


def test_executar_um_trabalho_apagado_nao_faz_nada(tipo_teste, ana):
    assert servico.executar(123456) == ""


def test_erro_inesperado_marca_falhou_com_o_erro_e_registra(tarefas_sincronas, tipo_com_erro, ana, caplog):
    with caplog.at_level(logging.ERROR, logger="core.trabalhos.servico"):
        trabalho = servico.iniciar(tipo_com_erro, ana)
    trabalho.refresh_from_db()
    assert trabalho.status == Status.FALHOU and trabalho.finalizado_em
    assert trabalho.erro == "Erro inesperado (RuntimeError): disco cheio"
    assert not trabalho.arquivo
    assert "disco cheio" in caplog.text and f"trabalho {trabalho.pk}" in caplog.text


def test_recusa_conhecida_marca_falhou_com_a_mensagem(tarefas_sincronas, tipo_com_erro, ana):
    trabalho = servico.iniciar(tipo_com_erro, ana, {"recusa": True})
    trabalho.refresh_from_db()
    assert (trabalho.status, trabalho.erro) == (Status.FALHOU, "A origem recusou o pedido.")


def test_trabalho_parado_nao_bloqueia_o_usuario(tipo_teste, ana, fila_parada, settings):
    velho = timezone.now() - timedelta(minutes=settings.TRABALHOS_SEM_PROGRESSO_MINUTOS + 1)
    parado = Trabalho.objects.create(
        tipo=tipo_teste, titulo="x", usuario=ana, status=Status.EXECUTANDO, atualizado_em=velho
    )
    novo = servico.iniciar(tipo_teste, ana)
    parado.refresh_from_db()
    assert parado.status == Status.FALHOU and "Sem nenhum progresso há mais de" in parado.erro
    assert novo.status == Status.PENDENTE


def test_limpeza_falha_os_parados_mas_nao_os_que_progridem_so_no_cache(ana, settings):
    velho = timezone.now() - timedelta(minutes=settings.TRABALHOS_SEM_PROGRESSO_MINUTOS + 1)
    parado = Trabalho.objects.create(tipo="a", titulo="x", usuario=ana, status=Status.EXECUTANDO, atualizado_em=velho)
    vivo = Trabalho.objects.create(tipo="b", titulo="x", usuario=ana, status=Status.EXECUTANDO, atualizado_em=velho)
    caches["compartilhado"].set(servico._chave(vivo.pk), {"feitos": 1, "total": 2, "em": timezone.now().isoformat()})
    try:
        assert servico.limpar()["parados"] == 1
    finally:
        caches["compartilhado"].delete(servico._chave(vivo.pk))
    assert Trabalho.objects.get(pk=parado.pk).status == Status.FALHOU
    assert Trabalho.objects.get(pk=vivo.pk).status == Status.EXECUTANDO


def test_limpeza_apaga_os_arquivos_velhos_e_esta_agendada(
    tarefas_sincronas, tipo_teste, ana, django_user_model, settings
):
    velho = servico.iniciar(tipo_teste, ana)
    recente = servico.iniciar(tipo_teste, django_user_model.objects.create_user("bia"))
    velho.refresh_from_db()
    caminho_velho = velho.arquivo.path
    Trabalho.objects.filter(pk=velho.pk).update(
        finalizado_em=timezone.now() - timedelta(days=settings.TRABALHOS_DIAS_ARQUIVOS, hours=1)
    )
    assert servico.limpar() == {"arquivos": 1, "parados": 0}
    velho.refresh_from_db()
    recente.refresh_from_db()
    assert not velho.arquivo and velho.arquivo_expirado
    assert not (tarefas_sincronas / caminho_velho).exists()
    assert recente.arquivo and recente.arquivo.storage.exists(recente.arquivo.name)
    agendamento = Schedule.objects.get(name=LIMPEZA)
    assert (agendamento.func, agendamento.schedule_type, agendamento.repeats) == (FUNCAO, "H", -1)


# ---------------------------------------------------------------- 1. Excel exports


@pytest.fixture
def carteira_pequena():
    f.produto("P1")
    for numero in range(1, 4):
        f.linha_carteira(f"PED{numero}", "P1", 10 * numero)
    f.pre_separacao("P1", 5, k=2, pedido="PED1")


def test_exportacao_pequena_baixa_direto(cliente_staff, carteira_pequena, settings):
    settings.RELATORIOS_LINHAS_FUNDO = 1000
    resposta = cliente_staff.get("/relatorios/carteira-detalhada.xlsx")
    assert resposta.status_code == 200 and resposta["Content-Type"].startswith("application/vnd.openxml")
    assert not Trabalho.objects.exists()


def test_exportacao_grande_vira_trabalho_com_progresso(
    tarefas_sincronas, cliente_staff, carteira_pequena, settings, monkeypatch, publicados
):
    settings.RELATORIOS_LINHAS_FUNDO = 2
    monkeypatch.setattr(excel, "AVISAR_A_CADA", 1)
    resposta = cliente_staff.get("/relatorios/carteira-detalhada.xlsx", {"de": "", "ate": ""})
    trabalho = Trabalho.objects.get()
    assert (resposta.status_code, resposta.url) == (302, reverse("trabalhos:detalhe", args=[trabalho.pk]))
    mensagens = [str(m) for m in get_messages(resposta.wsgi_request)]
    assert any("cerca de 4 linhas" in m and "segundo plano" in m for m in mensagens)
    assert (trabalho.tipo, trabalho.status) == ("exportacao:carteira-detalhada", Status.CONCLUIDO)
    assert (trabalho.linhas_feitas, trabalho.linhas_total) == (4, 4)
    assert trabalho.arquivo_nome.startswith("carteira_detalhada_") and trabalho.arquivo_nome.endswith(".xlsx")
    assert [feitos for feitos, total, _ in publicados if total == 4] == [0, 0, 1, 2, 3, 4, 4]
    baixado = cliente_staff.get(reverse("trabalhos:arquivo", args=[trabalho.pk]))
    livro = openpyxl.load_workbook(io.BytesIO(b"".join(baixado.streaming_content)))
    tipos = [linha[0] for linha in livro.active.iter_rows(min_row=6, values_only=True)]
    assert tipos.count("Pedido") == 3 and tipos.count("Pré-separação") == 1


def test_exportacao_grande_repetida_leva_ao_trabalho_em_andamento(
    cliente_staff, carteira_pequena, settings, fila_parada
):
    settings.RELATORIOS_LINHAS_FUNDO = 2
    cliente_staff.get("/relatorios/carteira-detalhada.xlsx")
    segunda = cliente_staff.get("/relatorios/carteira-detalhada.xlsx")
    trabalho = Trabalho.objects.get()
    assert segunda.url == reverse("trabalhos:detalhe", args=[trabalho.pk])
    assert any("já tem um trabalho deste tipo" in str(m) for m in get_messages(segunda.wsgi_request))


def test_exportacao_grande_com_a_fila_fora_do_ar(cliente_staff, carteira_pequena, settings, monkeypatch):
    settings.RELATORIOS_LINHAS_FUNDO = 2

    def recusar(*args, **kwargs):
        raise ConnectionError("sem broker")

    monkeypatch.setattr(servico, "async_task", recusar)
    resposta = cliente_staff.get("/relatorios/carteira-detalhada.xlsx")
    assert resposta.url == reverse("trabalhos:lista")
    assert any("fila de tarefas" in str(m) for m in get_messages(resposta.wsgi_request))
    assert not Trabalho.objects.exists()


# ---------------------------------------------------------------- 2. "Sincronizar agora"


def test_sincronizar_agora_vira_trabalho(tarefas_sincronas, cliente_staff, staff, monkeypatch, publicados):
    from carteira.models import SincronizacaoCarteira
    from carteira.sincronizacao import servico as sincronizacao

    f.produto("P1")

    class OdooFalso:
        def buscar_carteira(self):
            return [
                {
                    "num_pedido": "PED1",
                    "cod_produto": "P1",
                    "nome_produto": "P1",
                    "qtd_produto_pedido": Decimal("10"),
                    "qtd_saldo_produto_pedido": Decimal("10"),
                    "data_pedido": f.hoje(),
                    "odoo_line_id": 1,
                }
            ]

    monkeypatch.setattr(sincronizacao, "ClienteOdoo", OdooFalso)
    resposta = cliente_staff.post(reverse("admin:carteira_sincronizacaocarteira_sincronizar"))
    trabalho = Trabalho.objects.get()
    assert resposta.url == reverse("trabalhos:detalhe", args=[trabalho.pk])
    execucao = SincronizacaoCarteira.objects.get()
    assert (trabalho.status, trabalho.tipo) == (Status.CONCLUIDO, "sincronizacao-carteira"), trabalho.erro
    assert (execucao.gatilho, execucao.usuario) == ("ADMIN", "staff")
    assert trabalho.resumo.startswith(sincronizacao.resumo(execucao))
    assert trabalho.link in (
        reverse("admin:carteira_sincronizacaocarteira_change", args=[execucao.pk]),
        reverse("admin:carteira_sincronizacaocarteira_confirmar", args=[execucao.pk]),
    )
    assert [feitos for feitos, total, _ in publicados if total == sincronizacao.ETAPAS] == [0, 1, 3]


def test_comando_sincronizar_carteira_mostra_progresso(tmp_path, capsys):
    f.produto("P1")
    arquivo = tmp_path / "carteira.csv"
    arquivo.write_bytes(b"num_pedido;cod_produto;qtd_saldo_produto_pedido\nPED1;P1;10\nPED2;P1;5\n")
    call_command("sincronizar_carteira", "--planilha", str(arquivo))
    saida = capsys.readouterr().out
    # The same bar as gerar_dados_demo (core.comandos.BarraDeProgresso): a header per stage.
    for trecho in (
        "Lendo a carteira (Planilha)...",
        "Comparando e aplicando 2 linha(s) recebida(s)...",
        "  [###.......]  33%  1",
        "Sincronização concluída...",
        "  [##########] 100%  3",
        "  concluído em ",
    ):
        assert trecho in saida


# ---------------------------------------------------------------- 3. large import applies


@pytest.fixture
def produtos():
    f.produto("4510156", "PEPINO 300G")
    f.produto("P2", "AZEITONA")


def test_importacao_grande_aplica_em_trabalho_com_o_usuario_no_historico(
    tarefas_sincronas, produtos, settings, django_user_model, client
):
    ana = django_user_model.objects.create_user("ana", password="senha-forte-123", is_staff=True, is_superuser=True)
    settings.ESTOQUE_IMPORTACAO_BYTES_FUNDO = 10
    imp = receber(csv(movimentos_csv()), nome="mov.csv", usuario="ana")  # its preview ran on the "cluster"
    assert Importacao.objects.get(pk=imp.pk).status == Importacao.Status.PREVIA
    client.force_login(ana)
    resposta = client.post(reverse("importacoes:confirmar", args=[imp.pk]))
    assert resposta.url == reverse("importacoes:detalhe", args=[imp.pk])
    trabalho = Trabalho.objects.get()
    assert any(f"trabalho nº {trabalho.pk}" in str(m) for m in get_messages(resposta.wsgi_request))
    assert (trabalho.tipo, trabalho.status, trabalho.usuario) == ("importacao", Status.CONCLUIDO, ana), trabalho.erro
    assert trabalho.link == reverse("importacoes:detalhe", args=[imp.pk])
    assert Importacao.objects.get(pk=imp.pk).status == Importacao.Status.APLICADA
    movimento = MovimentacaoEstoque.objects.order_by("pk").first()
    assert historico(movimento)[0][:4] == ("+", "ana", Origem.IMPORTACAO, f"ana (importação nº {imp.pk})")
    assert diferencas_com_derivados() == []


def test_importacao_grande_com_a_fila_fora_do_ar_volta_a_previa(produtos, settings, django_user_model, monkeypatch):
    from core.importacoes import servico as importacoes
    from core.importacoes import tarefas

    django_user_model.objects.create_user("ana")
    monkeypatch.setattr(tarefas, "enfileirar", lambda funcao, *args: funcao(*args))
    settings.ESTOQUE_IMPORTACAO_BYTES_FUNDO = 10
    imp = receber(csv(movimentos_csv()), nome="mov.csv", usuario="ana")

    def recusar(*args, **kwargs):
        raise ConnectionError("sem broker")

    monkeypatch.setattr(servico, "async_task", recusar)
    with pytest.raises(importacoes.ErroImportacao, match="fila de tarefas"):
        importacoes.pedir_aplicacao(imp.pk, "ana")
    assert Importacao.objects.get(pk=imp.pk).status == Importacao.Status.PREVIA
    assert not Trabalho.objects.exists() and not MovimentacaoEstoque.objects.exists()


# ---------------------------------------------------------------- 4. rebuild and reconciliation from the admin


def test_admin_reconstruir_e_reconciliar_viram_trabalhos(tarefas_sincronas, cliente_staff, publicados):
    f.produto("P1")
    f.produto("P2")
    f.movimento("P1", 100)
    EstoqueTempoReal.objects.filter(cod_produto="P1").update(saldo_atual=Decimal("7"))  # drift to repair
    lista = cliente_staff.get(reverse("admin:estoque_reconciliacaoexecucao_changelist")).content.decode()
    assert "Reconstruir o estoque" in lista and "Reconciliar agora" in lista

    resposta = cliente_staff.post(reverse("admin:estoque_reconciliacaoexecucao_reconstruir"))
    reconstrucao = Trabalho.objects.get(tipo="reconstrucao-estoque")
    assert resposta.url == reverse("trabalhos:detalhe", args=[reconstrucao.pk])
    assert reconstrucao.status == Status.CONCLUIDO, reconstrucao.erro
    assert "produto(s) recalculado(s)" in reconstrucao.resumo
    assert EstoqueTempoReal.objects.get(cod_produto="P1").saldo_atual == Decimal("100")
    assert reconstrucao.linhas_feitas == reconstrucao.linhas_total >= 2
    # The page says what the count counts: products here, steps for the reconciliation.
    detalhe = cliente_staff.get(resposta.url).content.decode()
    assert f"{reconstrucao.linhas_total} produto(s)." in detalhe and "linha(s)" not in detalhe
    assert any(total == reconstrucao.linhas_total and feitos > 0 for feitos, total, _ in publicados)

    EstoqueTempoReal.objects.filter(cod_produto="P1").update(saldo_atual=Decimal("7"))
    resposta = cliente_staff.post(reverse("admin:estoque_reconciliacaoexecucao_reconciliar"))
    reconciliacao = Trabalho.objects.get(tipo="reconciliacao-estoque")
    assert resposta.url == reverse("trabalhos:detalhe", args=[reconciliacao.pk])
    assert reconciliacao.status == Status.CONCLUIDO, reconciliacao.erro
    execucao = ReconciliacaoExecucao.objects.order_by("pk").last()
    assert reconciliacao.link == reverse("admin:estoque_reconciliacaoexecucao_change", args=[execucao.pk])
    assert f"Reconciliação nº {execucao.pk}" in reconciliacao.resumo
    # Asked in the admin: the whole catalog, recorded as such, the drift repaired and counted.
    assert (execucao.origem, execucao.catalogo_inteiro) == (ReconciliacaoExecucao.Origem.ADMIN, True)
    assert (execucao.produtos_verificados, execucao.produtos_corrigidos) == (2, 1)
    reparo = execucao.reparos.get(cod_produto="P1", campo="saldo_atual")
    assert (Decimal(reparo.antes), Decimal(reparo.depois)) == (Decimal("7"), Decimal("100"))
    assert reconciliacao.linhas_feitas == reconciliacao.linhas_total > 0
    assert servico.situacao(reconciliacao)["unidade"] == "etapa(s)"
    assert diferencas_com_derivados() == []


def test_admin_reconstruir_exige_post_e_permissao(client, usuario_papel, fila_parada):
    client.force_login(usuario_papel("Estoque"))  # sees the reconciliations, may not start them
    url = reverse("admin:estoque_reconciliacaoexecucao_reconstruir")
    assert client.post(url).status_code == 403
    lista = client.get(reverse("admin:estoque_reconciliacaoexecucao_changelist")).content.decode()
    assert "Reconstruir o estoque" not in lista
    client.force_login(usuario_papel("Gestão"))
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302 and Trabalho.objects.get().status == Status.PENDENTE


def test_exportacao_do_saldo_grande_vira_trabalho_com_os_filtros(tarefas_sincronas, cliente_staff, settings):
    for codigo in ("AB1", "AB2", "ZZ9"):
        f.produto(codigo)
        f.movimento(codigo, 10)
    settings.RELATORIOS_LINHAS_FUNDO = 1
    resposta = cliente_staff.get("/relatorios/saldo-estoque.xlsx", {"q": "AB", "ordem": "-codigo"})
    trabalho = Trabalho.objects.get()
    assert resposta.url == reverse("trabalhos:detalhe", args=[trabalho.pk])
    assert (trabalho.tipo, trabalho.status, trabalho.linhas_feitas) == ("exportacao:saldo-estoque", Status.CONCLUIDO, 2)
    baixado = cliente_staff.get(reverse("trabalhos:arquivo", args=[trabalho.pk]))
    livro = openpyxl.load_workbook(io.BytesIO(b"".join(baixado.streaming_content)))
    assert [linha[0] for linha in livro.active.iter_rows(min_row=6, values_only=True)] == ["AB2", "AB1"]
