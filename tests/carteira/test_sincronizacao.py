"""The carteira sync's rules on records given directly (the Odoo transport has its own tests in
test_sincronizacao_odoo.py): the hierarchy, cancellations, MANUAL lines, alerts, the spreadsheet,
the schedule. The guard, the confirmation and the lock have theirs in test_sincronizacao_confirmacao.py."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_q.models import Schedule

from carteira.models import AlertaSeparacaoCotada, CarteiraPrincipal, PreSeparacaoItem, Separacao, SincronizacaoCarteira
from carteira.sincronizacao import servico
from carteira.sincronizacao.agendamentos import FUNCAO, SINCRONIZACAO, garantir_agendamento
from carteira.sincronizacao.registros import ErroSincronizacao
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def oraculo_no_fim(db):
    """After each scenario, whatever it did: derived tables == recomputation from the sources."""
    yield
    assert diferencas_com_derivados() == []


def registro(pedido, cod, saldo, **extra):
    return {
        "num_pedido": pedido,
        "cod_produto": cod,
        "qtd_produto_pedido": D(str(saldo)),
        "qtd_saldo_produto_pedido": D(str(saldo)),
        **extra,
    }


def sincronizar(*registros, simular=False, confirmar=False):
    """One run; with confirmar, a run that stops for confirmation is confirmed (the same records read again)."""

    def fonte():
        return list(registros)

    execucao = servico.sincronizar(fonte, origem="ODOO", gatilho="COMANDO", simular=simular)
    if confirmar:
        assert execucao.status == "AGUARDANDO_CONFIRMACAO", execucao.relatorio
        execucao = servico.sincronizar(fonte, origem="ODOO", gatilho="COMANDO", confirmacao=execucao)
        assert execucao.status == "SUCESSO", execucao.relatorio
    return execucao


@pytest.fixture
def p1():
    f.produto("P1")
    f.movimento("P1", 500)
    return "P1"


def existe(obj) -> bool:
    return type(obj).objects.filter(pk=obj.pk).exists()


def cancelada_por(obj, execucao) -> bool:
    """Kept (never deleted), cancelled by `execucao`, with its quantity as it was."""
    obj.refresh_from_db()
    if isinstance(obj, PreSeparacaoItem) and obj.status != "CANCELADO":
        return False
    return obj.cancelado_em is not None and obj.cancelado_por_sincronizacao_id == execucao.pk


def qtd(obj):
    obj.refresh_from_db()
    return obj.qtd_selecionada_usuario if isinstance(obj, PreSeparacaoItem) else obj.qtd_saldo


def test_hierarquia_completa(p1):
    f.linha_carteira("PED1", p1, 100, origem="ODOO")
    pre_velha = f.pre_separacao(p1, 20, pedido="PED1")
    pre_nova = f.pre_separacao(p1, 30, pedido="PED1")
    aberta = f.separacao(p1, 20, lote="LA", pedido="PED1", status="ABERTO")
    cotada = f.separacao(
        p1, 20, lote="LC", pedido="PED1", status="COTADO", valor_saldo=D("200"), peso=D("30"), pallet=D("0.2")
    )
    embarcada = f.separacao(p1, 5, lote="LE", pedido="PED1", status="EMBARCADO")
    faturada = f.separacao(p1, 50, lote="LF", pedido="PED1", status="FATURADO")
    nf_no_cd = f.separacao(p1, 50, lote="LN", pedido="PED1", status="NF no CD")

    # Allocated 95 (20+30+20+20+5), free 5. Down to 10: 85 must come back from the allocations.
    # It touches a COTADO separação: it stops for confirmation first.
    execucao = sincronizar(registro("PED1", p1, 10), confirmar=True)

    assert cancelada_por(pre_nova, execucao) and cancelada_por(pre_velha, execucao) and cancelada_por(aberta, execucao)
    assert (qtd(pre_nova), qtd(pre_velha), qtd(aberta)) == (30, 20, 20)  # kept as they were
    assert qtd(cotada) == 5
    assert (cotada.valor_saldo, cotada.peso, cotada.pallet) == (D("50.00"), D("7.500"), D("0.050"))
    assert qtd(embarcada) == 5 and qtd(faturada) == 50 and qtd(nf_no_cd) == 50
    alerta = AlertaSeparacaoCotada.objects.get()
    assert (alerta.tipo, alerta.qtd_antes, alerta.qtd_depois) == ("REDUCAO", 20, 5)
    assert (execucao.pre_separacoes_canceladas, execucao.separacoes_canceladas, execucao.separacoes_reduzidas) == (
        2,
        1,
        1,
    )
    assert diferencas_com_derivados() == []


def test_pre_separacoes_mais_novas_primeiro_e_saldo_livre_antes(p1):
    f.linha_carteira("PED1", p1, 100, origem="ODOO")
    velha = f.pre_separacao(p1, 30, pedido="PED1")
    nova = f.pre_separacao(p1, 30, pedido="PED1")
    # Free 40; down to 50 takes 40 from the free balance and 10 from the newest pré-separação.
    sincronizar(registro("PED1", p1, 50))
    assert qtd(nova) == 20 and qtd(velha) == 30
    # Down to 45 within what is allocated (50): 5 more from the newest.
    sincronizar(registro("PED1", p1, 45))
    assert qtd(nova) == 15 and qtd(velha) == 30
    assert diferencas_com_derivados() == []


def test_reducao_dentro_do_saldo_livre_nao_toca_alocacoes(p1):
    f.linha_carteira("PED1", p1, 100, origem="ODOO")
    pre = f.pre_separacao(p1, 30, pedido="PED1")
    sep = f.separacao(p1, 40, pedido="PED1", status="ABERTO")
    sincronizar(registro("PED1", p1, 70))
    assert qtd(pre) == 30 and qtd(sep) == 40
    assert CarteiraPrincipal.objects.get().qtd_saldo_produto_pedido == 70


def test_aumento_vai_para_o_saldo_livre(p1):
    f.linha_carteira("PED1", p1, 50, origem="ODOO")
    pre = f.pre_separacao(p1, 50, pedido="PED1")
    execucao = sincronizar(registro("PED1", p1, 70))
    assert qtd(pre) == 50
    assert execucao.linhas_aumentadas == 1
    assert CarteiraPrincipal.objects.get().qtd_saldo_produto_pedido == 70


def test_linha_removida_cancela_separacao_aberta_sem_alerta(p1):
    f.linha_carteira("PED1", p1, 40, origem="ODOO")
    aberta = f.separacao(p1, 40, pedido="PED1", status="ABERTO")
    enviada = f.pre_separacao(p1, 40, pedido="PED1", status="ENVIADO_SEPARACAO")  # already became the separação
    execucao = sincronizar(confirmar=True)  # an empty source always waits for confirmation
    assert cancelada_por(aberta, execucao) and qtd(aberta) == 40
    enviada.refresh_from_db()
    assert enviada.status == "ENVIADO_SEPARACAO"
    assert not CarteiraPrincipal.objects.exists() and not AlertaSeparacaoCotada.objects.exists()
    assert execucao.linhas_removidas == 1 and execucao.separacoes_canceladas == 1
    assert not Separacao.objects.pendentes().exists()
    assert diferencas_com_derivados() == []


def test_linhas_manuais_nunca_sao_tocadas(p1):
    manual = f.linha_carteira("PED-M", p1, 100, origem="MANUAL")
    pre = f.pre_separacao(p1, 100, pedido="PED-M")
    execucao = sincronizar(registro("PED-M", p1, 10), registro("PED2", p1, 5))
    manual.refresh_from_db()
    assert manual.qtd_saldo_produto_pedido == 100 and manual.origem == "MANUAL"
    assert qtd(pre) == 100
    assert execucao.linhas_manuais_ignoradas == 1 and execucao.linhas_novas == 1
    assert "PED-M/P1: linha MANUAL na carteira" in execucao.relatorio
    sincronizar(confirmar=True)  # an empty carteira from Odoo (confirmed) removes only ODOO lines
    assert list(CarteiraPrincipal.objects.values_list("num_pedido", flat=True)) == ["PED-M"]


def test_separacao_com_nf_vinculada_nao_conta_nem_e_tocada(p1):
    f.linha_carteira("PED1", p1, 100, origem="ODOO")
    faturada_por_embarque = f.separacao(p1, 60, lote="LF", pedido="PED1", status="EMBARCADO")
    f.embarque_item("LF", erro="")  # invoice matched: no longer an allocation
    sincronizada = f.separacao(p1, 60, lote="LS", pedido="PED1", status="ABERTO", sincronizado_nf=True)
    aberta = f.separacao(p1, 30, lote="LA", pedido="PED1", status="ABERTO")
    sincronizar(registro("PED1", p1, 20))
    assert qtd(faturada_por_embarque) == 60 and qtd(sincronizada) == 60
    assert qtd(aberta) == 20
    assert diferencas_com_derivados() == []


def test_embarcado_acima_do_novo_saldo_e_avisado(p1):
    f.linha_carteira("PED1", p1, 100, origem="ODOO")
    embarcada = f.separacao(p1, 80, lote="LE", pedido="PED1", status="EMBARCADO")
    execucao = sincronizar(registro("PED1", p1, 50), confirmar=True)
    assert qtd(embarcada) == 80 and embarcada.cancelado_em is None
    assert "PED1/P1: 30 continuam alocados acima do novo saldo (50) em separações EMBARCADO" in execucao.relatorio
    assert execucao.confirmacao_de.plano["separacoes"] == [
        {
            "id": embarcada.pk,
            "lote": "LE",
            "pedido": "PED1",
            "produto": "P1",
            "status": "EMBARCADO",
            "antes": "80.000",
            "depois": "80.000",
            "acima": "30.000",
            "acao": "acima do saldo",
        }
    ]


def test_alerta_reconhecido_nao_e_reaberto_um_novo_e_criado(p1):
    f.linha_carteira("PED1", p1, 100, origem="ODOO")
    f.separacao(p1, 100, lote="LC", pedido="PED1", status="COTADO")
    sincronizar(registro("PED1", p1, 80), confirmar=True)
    AlertaSeparacaoCotada.objects.update(reconhecido=True, reconhecido_por="ana")
    sincronizar(registro("PED1", p1, 60), confirmar=True)
    assert list(AlertaSeparacaoCotada.objects.order_by("pk").values_list("reconhecido", "qtd_antes", "qtd_depois")) == [
        (True, 100, 80),
        (False, 80, 60),
    ]


def test_origem_vazia_espera_confirmacao(p1, tmp_path, settings):
    settings.CARTEIRA_SINCRONIZACAO_LIMITE_REMOCAO = 100  # even with no share limit, an empty source waits
    f.linha_carteira("PED1", p1, 10, origem="ODOO")
    pre = f.pre_separacao(p1, 10, pedido="PED1")
    execucao = sincronizar(registro("PED1", p1, 0))  # nothing left to deliver: nothing in carteira
    assert execucao.status == "AGUARDANDO_CONFIRMACAO"
    assert "a origem não trouxe nenhuma linha em carteira" in execucao.plano["motivos"][0]
    assert qtd(pre) == 10 and CarteiraPrincipal.objects.exists()
    vazia = tmp_path / "vazia.csv"
    vazia.write_text("num_pedido;cod_produto;qtd_saldo_produto_pedido\n")
    with pytest.raises(CommandError, match="Nada foi gravado. Para aplicar"):
        call_command("sincronizar_carteira", "--planilha", str(vazia))
    call_command("sincronizar_carteira", "--planilha", str(vazia), "--confirmar")
    assert not CarteiraPrincipal.objects.exists()
    assert qtd(pre) == 10 and pre.status == "CANCELADO"  # kept, cancelled, out of the forecast
    assert diferencas_com_derivados() == []


def test_mesmo_produto_em_duas_linhas_do_pedido_e_somado(p1):
    execucao = sincronizar(registro("PED1", p1, 10, odoo_line_id=8), registro("PED1", p1, 5, odoo_line_id=3))
    linha = CarteiraPrincipal.objects.get()
    assert (linha.qtd_saldo_produto_pedido, linha.odoo_line_id) == (15, 3)
    assert "PED1/P1: 2 linhas do mesmo produto no pedido; quantidades somadas." in execucao.relatorio


def test_codigo_de_unificacao_e_produto_conhecido(p1):
    f.unificar("P1-ANTIGO", "P1")
    sincronizar(registro("PED1", "P1-ANTIGO", 10))
    assert CarteiraPrincipal.objects.get().cod_produto == "P1-ANTIGO"


def test_registros_invalidos_listam_todos_os_problemas(p1):
    with pytest.raises(ErroSincronizacao) as erro:
        sincronizar(registro("PED1", "", 1), registro("", p1, 1), registro("PED3", p1, -2), registro("PED4", "XX", 1))
    texto = str(erro.value)
    assert "4 registro(s) inválido(s); nada foi gravado" in texto
    assert "registro 1: sem código do produto" in texto
    assert "registro 2: sem número do pedido" in texto
    assert "registro 3: qtd pedida: valor negativo (-2); saldo do pedido: valor negativo (-2)" in texto
    assert "registro 4: produto “XX” não cadastrado" in texto
    assert not CarteiraPrincipal.objects.exists()
    assert SincronizacaoCarteira.objects.get().status == "FALHA"


def test_simulacao_nao_grava_nada(p1):
    f.linha_carteira("PED1", p1, 100, origem="ODOO")
    pre = f.pre_separacao(p1, 100, pedido="PED1")
    execucao = sincronizar(registro("PED1", p1, 10), simular=True)
    assert qtd(pre) == 100 and CarteiraPrincipal.objects.get().qtd_saldo_produto_pedido == 100
    assert execucao.status == "SIMULACAO" and execucao.pre_separacoes_reduzidas == 1
    assert "pré-separação #" in execucao.relatorio and "reduzida: 100 → 10" in execucao.relatorio


# ---------------------------------------------------------------- spreadsheet


def xlsx(linhas) -> bytes:
    livro = openpyxl.Workbook()
    for linha in linhas:
        livro.active.append(linha)
    saida = io.BytesIO()
    livro.save(saida)
    return saida.getvalue()


def test_planilha_xlsx_pelo_mesmo_caminho(p1, tmp_path):
    f.linha_carteira("PED1", p1, 100, origem="ODOO", odoo_line_id=5)
    pre = f.pre_separacao(p1, 90, pedido="PED1")
    arquivo = tmp_path / "carteira.xlsx"
    arquivo.write_bytes(
        xlsx(
            [
                ["Pedido", "Código do produto", "Saldo do pedido", "Qtd pedida", "Data de entrega", "coluna extra"],
                ["PED1", p1, 60, 100, "15/04/2025", "x"],
                ["PED2", 4510156.0, 7, None, None, None],  # a code typed as a number
                [None, None, None, None, None, None],
            ]
        )
    )
    f.produto("4510156")
    execucao = servico.sincronizar_planilha(str(arquivo), gatilho="COMANDO")
    assert (execucao.origem, execucao.arquivo, execucao.status) == ("PLANILHA", str(arquivo), "SUCESSO")
    assert qtd(pre) == 60
    linha = CarteiraPrincipal.objects.get(num_pedido="PED1")
    assert (linha.qtd_saldo_produto_pedido, str(linha.data_entrega_pedido), linha.odoo_line_id) == (60, "2025-04-15", 5)
    assert CarteiraPrincipal.objects.get(num_pedido="PED2").cod_produto == "4510156"
    assert diferencas_com_derivados() == []


def test_planilha_csv_brasileira_e_comando(p1, tmp_path, capsys):
    arquivo = tmp_path / "carteira.csv"
    arquivo.write_bytes(
        "num_pedido;cod_produto;qtd_saldo_produto_pedido;preco_produto_pedido\nPED1;P1;1.234,5;12,30\n".encode("cp1252")
    )
    call_command("sincronizar_carteira", "--planilha", str(arquivo))
    execucao = SincronizacaoCarteira.objects.get()
    assert f"Carteira sincronizada (nº {execucao.pk}): 1 novas" in capsys.readouterr().out
    linha = CarteiraPrincipal.objects.get()
    assert (linha.qtd_saldo_produto_pedido, linha.qtd_produto_pedido, linha.preco_produto_pedido) == (
        D("1234.5"),
        D("1234.5"),
        D("12.30"),
    )


@pytest.mark.parametrize(
    ("conteudo", "nome", "mensagem"),
    [
        (
            b"num_pedido;cod_produto\nPED1;P1\n",
            "c.csv",
            r"Colunas obrigatórias não encontradas: Saldo do pedido \(qtd_saldo_produto_pedido\)\.",
        ),
        (
            b"num_pedido;cod_produto;qtd_saldo_produto_pedido\nPED1;P1;abc\n",
            "c.csv",
            "linha 2 da planilha: saldo do pedido: “abc” não é um número",
        ),
        (
            b"num_pedido;cod_produto;qtd_saldo_produto_pedido;data_pedido\nPED1;P1;1;31/02/2025\n",
            "c.csv",
            "“31/02/2025” não é uma data",
        ),
        (b"\x00\x01 isto nao e xlsx", "c.xlsx", "Não foi possível abrir a planilha xlsx"),
        # text with a spreadsheet's extension is read as the csv it is (a wrong extension)
        (b"isto nao e xlsx", "c.xlsx", 'Colunas da planilha que não foram reconhecidas: "isto nao e xlsx"'),
        (b"", "c.pdf", "Formato de planilha não suportado"),
        (b"", "c.ods", "Não foi possível abrir a planilha ods"),
        (b"PK\x03\x04lixo", "c.csv", "Não foi possível abrir a planilha csv"),
    ],
)
def test_planilha_invalida_nao_grava_nada(p1, conteudo, nome, mensagem):
    f.linha_carteira("PED9", p1, 10, origem="ODOO")
    with pytest.raises(ErroSincronizacao, match=mensagem):
        servico.sincronizar_planilha(io.BytesIO(conteudo), nome=nome, gatilho="COMANDO")
    assert list(CarteiraPrincipal.objects.values_list("num_pedido", flat=True)) == ["PED9"]
    assert SincronizacaoCarteira.objects.get().status == "FALHA"


def test_relatorio_da_carteira_lido_de_volta(p1):
    """/relatorios/carteira.xlsx (title rows, its own headers, neutralised text) is a valid input:
    fed back, it reads the same lines, and syncing it changes nothing."""
    from carteira.sincronizacao.planilha import ler_planilha
    from carteira.sincronizacao.registros import CAMPOS
    from core.periodo import Periodo
    from relatorios import exportacoes

    f.produto("4510156")
    f.linha_carteira(
        "PED1",
        p1,
        "1234.5",
        preco="10.25",
        nome_produto="AZEITONA 500G",
        data_pedido=f.dia(-5),
        data_entrega_pedido=f.dia(3),
        raz_social_red="-OUTRO",  # written as "'-OUTRO" by the report
        observ_ped_1='=HYPERLINK("x")',
        pedido_cliente="+5511",
        estado="SP",
        cod_uf="RJ",
        endereco_ent="120",
        origem="ODOO",
    )
    f.linha_carteira("PED2", "4510156", 7, preco="4.00", nome_produto="MOLHO", status_pedido="aprovado", origem="ODOO")
    exportacao = exportacoes.gerar("carteira", Periodo(None, None))
    conteudo = exportacao.arquivo.read()
    exportacao.arquivo.close()

    registros = ler_planilha(io.BytesIO(conteudo), nome="carteira.xlsx")
    assert [r["_referencia"] for r in registros] == ["linha 6 da planilha", "linha 7 da planilha"]
    nao_lidos = {"odoo_line_id"}  # not a column of the report
    assert set(registros[0]) == {"_referencia", *CAMPOS} - nao_lidos
    for registro in registros:
        linha = CarteiraPrincipal.objects.get(num_pedido=registro["num_pedido"])
        for nome, valor in registro.items():
            if nome != "_referencia":
                esperado = getattr(linha, nome)
                assert (valor or None) == (esperado or None), (registro["num_pedido"], nome, valor, esperado)
    execucao = servico.sincronizar_planilha(io.BytesIO(conteudo), nome="carteira.xlsx", gatilho="COMANDO")
    assert execucao.status == "SUCESSO"
    assert CarteiraPrincipal.objects.get(num_pedido="PED1").raz_social_red == "-OUTRO"


def test_admin_importa_planilha(p1, cliente_staff):
    """The upload is always a simulation; "Aplicar este plano" applies the kept file."""
    url = reverse("admin:carteira_sincronizacaocarteira_planilha")
    assert cliente_staff.get(url).status_code == 200
    conteudo = xlsx([["num_pedido", "cod_produto", "qtd_saldo_produto_pedido"], ["PED1", "P1", 3]])
    resposta = cliente_staff.post(url, {"arquivo": SimpleUploadedFile("c.xlsx", conteudo)})
    assert resposta.status_code == 302
    assert not CarteiraPrincipal.objects.exists()
    simulacao = SincronizacaoCarteira.objects.get()
    assert simulacao.status == "SIMULACAO" and bytes(simulacao.conteudo_planilha) == conteudo
    resposta = cliente_staff.post(reverse("admin:carteira_sincronizacaocarteira_aplicar", args=[simulacao.pk]))
    execucao = SincronizacaoCarteira.objects.get(status="SUCESSO")
    textos = [str(m) for m in get_messages(resposta.wsgi_request)]
    assert any(f"Carteira sincronizada (nº {execucao.pk}): 1 novas" in t for t in textos)
    assert CarteiraPrincipal.objects.get().qtd_saldo_produto_pedido == 3


def test_admin_reconhece_alerta(cliente_staff):
    alerta = AlertaSeparacaoCotada.objects.create(
        separacao_lote_id="L1",
        num_pedido="PED1",
        cod_produto="P1",
        tipo="REDUCAO",
        qtd_antes=D("10"),
        qtd_depois=D("5"),
    )
    url = reverse("admin:carteira_alertaseparacaocotada_changelist")
    assert cliente_staff.get(url, {"q": "P1", "atualizado_em__year": alerta.atualizado_em.year}).status_code == 200
    cliente_staff.post(url, {"action": "reconhecer", "_selected_action": [alerta.pk]})
    alerta.refresh_from_db()
    assert alerta.reconhecido and alerta.reconhecido_por == "staff" and alerta.reconhecido_em is not None
    assert cliente_staff.get(reverse("admin:carteira_alertaseparacaocotada_add")).status_code == 403


# ---------------------------------------------------------------- schedule


def test_agendamento_configuravel(settings, capsys):
    settings.CARTEIRA_SINCRONIZACAO_MINUTOS = 15
    call_command("sincronizar_carteira", "--agendar")
    agendamento = Schedule.objects.get(name=SINCRONIZACAO)
    assert (agendamento.func, agendamento.schedule_type, agendamento.minutes, agendamento.repeats) == (
        FUNCAO,
        "I",
        15,
        -1,
    )
    settings.CARTEIRA_SINCRONIZACAO_MINUTOS = 45
    garantir_agendamento()
    assert Schedule.objects.get(name=SINCRONIZACAO).minutes == 45
    settings.CARTEIRA_SINCRONIZACAO_MINUTOS = 0
    call_command("sincronizar_carteira", "--agendar")
    assert not Schedule.objects.filter(name=SINCRONIZACAO).exists()
    assert "desligado" in capsys.readouterr().out


def test_funcao_agendada_existe():
    from django.utils.module_loading import import_string

    assert callable(import_string(FUNCAO))


# ---------------------------------------------------------------- concurrency (PostgreSQL)


def _em_paralelo(funcao, vezes=2):
    """Run funcao in `vezes` threads started together; their results (or repr of their errors)."""
    import threading

    from django.db import connection

    largada, resultados = threading.Barrier(vezes), []

    def rodar():
        try:
            largada.wait()
            resultados.append(funcao())
        except Exception as erro:  # reported by the caller's assertions
            resultados.append(repr(erro))
        finally:
            connection.close()

    threads = [threading.Thread(target=rodar) for _ in range(vezes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return resultados


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_duas_sincronizacoes_ao_mesmo_tempo_uma_espera_a_outra(p1):
    """Both create the same new lines and reduce the same separação: the second waits for the
    first (lock taken before reading), then finds nothing to do. No IntegrityError."""
    f.linha_carteira("PED1", p1, 100, origem="ODOO")
    aberta = f.separacao(p1, 100, lote="LA", pedido="PED1", status="ABERTO")
    dados = [registro("PED1", p1, 40)] + [registro(f"NOVO{i}", p1, i + 1) for i in range(20)]
    resultados = _em_paralelo(lambda: servico.sincronizar(lambda: dados, origem="ODOO", gatilho="COMANDO").status)
    assert resultados == ["SUCESSO", "SUCESSO"]
    assert CarteiraPrincipal.objects.count() == 21
    assert qtd(aberta) == 40
    assert sorted(SincronizacaoCarteira.objects.values_list("linhas_novas", flat=True)) == [0, 20]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_duas_confirmacoes_ao_mesmo_tempo_so_uma_aplica(p1):
    """Two people confirm the same stopped plan at once: one applies it, the other is told so. One alert."""
    f.linha_carteira("PED1", p1, 100, origem="ODOO")
    f.separacao(p1, 100, lote="LC", pedido="PED1", status="COTADO")
    dados = [registro("PED1", p1, 40)]
    parada = sincronizar(*dados)
    assert parada.status == "AGUARDANDO_CONFIRMACAO"

    def confirmar():
        return servico.sincronizar(lambda: dados, origem="ODOO", gatilho="ADMIN", confirmacao=parada).status

    resultados = sorted(_em_paralelo(confirmar))
    aplicou = SincronizacaoCarteira.objects.get(status="SUCESSO")
    assert resultados[0] == (
        f"ErroSincronizacao('A execução nº {parada.pk} já foi confirmada e aplicada (execução nº {aplicou.pk}); "
        "nada foi feito.')"
    )
    assert resultados[1] == "SUCESSO"
    assert list(AlertaSeparacaoCotada.objects.values_list("qtd_antes", "qtd_depois")) == [(100, 40)]
