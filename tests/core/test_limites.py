"""Bounded input (core/limites.py): the business date window, control characters, request sizes.

Every refusal is checked where a user or an integration meets it: API (400 naming the field),
admin form (error on the field), pages and reports (400), and nothing is written.
Spreadsheets and the carteira sync have their own modules (test_planilhas.py,
tests/carteira/test_sincronizacao_limites.py).
"""

import json
import re
from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from carteira.models import PreSeparacaoItem
from core.limites import janela_de_datas, padrao_da_janela
from embarques.models import Embarque
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque
from producao.models import ProgramacaoProducao
from tests import fabricas as f
from tests.fabricas import corpo
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db

LONGE = ["9999-12-31", "1900-01-01"]


def fora_da_janela(texto: str) -> bool:
    return "fora do período aceito" in texto


# ---------------------------------------------------------------- the rule


def test_janela_padrao_cinco_anos_antes_dois_depois():
    assert janela_de_datas(date(2026, 7, 15)) == (date(2021, 7, 15), date(2028, 7, 15))
    assert janela_de_datas(date(2024, 2, 29)) == (date(2019, 2, 28), date(2026, 2, 28))


@override_settings(ESTOQUE_DATAS_ANOS_ANTES=1, ESTOQUE_DATAS_ANOS_DEPOIS=0)
def test_janela_configuravel():
    assert janela_de_datas(date(2026, 7, 15)) == (date(2025, 7, 15), date(2026, 7, 15))


@pytest.mark.parametrize("hoje", [date(2026, 7, 15), date(2024, 2, 29), date(2025, 12, 31), date(2026, 1, 1)])
def test_padrao_do_schema_e_exatamente_a_janela(hoje):
    padrao = re.compile(padrao_da_janela(hoje))
    inicio, fim = janela_de_datas(hoje)
    dia = inicio - timedelta(days=400)
    while dia <= fim + timedelta(days=400):
        assert bool(padrao.fullmatch(dia.isoformat())) == (inicio <= dia <= fim), dia
        dia += timedelta(days=1)


# ---------------------------------------------------------------- API: 400 naming the field, nothing written


@pytest.fixture
def produtos():
    f.produto("A")
    f.movimento("A", 100)
    f.linha_carteira("PED1", "A", 50)


@pytest.mark.parametrize("data", [*LONGE, "20260115", "2026-W03-4", "15/01/2026"])
def test_api_movimentacao_data_fora_da_janela_ou_do_formato(cliente_staff, produtos, data):
    antes = MovimentacaoEstoque.objects.count()
    resposta = cliente_staff.post(
        "/api/estoque/movimentacoes",
        {"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 1, "data_movimentacao": data},
        content_type="application/json",
    )
    assert resposta.status_code == 400
    assert list(corpo(resposta)) == ["data_movimentacao"]
    assert MovimentacaoEstoque.objects.count() == antes


def test_api_editar_movimentacao_para_fora_da_janela(cliente_staff, produtos):
    mov = MovimentacaoEstoque.objects.get()
    resposta = cliente_staff.patch(
        f"/api/estoque/movimentacoes/{mov.pk}", {"data_movimentacao": "9999-12-31"}, content_type="application/json"
    )
    assert resposta.status_code == 400
    assert fora_da_janela(corpo(resposta)["data_movimentacao"][0])
    mov.refresh_from_db()
    assert mov.data_movimentacao == f.hoje()


@pytest.mark.parametrize("campo", ["data_expedicao_editada", "data_agendamento_editada"])
def test_api_pre_separacao_data_fora_da_janela(cliente_staff, produtos, campo):
    dados = {
        "num_pedido": "PED1",
        "cod_produto": "A",
        "qtd_selecionada_usuario": 5,
        "data_expedicao_editada": f.dia(1).isoformat(),
        campo: "9999-12-31",
    }
    resposta = cliente_staff.post("/api/carteira/pre-separacoes", dados, content_type="application/json")
    assert resposta.status_code == 400
    assert fora_da_janela(corpo(resposta)[campo][0])
    assert not PreSeparacaoItem.objects.exists()


def test_api_filtro_de_datas_fora_da_janela(cliente_staff):
    resposta = cliente_staff.get("/api/producao/programacoes", {"de": "1900-01-01"})
    assert resposta.status_code == 400
    assert "de" in corpo(resposta)


def test_servico_recusa_data_fora_da_janela(produtos):
    """The services check the rule too (a caller other than the API cannot bypass it)."""
    from django.core.exceptions import ValidationError

    from producao.services import criar_programacao

    with pytest.raises(ValidationError) as erro:
        criar_programacao(cod_produto="A", data_programacao=date(9999, 12, 31), qtd_programada=1)
    assert "data_programacao" in erro.value.message_dict
    assert not ProgramacaoProducao.objects.exists()


# ---------------------------------------------------------------- admin: error on the field, nothing written


def _url(model, acao):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{acao}")


def test_admin_movimentacao_data_fora_da_janela(cliente_staff):
    resposta = cliente_staff.post(
        _url(MovimentacaoEstoque, "add"),
        {"cod_produto": "P9", "data_movimentacao": "31/12/9999", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 5},
    )
    assert resposta.status_code == 200
    erros = resposta.context["adminform"].form.errors
    assert list(erros) == ["data_movimentacao"] and fora_da_janela(erros["data_movimentacao"][0])
    assert not MovimentacaoEstoque.objects.exists() and not EstoqueTempoReal.objects.exists()


def test_admin_embarque_data_fora_da_janela(cliente_staff):
    resposta = cliente_staff.post(
        _url(Embarque, "add"),
        {
            "numero": 7,
            # data_embarque is set only by "marcar embarcado" (embarques.services), not typed in
            "data_prevista_embarque": "01/01/1900",
            "itens-TOTAL_FORMS": "0",
            "itens-INITIAL_FORMS": "0",
        },
    )
    assert resposta.status_code == 200
    assert fora_da_janela(resposta.context["adminform"].form.errors["data_prevista_embarque"][0])
    assert not Embarque.objects.exists()


def test_admin_programacao_e_separacao_data_fora_da_janela(cliente_staff):
    prog = cliente_staff.post(
        _url(ProgramacaoProducao, "add"),
        {"cod_produto": "A", "data_programacao": "31/12/9999", "qtd_programada": 5},
    )
    assert "data_programacao" in prog.context["adminform"].form.errors
    from carteira.models import Separacao

    sep = cliente_staff.post(
        _url(Separacao, "add"),
        {
            "separacao_lote_id": "L1",
            "num_pedido": "P",
            "cod_produto": "A",
            "qtd_saldo": 1,
            "valor_saldo": 0,
            "peso": 0,
            "pallet": 0,
            "expedicao": "31/12/9999",
            "tipo_envio": "total",
            "status": "ABERTO",
        },
    )
    assert "expedicao" in sep.context["adminform"].form.errors
    assert not ProgramacaoProducao.objects.exists() and not Separacao.objects.exists()


# ---------------------------------------------------------------- pages and reports


@pytest.mark.parametrize("parametros", [{"de": "1900-01-01"}, {"ate": "31/12/9999"}])
def test_periodo_de_relatorio_fora_da_janela_e_400(cliente_staff, parametros):
    resposta = cliente_staff.get("/relatorios/carteira.xlsx", parametros)
    assert resposta.status_code == 400
    assert fora_da_janela(resposta.content.decode())


def test_periodo_do_painel_de_producao_fora_da_janela(cliente_staff):
    resposta = cliente_staff.get("/producao/", {"ate": "9999-12-31"})
    assert resposta.status_code == 200
    assert fora_da_janela(resposta.context["erro"])
    # the default period D0..D28 is shown instead
    assert resposta.context["painel"]["ate"] == f.dia(28)


# ---------------------------------------------------------------- control characters (core.middleware)


def test_nul_no_caminho_da_ruptura_e_404(cliente_staff, produtos):
    resposta = cliente_staff.get("/api/carteira/pedidos/PED%001/ruptura")
    assert resposta.status_code == 404
    assert resposta["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "url",
    [
        "/api/estoque/tempo-real/produto/A%00",
        "/api/carteira/pedidos/%01/workspace",
        "/admin/carteira/pedido/L%00/change/",
    ],
)
def test_controle_no_caminho_e_404(cliente_staff, url):
    assert cliente_staff.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/carteira/pedidos/?q=%00",
        "/carteira/pedidos/?q=a%1Bb",
        "/producao/?de=%00",
        "/admin/estoque/movimentacaoestoque/?q=%00",
        "/api/producao/programacoes?cod_produto=A%00",
        "/relatorios/carteira.xlsx?de=%00",
    ],
)
def test_controle_na_consulta_e_400(cliente_staff, url):
    resposta = cliente_staff.get(url)
    assert resposta.status_code == 400
    assert "controle" in resposta.content.decode()


def test_busca_de_pedidos_sem_controle_continua_funcionando(cliente_staff, produtos):
    resposta = cliente_staff.get("/carteira/pedidos/", {"q": "PED"})
    assert resposta.status_code == 200
    assert [p.num_pedido for p in resposta.context["pedidos"]] == ["PED1"]


@pytest.mark.parametrize("texto", ["a\x00b", "\x01", "x\x7f"])
def test_controle_no_corpo_json_e_400_e_nada_grava(cliente_staff, produtos, texto):
    antes = MovimentacaoEstoque.objects.count()
    resposta = cliente_staff.post(
        "/api/estoque/movimentacoes",
        {"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 1, "observacao": texto},
        content_type="application/json",
    )
    assert resposta.status_code == 400
    assert corpo(resposta) == {"observacao": ["Caracteres de controle (como NUL) não são permitidos."]}
    assert MovimentacaoEstoque.objects.count() == antes


def test_controle_em_lista_do_corpo_nomeia_o_item(cliente_staff, produtos):
    resposta = cliente_staff.post(
        "/api/estoque/tempo-real/consultar", {"produtos": ["A", "B\x00"]}, content_type="application/json"
    )
    assert resposta.status_code == 400
    assert list(corpo(resposta)["produtos"]) == ["1"]


def test_tab_e_quebra_de_linha_continuam_aceitos(cliente_staff, produtos):
    resposta = cliente_staff.post(
        "/api/estoque/movimentacoes",
        {"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 1, "observacao": "a\tb\r\nc"},
        content_type="application/json",
    )
    assert resposta.status_code == 201
    assert MovimentacaoEstoque.objects.filter(observacao="a\tb\r\nc").exists()


def test_controle_em_formulario_do_admin_e_400(cliente_staff):
    resposta = cliente_staff.post(
        _url(MovimentacaoEstoque, "add"),
        {
            "cod_produto": "P9",
            "data_movimentacao": f.hoje().strftime("%d/%m/%Y"),
            "tipo_movimentacao": "ENTRADA",
            "qtd_movimentacao": 5,
            "observacao": "nota\x00",
        },
    )
    assert resposta.status_code == 400
    assert not MovimentacaoEstoque.objects.exists()


def test_json_aninhado_demais_e_400(cliente_staff):
    corpo_json = "[" * 100_000 + "]" * 100_000
    resposta = cliente_staff.post("/api/estoque/tempo-real/consultar", corpo_json, content_type="application/json")
    assert resposta.status_code == 400
    assert resposta["Content-Type"] == "application/json"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_corpo_grande_demais_e_400_em_json(cliente_staff):
    resposta = cliente_staff.post(
        "/api/estoque/tempo-real/consultar", {"produtos": ["A" * 40] * 50}, content_type="application/json"
    )
    assert resposta.status_code == 400
    assert "grande demais" in corpo(resposta)["detail"]


# ---------------------------------------------------------------- the API contract


def test_metodo_nao_implementado_e_405_mesmo_sem_permissao(cliente_comum):
    """Found by the schemathesis run as a user without permissions: POST to a read-only view
    reached the write permission, which looked for the view's model (500)."""
    resposta = cliente_comum.post("/api/carteira/pedidos/X/workspace", {}, content_type="application/json")
    assert resposta.status_code == 405
    assert resposta["Content-Type"] == "application/json"


@pytest.mark.parametrize("tipo", ["multipart", "urlencoded"])
def test_analisar_so_aceita_json(cliente_staff, tipo):
    if tipo == "multipart":
        resposta = cliente_staff.post("/api/carteira/ruptura/analisar", {"pedidos": "P1"})
    else:
        resposta = cliente_staff.post(
            "/api/carteira/ruptura/analisar", "pedidos=P1", content_type="application/x-www-form-urlencoded"
        )
    assert resposta.status_code == 415
    assert resposta["Content-Type"] == "application/json"


def test_analisar_formulario_enorme_e_415_em_json(cliente_staff):
    """The review's case: a large form answered Django's HTML 400 (too many fields)."""
    campos = {f"campo{i}": "x" for i in range(5000)}
    resposta = cliente_staff.post("/api/carteira/ruptura/analisar", campos)
    assert resposta.status_code == 415
    assert resposta["Content-Type"] == "application/json"


def test_analisar_json_invalido_e_400_documentado(cliente_staff):
    resposta = cliente_staff.post(
        "/api/carteira/ruptura/analisar", {"pedidos": ["X" * 51]}, content_type="application/json"
    )
    assert resposta.status_code == 400
    assert "pedidos" in corpo(resposta)
    resposta = cliente_staff.post("/api/carteira/ruptura/analisar", "{", content_type="application/json")
    assert resposta.status_code == 400 and resposta["Content-Type"] == "application/json"


def _esquema(cliente):
    return cliente.get("/api/schema/?format=json").json()


def test_schema_da_paginacao_diz_inteiro_positivo(cliente_staff):
    """page=0 was schema-valid (integer) and refused; found by schemathesis' positive-data check."""
    caminhos = _esquema(cliente_staff)["paths"]
    for caminho in ("/api/estoque/tempo-real/rupturas", "/api/producao/programacoes"):
        parametros = {p["name"]: p["schema"] for p in caminhos[caminho]["get"]["parameters"]}
        assert parametros["page"]["minimum"] == 1 and parametros["page_size"]["minimum"] == 1


def test_schema_de_analisar_so_json_com_erros_documentados(cliente_staff):
    operacao = _esquema(cliente_staff)["paths"]["/api/carteira/ruptura/analisar"]["post"]
    assert list(operacao["requestBody"]["content"]) == ["application/json"]
    assert {"202", "400", "401", "403", "415"} <= set(operacao["responses"])


def test_schema_das_escritas_diz_o_que_a_validacao_exige(cliente_staff):
    componentes = _esquema(cliente_staff)["components"]["schemas"]
    inicio, fim = janela_de_datas()
    padrao_data = padrao_da_janela()
    programacao = componentes["ProgramacaoRequest"]["properties"]
    assert programacao["qtd_programada"]["minimum"] == 0.001
    assert programacao["data_programacao"]["pattern"] == padrao_data
    assert f"{inicio:%d/%m/%Y}" in programacao["data_programacao"]["description"]
    assert programacao["cod_produto"]["maxLength"] == 50 and programacao["cod_produto"]["minLength"] == 1
    assert programacao["observacao_pcp"]["maxLength"] == 2000
    assert re.fullmatch(programacao["observacao_pcp"]["pattern"], "")  # blank allowed, as the API does
    assert not re.fullmatch(programacao["cod_produto"]["pattern"], "   ")  # blank refused, as the API does
    assert not re.fullmatch(programacao["cod_produto"]["pattern"], "A\x00")
    pre = componentes["PreSeparacaoRequest"]["properties"]
    assert pre["qtd_selecionada_usuario"]["minimum"] == 0.001
    # takes CRIADO/RECOMPOSTO, shows ENVIADO_SEPARACAO too
    aceitos = componentes[pre["status"]["allOf"][0]["$ref"].rsplit("/", 1)[1]]["enum"]
    mostrados = componentes[componentes["PreSeparacao"]["properties"]["status"]["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    assert aceitos == ["CRIADO", "RECOMPOSTO"] and "ENVIADO_SEPARACAO" in mostrados["enum"]
    assert componentes["ConsultaRequest"]["properties"]["produtos"]["minItems"] == 1
    assert componentes["AnalisarRequest"]["properties"]["pedidos"]["minItems"] == 1
    assert pre["data_agendamento_editada"]["pattern"] == padrao_data
    mov = componentes["MovimentacaoRequest"]["properties"]
    assert mov["data_movimentacao"]["pattern"] == padrao_data
    assert mov["observacao"]["maxLength"] == 2000
    assert f"{fim:%d/%m/%Y}" in mov["data_movimentacao"]["description"]
    assert componentes["AnalisarRequest"]["properties"]["pedidos"]["items"]["maxLength"] == 50


def test_texto_alem_do_limite_contado_antes_de_aparar(cliente_staff, produtos):
    """maxLength counts what was sent (schema semantics), not what is left after trimming blanks."""
    resposta = cliente_staff.post(
        "/api/estoque/movimentacoes",
        {"cod_produto": " " * 49 + "AB", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 1},
        content_type="application/json",
    )
    assert resposta.status_code == 400 and "cod_produto" in corpo(resposta)
    assert diferencas_com_derivados() == []


def test_propriedade_que_a_api_nao_le_e_ignorada_mesmo_com_controle(cliente_staff, produtos):
    """The schema allows undeclared properties and the API ignores them: nothing of it is read."""
    resposta = cliente_staff.post(
        "/api/estoque/tempo-real/consultar",
        json.dumps({"produtos": ["A"], "extra\x00": "\x01"}),
        content_type="application/json",
    )
    assert resposta.status_code == 200


def test_brancos_do_schema_sao_os_do_python():
    """The non-blank pattern must refuse exactly what DRF trims to nothing (str.strip)."""
    import sys

    from core.esquema import CLASSE_BRANCOS

    no_schema = {chr(int(codigo, 16)) for codigo in re.findall(r"\\u([0-9a-f]{4})", CLASSE_BRANCOS)}
    assert no_schema == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def test_schema_das_quantidades_diz_tres_casas(cliente_staff, produtos):
    """multipleOf 0.001 is what the API does: 0.3 is taken, 0.30000000000000004 is not."""
    componentes = _esquema(cliente_staff)["components"]["schemas"]
    assert componentes["MovimentacaoRequest"]["properties"]["qtd_movimentacao"]["multipleOf"] == 0.001
    url = "/api/estoque/movimentacoes"
    base = {"cod_produto": "A", "tipo_movimentacao": "ENTRADA"}
    assert (
        cliente_staff.post(url, {**base, "qtd_movimentacao": 0.3}, content_type="application/json").status_code == 201
    )
    resposta = cliente_staff.post(url, {**base, "qtd_movimentacao": 0.1 + 0.2}, content_type="application/json")
    assert resposta.status_code == 400 and "qtd_movimentacao" in corpo(resposta)


# ---------------------------------------------------------------- admin date filters


def test_filtro_de_data_do_admin_impossivel_e_400_em_toda_lista(cliente_staff):
    """Found by probing the admin: campo__year=99999999999 (or 9999, month huge) overflowed inside
    Django's date hierarchy, a 500 on every changelist that has one."""
    from django.contrib import admin

    listas = [(m, a.date_hierarchy) for m, a in admin.site._registry.items() if a.date_hierarchy]
    assert len(listas) >= 10
    for model, campo in listas:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for consulta in (
            {f"{campo}__year": "99999999999"},
            {f"{campo}__year": "9999"},
            {f"{campo}__year": "2026", f"{campo}__month": "99999999999"},
            {f"{campo}__year": "2026", f"{campo}__month": "1", f"{campo}__day": "-1"},
        ):
            assert cliente_staff.get(url, consulta).status_code == 400, (url, consulta)
        assert cliente_staff.get(url, {f"{campo}__year": f.hoje().year}).status_code == 200
