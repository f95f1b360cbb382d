"""The carteira sync against a real XML-RPC server on loopback that speaks Odoo's external API
(/xmlrpc/2/common authenticate, /xmlrpc/2/object execute_kw search_read) over an in-memory
data set: the seed-004 worked example (stopped for confirmation, then confirmed), idempotence,
every error leaving the database as it was, units of measure, the https rule, the command,
the admin button and confirmation page and the scheduled task. After every test the derived
tables equal the oracle's recomputation."""

import socket
import socketserver
import threading
import time
from decimal import Decimal
from xmlrpc.client import Fault
from xmlrpc.server import MultiPathXMLRPCServer, SimpleXMLRPCDispatcher, SimpleXMLRPCRequestHandler

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse

from carteira.models import AlertaSeparacaoCotada, CarteiraPrincipal, PreSeparacaoItem, Separacao, SincronizacaoCarteira
from carteira.sincronizacao import servico
from carteira.sincronizacao.cliente_odoo import CAMPOS_LINHA, ClienteOdoo, ErroOdoo, TransporteXmlRpc
from carteira.sincronizacao.registros import ErroSincronizacao
from carteira.sincronizacao.unidades import CAMPOS_UNIDADE
from core.models import Trabalho
from estoque.models import EstoqueTempoReal, MovimentacaoPrevista
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
D = Decimal
BANCO, LOGIN, CHAVE, UID = "empresa", "integracao@empresa.com.br", "chave-api-secreta", 7
RELACOES = {
    "order_id": "sale.order",
    "product_id": "product.product",
    "partner_id": "res.partner",
    "partner_shipping_id": "res.partner",
    "state_id": "res.country.state",
}
# Units of measure as Odoo ships them: [id, name] and the uom.uom record.
UNIDADE, CAIXA12, DUZIA, KG = [1, "Unidades"], [2, "Caixa com 12"], [3, "Dúzia"], [4, "kg"]
UNIDADES = {
    1: {"name": "Unidades", "category_id": [1, "Unidade"], "factor": 1.0, "factor_inv": 1.0, "uom_type": "reference"},
    2: {
        "name": "Caixa com 12",
        "category_id": [1, "Unidade"],
        "factor": 1 / 12,
        "factor_inv": 12.0,
        "uom_type": "bigger",
    },
    # No factor_inv: the conversion falls back to the float factor (1/12) and still gives 12 after rounding.
    3: {"name": "Dúzia", "category_id": [1, "Unidade"], "factor": 1 / 12, "factor_inv": False, "uom_type": "bigger"},
    4: {"name": "kg", "category_id": [2, "Peso"], "factor": 1.0, "factor_inv": 1.0, "uom_type": "reference"},
}


@pytest.fixture(autouse=True)
def oraculo_no_fim(db):
    """After each scenario, whatever it did: derived tables == recomputation from the sources."""
    yield
    assert diferencas_com_derivados() == []


# ---------------------------------------------------------------- the Odoo on loopback


class _Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/xmlrpc/2/common", "/xmlrpc/2/object")


class _Servidor(socketserver.ThreadingMixIn, MultiPathXMLRPCServer):
    daemon_threads = True


class OdooFalso:
    """An in-memory Odoo: records as search_read returns them (many2one = [id, name], empty = False)."""

    def __init__(self):
        self.dados = {
            modelo: {}
            for modelo in (
                "sale.order.line",
                "sale.order",
                "product.product",
                "res.partner",
                "res.country.state",
                "uom.uom",
            )
        }
        self.dados["uom.uom"] = {uid: {"id": uid, **registro} for uid, registro in UNIDADES.items()}
        self.atraso = 0.0
        self.chamadas = []
        self.servidor = _Servidor(("127.0.0.1", 0), requestHandler=_Handler, allow_none=True, logRequests=False)
        comum = SimpleXMLRPCDispatcher(allow_none=True)
        comum.register_function(self.authenticate, "authenticate")
        objeto = SimpleXMLRPCDispatcher(allow_none=True)
        objeto.register_function(self.execute_kw, "execute_kw")
        self.servidor.add_dispatcher("/xmlrpc/2/common", comum)
        self.servidor.add_dispatcher("/xmlrpc/2/object", objeto)
        self.url = f"http://127.0.0.1:{self.servidor.server_address[1]}"
        self.thread = threading.Thread(target=self.servidor.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def parar(self):
        self.servidor.shutdown()
        self.servidor.server_close()

    # -- the API
    def authenticate(self, banco, login, chave, _contexto):
        if banco != BANCO:
            raise Fault(1, f'psycopg2.OperationalError: database "{banco}" does not exist')
        return UID if (login, chave) == (LOGIN, CHAVE) else False

    def execute_kw(self, banco, uid, chave, modelo, metodo, args, kwargs=None):
        if (banco, uid, chave) != (BANCO, UID, CHAVE):
            raise Fault(3, "Access Denied")
        if metodo != "search_read" or modelo not in self.dados:
            raise Fault(2, f"Método {modelo}.{metodo} não existe neste servidor de teste")
        kwargs = kwargs or {}
        self.chamadas.append((modelo, args[0], kwargs.get("limit"), tuple(kwargs["fields"]), kwargs.get("context")))
        if self.atraso:
            time.sleep(self.atraso)
        registros = [r for _, r in sorted(self.dados[modelo].items()) if self._satisfaz(modelo, r, args[0])]
        inicio = kwargs.get("offset", 0)
        registros = registros[inicio : inicio + kwargs["limit"]] if kwargs.get("limit") else registros[inicio:]
        for campo in kwargs["fields"]:
            if registros and campo not in registros[0]:
                raise Fault(2, f"Invalid field '{campo}' on model '{modelo}'")
        return [{campo: r[campo] for campo in kwargs["fields"]} for r in registros]

    def _valor(self, modelo, registro, caminho):
        campo, _, resto = caminho.partition(".")
        valor = registro[campo]
        if isinstance(valor, list):
            valor = valor[0]
        if resto:
            return self._valor(RELACOES[campo], self.dados[RELACOES[campo]][valor], resto) if valor else False
        return valor

    def _satisfaz(self, modelo, registro, dominio):
        for caminho, operador, esperado in dominio:
            valor = self._valor(modelo, registro, caminho)
            ok = {
                "=": lambda: valor == esperado,
                "!=": lambda: valor != esperado,
                "in": lambda: valor in esperado,
                "not in": lambda: valor not in esperado,
                ">": lambda: valor > esperado,
                "<": lambda: valor < esperado,
            }[operador]()
            if not ok:
                return False
        return True

    # -- building the data set
    def produto(self, codigo, nome=None, tipo="consu", uom=None):
        pid = len(self.dados["product.product"]) + 1
        nome = nome or f"PRODUTO {codigo}"
        self.dados["product.product"][pid] = {
            "id": pid,
            "default_code": codigo or False,
            "name": nome,
            "type": tipo,
            "uom_id": uom or UNIDADE,
        }
        return [pid, f"[{codigo}] {nome}" if codigo else nome]

    def parceiro(self, nome, vat="12.345.678/0001-90", cidade="Campinas", uf="SP"):
        uid = len(self.dados["res.country.state"]) + 1
        self.dados["res.country.state"][uid] = {"id": uid, "code": uf}
        pid = len(self.dados["res.partner"]) + 1
        self.dados["res.partner"][pid] = {
            "id": pid,
            "name": nome,
            "vat": vat,
            "city": cidade,
            "state_id": [uid, f"{uf} (BR)"],
            "zip": "13000-000",
            "street": "Rua A, 10",
            "street2": "Centro",
            "phone": "19 3333-0000",
        }
        return [pid, nome]

    def pedido(self, nome, cliente=None, estado="sale", data="2025-03-10 14:30:00", entrega="2025-03-20 12:00:00"):
        cliente = cliente or self.parceiro(f"CLIENTE {nome}")
        oid = len(self.dados["sale.order"]) + 1
        self.dados["sale.order"][oid] = {
            "id": oid,
            "name": nome,
            "client_order_ref": f"OC-{nome}",
            "state": estado,
            "date_order": data,
            "commitment_date": entrega,
            "partner_id": cliente,
            "partner_shipping_id": cliente,
            "user_id": [2, "Vendedor Um"],
            "team_id": [1, "Equipe Sul"],
        }
        return [oid, nome]

    def linha(self, lid, pedido, produto, qtd, entregue=0.0, preco=10.0, tipo_linha=False, uom=None):
        """A sale line; quantities and price in `uom` (default: the product's own unit)."""
        estado = self.dados["sale.order"][pedido[0]]["state"]
        if uom is None:
            uom = self.dados["product.product"][produto[0]]["uom_id"] if produto else False
        self.dados["sale.order.line"][lid] = {
            "id": lid,
            "order_id": pedido,
            "product_id": produto,
            "product_uom": uom,
            "product_uom_qty": float(qtd),
            "qty_delivered": float(entregue),
            "price_unit": float(preco),
            "state": estado,
            "display_type": tipo_linha,
        }


@pytest.fixture
def odoo(settings):
    servidor = OdooFalso()
    settings.ODOO_URL, settings.ODOO_DB, settings.ODOO_LOGIN, settings.ODOO_API_KEY = servidor.url, BANCO, LOGIN, CHAVE
    settings.ODOO_PAGE_SIZE, settings.ODOO_TIMEOUT = 2, 5
    settings.ODOO_PERMITIR_HTTP = "1"  # the loopback Odoo speaks plain http
    yield servidor
    servidor.parar()


def retrato():
    """Every row the sync may write (except its log), to compare before and after."""

    def linhas(model):
        return [tuple(sorted(r.items())) for r in model.objects.order_by("pk").values()]

    return {
        m.__name__: linhas(m)
        for m in (
            CarteiraPrincipal,
            PreSeparacaoItem,
            Separacao,
            AlertaSeparacaoCotada,
            EstoqueTempoReal,
            MovimentacaoPrevista,
        )
    }


# ---------------------------------------------------------------- seed 004


@pytest.fixture
def exemplo_seed(odoo):
    """Seed 004's initial state in the database, and what Odoo sends now."""
    f.produto("PROD001")
    f.produto("PROD002")
    f.movimento("PROD001", 1000)
    f.linha_carteira("PED001", "PROD001", 100, origem="ODOO", odoo_line_id=1)
    f.linha_carteira("PED001", "PROD002", 50, origem="ODOO", odoo_line_id=2)
    f.linha_carteira("PED002", "PROD001", 200, origem="ODOO", odoo_line_id=3)
    pre = f.pre_separacao("PROD001", 30, k=2, pedido="PED001")
    cotada = f.separacao(
        "PROD001", 100, k=3, lote="LOTE-PED002", pedido="PED002", status="COTADO", valor_saldo=D("1000")
    )

    p1, p2 = odoo.produto("PROD001"), odoo.produto("PROD002")
    ped1, ped2, ped3 = odoo.pedido("PED001"), odoo.pedido("PED002", estado="cancel"), odoo.pedido("PED003")
    odoo.linha(1, ped1, p1, 80)
    odoo.linha(2, ped1, p2, 70)
    odoo.linha(3, ped2, p1, 200)  # the order was cancelled: no longer a confirmed order
    odoo.linha(4, ped3, p1, 30)
    odoo.linha(5, ped3, odoo.produto("FRETE", tipo="service"), 1)  # services are not carteira
    odoo.linha(6, ped3, False, 0, tipo_linha="line_section")  # a section title, no product
    return pre, cotada


def sincronizar_confirmando(gatilho="COMANDO"):
    """A run that stops for confirmation, then its confirmation (Odoo read again)."""
    parada = servico.sincronizar_odoo(gatilho=gatilho)
    assert parada.status == "AGUARDANDO_CONFIRMACAO", parada.relatorio
    execucao = servico.confirmar(parada, gatilho=gatilho)
    assert execucao.status == "SUCESSO", execucao.relatorio
    return parada, execucao


def test_exemplo_do_seed_004(exemplo_seed):
    pre, cotada = exemplo_seed
    antes = retrato()

    # One line of three removed (33%, above the 20% limit) and a COTADO separação touched: it waits.
    parada = servico.sincronizar_odoo(gatilho="COMANDO")

    assert parada.status == "AGUARDANDO_CONFIRMACAO" and retrato() == antes
    assert [m.split(" (")[0] for m in parada.plano["motivos"]] == [
        "remove 1 de 3 linha(s) do Odoo na carteira",
        "altera 1 separação(ões) COTADO",
    ]
    assert parada.plano["removidas"] == [["PED002", "PROD001", "200.000"]]
    assert [(s["lote"], s["status"], s["acao"], s["antes"], s["depois"]) for s in parada.plano["separacoes"]] == [
        ("LOTE-PED002", "COTADO", "cancelada", "100.000", "0.000")
    ]
    execucao = servico.confirmar(parada, gatilho="COMANDO")

    carteira = {(c.num_pedido, c.cod_produto): c.qtd_saldo_produto_pedido for c in CarteiraPrincipal.objects.all()}
    assert carteira == {("PED001", "PROD001"): 80, ("PED001", "PROD002"): 70, ("PED003", "PROD001"): 30}
    pre.refresh_from_db()
    assert pre.qtd_selecionada_usuario == 30  # the 20 came from the free balance
    cotada.refresh_from_db()
    # Cancelled, never deleted: kept as it was, out of the forecast, naming the run.
    assert (cotada.status, cotada.qtd_saldo, cotada.valor_saldo) == ("COTADO", 100, 1000)
    assert cotada.cancelado_em is not None and cotada.cancelado_por_sincronizacao == execucao
    assert not Separacao.objects.pendentes().filter(pk=cotada.pk).exists()
    alerta = AlertaSeparacaoCotada.objects.get()
    assert (
        alerta.separacao_lote_id,
        alerta.num_pedido,
        alerta.cod_produto,
        alerta.tipo,
        alerta.qtd_antes,
        alerta.qtd_depois,
        alerta.reconhecido,
    ) == ("LOTE-PED002", "PED002", "PROD001", "REMOCAO", 100, 0, False)
    assert (execucao.status, execucao.origem, execucao.linhas_recebidas) == ("SUCESSO", "ODOO", 3)
    assert execucao.confirmacao_de == parada
    parada.refresh_from_db()
    assert parada.status == "CONFIRMADA"
    assert (
        execucao.linhas_reduzidas,
        execucao.linhas_aumentadas,
        execucao.linhas_novas,
        execucao.linhas_removidas,
    ) == (1, 1, 1, 1)
    assert (execucao.pre_separacoes_reduzidas, execucao.separacoes_canceladas, execucao.alertas) == (0, 1, 1)
    assert "20 absorvidos pelo saldo livre (70 → 50 livres)" in execucao.relatorio
    assert diferencas_com_derivados() == []


def test_mapeamento_dos_campos(exemplo_seed):
    sincronizar_confirmando()
    nova = CarteiraPrincipal.objects.get(num_pedido="PED003")
    assert (nova.origem, nova.odoo_line_id, nova.ativo) == ("ODOO", 4, True)
    assert (nova.pedido_cliente, nova.status_pedido, nova.raz_social, nova.cnpj_cpf) == (
        "OC-PED003",
        "sale",
        "CLIENTE PED003",
        "12.345.678/0001-90",
    )
    assert (nova.municipio, nova.estado, nova.vendedor, nova.equipe_vendas) == (
        "Campinas",
        "SP",
        "Vendedor Um",
        "Equipe Sul",
    )
    assert (nova.nome_produto, nova.qtd_produto_pedido, nova.preco_produto_pedido) == (
        "PRODUTO PROD001",
        30,
        D("10.00"),
    )
    # Odoo datetimes are UTC; the carteira keeps the São Paulo date.
    assert (str(nova.data_pedido), str(nova.data_entrega_pedido)) == ("2025-03-10", "2025-03-20")
    assert (nova.cep_endereco_ent, nova.cod_uf, nova.rua_endereco_ent, nova.bairro_endereco_ent) == (
        "13000-000",
        "SP",
        "Rua A, 10",
        "Centro",
    )


def test_segunda_sincronizacao_identica_nao_muda_nada(exemplo_seed):
    sincronizar_confirmando()
    antes = retrato()
    execucao = servico.sincronizar_odoo(gatilho="COMANDO")
    assert retrato() == antes
    assert execucao.status == "SUCESSO"
    assert (
        execucao.linhas_novas,
        execucao.linhas_removidas,
        execucao.linhas_reduzidas,
        execucao.linhas_aumentadas,
        execucao.linhas_alteradas,
        execucao.alertas,
    ) == (0, 0, 0, 0, 0, 0)
    assert AlertaSeparacaoCotada.objects.count() == 1


def test_saldo_entregue_reduz_e_alerta_existente_e_atualizado(odoo):
    f.produto("P1")
    f.linha_carteira("PED9", "P1", 100, origem="ODOO", odoo_line_id=10)
    cotada = f.separacao("P1", 100, lote="L9", pedido="PED9", status="COTADO")
    p1, ped = odoo.produto("P1"), odoo.pedido("PED9")
    odoo.linha(10, ped, p1, 100, entregue=40)  # remaining 60
    sincronizar_confirmando()
    odoo.linha(10, ped, p1, 100, entregue=75)  # remaining 25
    sincronizar_confirmando()

    cotada.refresh_from_db()
    assert cotada.qtd_saldo == 25
    alerta = AlertaSeparacaoCotada.objects.get()  # updated, not duplicated
    assert (alerta.tipo, alerta.qtd_antes, alerta.qtd_depois) == ("REDUCAO", 100, 25)
    assert CarteiraPrincipal.objects.get().qtd_saldo_produto_pedido == 25
    assert diferencas_com_derivados() == []


def test_cliente_pagina_com_lista_de_campos_explicita(exemplo_seed, odoo):
    registros = ClienteOdoo().buscar_carteira()
    assert sorted(r["odoo_line_id"] for r in registros) == [1, 2, 4]
    linhas = [
        (dominio[-1], limite, campos)
        for modelo, dominio, limite, campos, _ in odoo.chamadas
        if modelo == "sale.order.line"
    ]
    # Page size 2, three open lines (1, 2, 4): a full page, then one after the last id seen.
    assert linhas == [(["id", ">", 0], 2, tuple(CAMPOS_LINHA)), (["id", ">", 2], 2, tuple(CAMPOS_LINHA))]
    relacionados = {modelo: contexto for modelo, _, _, _, contexto in odoo.chamadas if modelo != "sale.order.line"}
    assert relacionados == dict.fromkeys(
        ["sale.order", "product.product", "uom.uom", "res.partner", "res.country.state"], {"active_test": False}
    )
    unidades = [campos for modelo, _, _, campos, _ in odoo.chamadas if modelo == "uom.uom"]
    assert unidades == [tuple(CAMPOS_UNIDADE)]  # one batch for every unit of every line and product


# ---------------------------------------------------------------- errors: nothing written but the log


def _falha(mensagem_parcial, confirmando=False):
    """The run fails (confirming the plan first, if asked): nothing written but the FALHA run."""
    confirmacao = servico.sincronizar_odoo(gatilho="COMANDO") if confirmando else None
    antes = retrato()
    with pytest.raises(ErroSincronizacao) as erro:
        servico.sincronizar_odoo(gatilho="COMANDO", confirmacao=confirmacao)
    assert mensagem_parcial in str(erro.value)
    assert retrato() == antes
    execucao = SincronizacaoCarteira.objects.exclude(pk=getattr(confirmacao, "pk", None)).get()
    assert execucao.status == "FALHA" and mensagem_parcial in execucao.erro
    assert erro.value.execucao == execucao
    return str(erro.value)


def test_autenticacao_recusada(exemplo_seed, settings):
    settings.ODOO_API_KEY = "chave-errada"
    _falha("Autenticação recusada pelo Odoo")


def test_banco_inexistente(exemplo_seed, settings):
    settings.ODOO_DB = "outro"
    assert 'database "outro" does not exist' in _falha("O Odoo recusou a chamada authenticate")


def test_servidor_fora_do_ar(exemplo_seed, settings):
    with socket.socket() as livre:
        livre.bind(("127.0.0.1", 0))
        porta = livre.getsockname()[1]
    settings.ODOO_URL = f"http://127.0.0.1:{porta}"
    _falha("Servidor Odoo inacessível")


def test_tempo_esgotado(exemplo_seed, odoo, settings):
    settings.ODOO_TIMEOUT = 1
    odoo.atraso = 2.5
    _falha("Tempo esgotado (1s)")


def test_odoo_nao_configurado(exemplo_seed, settings):
    settings.ODOO_URL = ""
    _falha("Odoo não configurado: defina ODOO_URL")


def test_registro_sem_codigo_de_produto(exemplo_seed, odoo):
    odoo.linha(7, odoo.pedido("PED004"), odoo.produto(None, nome="SEM CODIGO"), 5)
    _falha("linha Odoo 7 (PED004): sem código do produto")


def test_registro_com_quantidade_negativa(exemplo_seed, odoo):
    odoo.linha(7, odoo.pedido("PED004"), odoo.produto("PROD001"), -5)
    _falha("linha Odoo 7 (PED004): qtd pedida: valor negativo (-5)")


def test_registro_de_produto_desconhecido(exemplo_seed, odoo):
    odoo.linha(7, odoo.pedido("PED004"), odoo.produto("NAO-CADASTRADO"), 5)
    _falha("produto “NAO-CADASTRADO” não cadastrado")


def test_falha_no_meio_desfaz_as_alocacoes_ja_ajustadas(exemplo_seed, odoo):
    """The allocations are reduced first; a refusal while replacing the carteira undoes them too."""
    f.linha_carteira("PED-M", "PROD002", 5, origem="MANUAL", odoo_line_id=99)
    odoo.linha(99, odoo.pedido("PED005"), odoo.produto("PROD002"), 5)  # its Odoo id is held by a MANUAL line
    _falha("Erro inesperado na sincronização da carteira (IntegrityError)", confirmando=True)
    assert not Separacao.objects.filter(cancelado_em__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_falha_fora_de_transacao_externa_grava_so_o_log(exemplo_seed, odoo):
    """Without the test's own transaction around it: the sync's transaction is the outermost one."""
    f.linha_carteira("PED-M", "PROD002", 5, origem="MANUAL", odoo_line_id=99)
    odoo.linha(99, odoo.pedido("PED005"), odoo.produto("PROD002"), 5)
    _falha("IntegrityError", confirmando=True)
    assert diferencas_com_derivados() == []


# ---------------------------------------------------------------- ways to run it


def test_comando_dry_run_mostra_o_plano_e_nao_grava(exemplo_seed, capsys):
    antes = retrato()
    call_command("sincronizar_carteira", "--dry-run")
    saida = capsys.readouterr().out
    assert "REDUZIDA   PED001/PROD001: 100 → 80" in saida
    assert "REMOVIDA   PED002/PROD001: 200 → 0" in saida
    assert "NOVA       PED003/PROD001: 30" in saida
    assert "separação COTADO lote LOTE-PED002 cancelada: 100 → 0  [ALERTA REMOCAO" in saida
    assert "Exige confirmação:" in saida and "altera 1 separação(ões) COTADO (lotes LOTE-PED002)" in saida
    assert "nada foi gravado" in saida
    assert retrato() == antes
    assert SincronizacaoCarteira.objects.get().status == "SIMULACAO"


def test_comando_para_confirma_e_erro_vira_command_error(exemplo_seed, settings, capsys):
    antes = retrato()
    with pytest.raises(CommandError, match="Nada foi gravado. Para aplicar.*--confirmar") as parou:
        call_command("sincronizar_carteira")
    parada = SincronizacaoCarteira.objects.get()
    assert str(parou.value).endswith(f"--confirmar {parada.pk}")
    assert "aguardando confirmação" in capsys.readouterr().out
    assert retrato() == antes
    call_command("sincronizar_carteira", "--confirmar")
    saida = capsys.readouterr().out
    execucao = SincronizacaoCarteira.objects.get(status="SUCESSO")
    assert f"Confirmando a execução nº {parada.pk}" in saida
    assert f"Carteira sincronizada (nº {execucao.pk}): 1 novas, 1 removidas" in saida
    with pytest.raises(CommandError, match="Nenhuma sincronização \\(Odoo\\) está aguardando confirmação"):
        call_command("sincronizar_carteira", "--confirmar")
    with pytest.raises(
        CommandError, match=f"A execução nº {parada.pk} já foi confirmada e aplicada \\(execução nº {execucao.pk}\\)"
    ):
        call_command("sincronizar_carteira", "--confirmar", str(parada.pk))
    settings.ODOO_API_KEY = "errada"
    with pytest.raises(CommandError, match="Autenticação recusada"):
        call_command("sincronizar_carteira")


def test_tarefa_agendada_nunca_confirma(exemplo_seed):
    from carteira.tasks import sincronizar_carteira_odoo

    antes = retrato()
    mensagem = sincronizar_carteira_odoo()
    execucao = SincronizacaoCarteira.objects.get()
    assert mensagem.startswith(f"Sincronização nº {execucao.pk} parada antes de gravar, aguardando confirmação")
    assert retrato() == antes
    assert (execucao.gatilho, execucao.status) == ("AGENDAMENTO", "AGUARDANDO_CONFIRMACAO")
    assert execucao.linhas_removidas == 1 and execucao.plano["removidas"] == [["PED002", "PROD001", "200.000"]]
    with pytest.raises(ErroSincronizacao, match="A sincronização agendada nunca confirma"):
        servico.confirmar(execucao, gatilho="AGENDAMENTO")
    # Once confirmed (by a person), the scheduled run has nothing left that needs confirmation and applies.
    servico.confirmar(execucao, gatilho="COMANDO")
    assert sincronizar_carteira_odoo().startswith("Carteira sincronizada (nº ")
    assert SincronizacaoCarteira.objects.order_by("pk").last().status == "SUCESSO"


URL_SINCRONIZAR = "admin:carteira_sincronizacaocarteira_sincronizar"
URL_RUN = "admin:carteira_sincronizacaocarteira_change"


def test_botao_sincronizar_agora_mostra_o_plano_e_confirma(exemplo_seed, cliente_staff, tarefas_sincronas):
    pre, cotada = exemplo_seed
    lista = cliente_staff.get(reverse("admin:carteira_sincronizacaocarteira_changelist"))
    assert "Sincronizar agora" in lista.content.decode()
    antes = retrato()
    resposta = cliente_staff.post(reverse(URL_SINCRONIZAR))
    parada = SincronizacaoCarteira.objects.get()
    url_confirmar = reverse("admin:carteira_sincronizacaocarteira_confirmar", args=[parada.pk])
    # A background job (core.trabalhos): its page says what the run did and links to the plan.
    trabalho = Trabalho.objects.get()
    assert (resposta.status_code, resposta.url) == (302, reverse("trabalhos:detalhe", args=[trabalho.pk]))
    assert trabalho.link == url_confirmar
    assert "parada antes de gravar, aguardando confirmação" in trabalho.resumo
    assert (parada.gatilho, parada.usuario, parada.status) == ("ADMIN", "staff", "AGUARDANDO_CONFIRMACAO")
    assert retrato() == antes

    pagina = cliente_staff.get(url_confirmar).content.decode()
    for trecho in (
        "parou antes de gravar (nada foi gravado por ela) e espera confirmação",
        "remove 1 de 3 linha(s) do Odoo na carteira",
        "Linhas do Odoo a remover da carteira: 1 de 3",
        "<td>PED002</td><td>PROD001</td>",
        "<td>LOTE-PED002</td>",
        "Confirmar e aplicar",
    ):
        assert trecho in pagina
    lista = cliente_staff.get(reverse("admin:carteira_sincronizacaocarteira_changelist")).content.decode()
    assert f"A sincronização nº {parada.pk} (Odoo) está parada aguardando confirmação" in lista

    resposta = cliente_staff.post(url_confirmar)
    execucao = SincronizacaoCarteira.objects.get(status="SUCESSO")
    assert (resposta.status_code, resposta.url) == (302, reverse(URL_RUN, args=[execucao.pk]))
    textos = [str(m) for m in get_messages(resposta.wsgi_request)]
    assert any(f"Carteira sincronizada (nº {execucao.pk}): 1 novas, 1 removidas" in t for t in textos)
    assert any("revise os alertas" in t for t in textos)
    assert (execucao.gatilho, execucao.usuario, execucao.confirmacao_de) == ("ADMIN", "staff", parada)
    assert CarteiraPrincipal.objects.count() == 3
    # The run's page lists the separação it cancelled.
    pagina = cliente_staff.get(reverse(URL_RUN, args=[execucao.pk])).content.decode()
    assert "Separações canceladas: 1" in pagina and "<td>LOTE-PED002</td>" in pagina
    assert f"Aplicada com a confirmação da execução nº {parada.pk}" in pagina
    lista = cliente_staff.get(
        reverse("admin:carteira_separacao_changelist"), {"cancelado_por_sincronizacao": execucao.pk}
    )
    assert lista.status_code == 200 and "LOTE-PED002" in lista.content.decode()
    assert "Confirmar e aplicar" not in cliente_staff.get(url_confirmar).content.decode()


def test_botao_mostra_erro_e_nao_muda_nada(exemplo_seed, cliente_staff, settings, tarefas_sincronas):
    settings.ODOO_API_KEY = "errada"
    antes = retrato()
    resposta = cliente_staff.post(reverse(URL_SINCRONIZAR))
    assert resposta.status_code == 302
    trabalho = Trabalho.objects.get()  # the job failed with the sync's error
    assert trabalho.status == "FALHOU" and "Autenticação recusada" in trabalho.erro
    assert "nada foi alterado" in trabalho.erro
    assert retrato() == antes


def test_botao_exige_post_e_permissao(exemplo_seed, client, cliente_staff, django_user_model):
    assert cliente_staff.get(reverse(URL_SINCRONIZAR)).status_code == 405
    operador = django_user_model.objects.create_user("operador", password="senha-forte-123", is_staff=True)
    client.force_login(operador)
    assert client.post(reverse(URL_SINCRONIZAR)).status_code == 403
    parada = servico.sincronizar_odoo(gatilho="COMANDO")
    url_confirmar = reverse("admin:carteira_sincronizacaocarteira_confirmar", args=[parada.pk])
    assert "Confirmar e aplicar" not in client.get(url_confirmar).content.decode()
    assert client.post(url_confirmar).status_code == 403
    parada.refresh_from_db()
    assert parada.status == "AGUARDANDO_CONFIRMACAO"
    parada.delete()
    assert (
        "Sincronizar agora"
        not in client.get(reverse("admin:carteira_sincronizacaocarteira_changelist")).content.decode()
    )
    assert not SincronizacaoCarteira.objects.exists()


def test_transporte_sozinho(odoo):
    transporte = TransporteXmlRpc(odoo.url, BANCO, LOGIN, CHAVE, timeout=5)
    transporte.autenticar()
    assert transporte.uid == UID
    odoo.parceiro("X")
    assert transporte.search_read("res.country.state", [("id", "in", [1])], ["id", "code"]) == [{"id": 1, "code": "SP"}]
    with pytest.raises(ErroOdoo, match="O Odoo recusou a chamada res.partner.search_read: Invalid field 'inexistente'"):
        transporte.search_read("res.partner", [], ["id", "inexistente"])


# ---------------------------------------------------------------- ODOO_URL must be https


@pytest.mark.parametrize(
    ("url", "mensagem"),
    [
        ("http://odoo.empresa.com.br", "Configuração insegura: ODOO_URL='http://odoo.empresa.com.br' usa http://"),
        ("odoo.empresa.com.br", "Configuração inválida: ODOO_URL='odoo.empresa.com.br' não é um endereço https://"),
        ("ftp://odoo.empresa.com.br", "não é um endereço https://"),
    ],
)
def test_odoo_url_precisa_de_https(exemplo_seed, odoo, settings, url, mensagem):
    settings.ODOO_URL = url
    settings.ODOO_PERMITIR_HTTP = "0"
    texto = _falha(mensagem)
    assert "ODOO_PERMITIR_HTTP=1" in texto if url.startswith("http:") else "ex. https://empresa.odoo.com" in texto
    assert odoo.chamadas == []  # refused before anything (the API key) went over the wire


def test_http_so_com_a_permissao_explicita(odoo, settings):
    with pytest.raises(ErroOdoo, match="Configuração insegura"):
        TransporteXmlRpc(odoo.url, BANCO, LOGIN, CHAVE, permitir_http=False)
    settings.ODOO_PERMITIR_HTTP = None
    with pytest.raises(ErroOdoo, match="defina ODOO_PERMITIR_HTTP=1"):
        TransporteXmlRpc(odoo.url, BANCO, LOGIN, CHAVE)
    assert odoo.chamadas == []  # refused before anything went over the wire
    settings.ODOO_PERMITIR_HTTP = "1"
    TransporteXmlRpc(odoo.url, BANCO, LOGIN, CHAVE).autenticar()
    seguro = TransporteXmlRpc("https://odoo.empresa.com.br", BANCO, LOGIN, CHAVE, permitir_http=False)
    assert type(seguro._proxy("/xmlrpc/2/common")._ServerProxy__transport).__name__ == "_TransporteSeguroComTimeout"


# ---------------------------------------------------------------- units of measure


def test_quantidades_e_preco_convertidos_para_a_unidade_do_produto(odoo):
    f.produto("P-UN")
    f.produto("P-CX")
    f.movimento("P-UN", 1000)
    ped = odoo.pedido("PED-UOM")
    unidade = odoo.produto("P-UN")  # the product counted in units
    caixa = odoo.produto("P-CX", uom=CAIXA12)  # a product counted in boxes of 12
    # 10 boxes of 12 ordered, 2 delivered, 120 per box: 120 units, 96 open, 10 per unit.
    odoo.linha(1, ped, unidade, 10, entregue=2, preco=120, uom=CAIXA12)
    # 36 units of a product kept in boxes: 3 boxes, at 5 per unit = 60 per box.
    odoo.linha(2, ped, caixa, 36, preco=5, uom=UNIDADE)
    # 2 dozens (factor only, no factor_inv) of the unit product, in another order.
    odoo.linha(3, odoo.pedido("PED-DZ"), unidade, 2, preco=24, uom=DUZIA)

    execucao = servico.sincronizar_odoo(gatilho="COMANDO")

    assert execucao.status == "SUCESSO", execucao.relatorio
    linhas = {
        (c.num_pedido, c.cod_produto): (c.qtd_produto_pedido, c.qtd_saldo_produto_pedido, c.preco_produto_pedido)
        for c in CarteiraPrincipal.objects.all()
    }
    assert linhas == {
        ("PED-UOM", "P-UN"): (D("120"), D("96"), D("10.00")),
        ("PED-UOM", "P-CX"): (D("3"), D("3"), D("60.00")),
        ("PED-DZ", "P-UN"): (D("24"), D("24"), D("2.00")),
    }
    # Allocations and stock count in the product's unit: a pré-separação of the 96 units fits.
    from carteira import services

    services.criar_pre_separacao(
        num_pedido="PED-UOM", cod_produto="P-UN", qtd_selecionada_usuario=D("96"), data_expedicao_editada=f.dia(1)
    )


def test_unidade_que_nao_converte_recusa_a_sincronizacao_nomeando_a_linha(exemplo_seed, odoo):
    ped = odoo.pedido("PED-KG")
    odoo.linha(7, ped, odoo.produto("PROD001"), 5, uom=KG)  # kg for a product counted in units
    odoo.linha(8, ped, odoo.produto("PROD002"), 5, uom=[99, "Fardo"])  # a unit Odoo does not know
    odoo.linha(9, ped, odoo.produto("PROD002"), 5, entregue=5, uom=KG)  # delivered already: not carteira, no refusal
    texto = _falha("2 linha(s) do Odoo com unidade de medida que não converte")
    assert (
        "linha Odoo 7 (PED-KG): a unidade da linha “kg” (categoria Peso) não converte para a unidade do produto "
        "“Unidades” (categoria Unidade): categorias diferentes"
    ) in texto
    assert "linha Odoo 8 (PED-KG): a unidade de medida da linha “Fardo” não foi encontrada no Odoo (uom.uom)" in texto
    assert "linha Odoo 9" not in texto
