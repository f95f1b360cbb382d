"""Reading the open carteira from Odoo.

Two layers, so a new transport (Odoo 19's JSON-2 API) changes nothing above it:
- TransporteOdoo: authenticate and search_read, nothing Odoo-specific beyond that;
  TransporteXmlRpc speaks /xmlrpc/2/common and /xmlrpc/2/object.
- ClienteOdoo: pages through sale.order.line (limit, ids ascending) with an explicit field list, reads the related
  orders, partners, states, products and units of measure in batches, converts quantities
  and prices from each line's unit to the product's (unidades.py), and maps everything to
  CarteiraPrincipal field names (docs/sincronizacao_odoo.md has the table).

ODOO_URL must be https:// (the API key travels in every call) unless ODOO_PERMITIR_HTTP=1,
for a test Odoo on the machine or the local network.
Every failure (refused login, server down, timeout, a refused call, an insecure or invalid
ODOO_URL, a unit that does not convert) becomes ErroOdoo with a message in Portuguese that
says what to check.
"""

import http.client
import xmlrpc.client
from abc import ABC, abstractmethod
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings

from carteira.sincronizacao.configuracao import configuracao, ligado
from carteira.sincronizacao.unidades import CAMPOS_UNIDADE, ErroUnidade, Unidades

# Lines of confirmed orders (state 'sale'; 'done' is a locked order before Odoo 17), without
# section/note lines and without services (freight, fees), which are not stock.
DOMINIO_LINHAS = [
    ("state", "in", ["sale", "done"]),
    ("display_type", "=", False),
    ("product_id.type", "!=", "service"),
]
CAMPOS_LINHA = ["id", "order_id", "product_id", "product_uom", "product_uom_qty", "qty_delivered", "price_unit"]
CAMPOS_PEDIDO = [
    "id",
    "name",
    "client_order_ref",
    "state",
    "date_order",
    "commitment_date",
    "partner_id",
    "partner_shipping_id",
    "user_id",
    "team_id",
]
CAMPOS_PARCEIRO = ["id", "name", "vat", "city", "state_id", "zip", "street", "street2", "phone"]
CAMPOS_ESTADO = ["id", "code"]
CAMPOS_PRODUTO = ["id", "default_code", "name", "uom_id"]
MAX_PROBLEMAS = 50


class ErroOdoo(Exception):
    """The carteira could not be read from Odoo; the message says why, in Portuguese."""


def _inteiro(nome: str, padrao: int) -> int:
    valor = configuracao(nome, padrao)
    try:
        return int(valor)
    except (TypeError, ValueError):
        raise ErroOdoo(f"Configuração inválida: {nome}={valor!r} não é um número inteiro.") from None


class TransporteOdoo(ABC):
    """The two calls the sync needs from Odoo's external API."""

    @abstractmethod
    def autenticar(self) -> None:
        """Log in; raise ErroOdoo if refused or unreachable."""

    @abstractmethod
    def search_read(
        self,
        modelo: str,
        dominio: list,
        campos: list[str],
        *,
        limite: int | None = None,
        deslocamento: int = 0,
        ordem: str = "id",
        contexto: dict | None = None,
    ) -> list[dict]:
        """Records of `modelo` matching `dominio`, only `campos`, in `ordem`."""


if TYPE_CHECKING:
    _BaseMixin = xmlrpc.client.Transport  # what _ComTimeout is always combined with
else:
    _BaseMixin = object


class _ComTimeout(_BaseMixin):
    """xmlrpc.client transports have no timeout of their own: set it on the HTTP connection."""

    def __init__(self, timeout, **kwargs):
        super().__init__(**kwargs)
        self._timeout = timeout

    def make_connection(self, host):
        conexao = super().make_connection(host)
        conexao.timeout = self._timeout
        return conexao


class _TransporteComTimeout(_ComTimeout, xmlrpc.client.Transport):
    pass


class _TransporteSeguroComTimeout(_ComTimeout, xmlrpc.client.SafeTransport):
    pass


class TransporteXmlRpc(TransporteOdoo):
    """Odoo's XML-RPC external API: authenticate on /common, execute_kw on /object."""

    def __init__(
        self, url: str, banco: str, login: str, chave_api: str, timeout: float = 60, permitir_http: bool | None = None
    ):
        faltando = [
            nome
            for nome, valor in (
                ("ODOO_URL", url),
                ("ODOO_DB", banco),
                ("ODOO_LOGIN", login),
                ("ODOO_API_KEY", chave_api),
            )
            if not valor
        ]
        if faltando:
            raise ErroOdoo(
                f"Odoo não configurado: defina {', '.join(faltando)} (ou desligue o agendamento com "
                "CARTEIRA_SINCRONIZACAO_MINUTOS=0)."
            )
        _exigir_https(url, ligado("ODOO_PERMITIR_HTTP") if permitir_http is None else permitir_http)
        self.url = url.rstrip("/")
        self.banco, self.login, self.chave_api, self.timeout = banco, login, chave_api, timeout
        self.uid = None

    def _proxy(self, caminho: str):
        classe = _TransporteSeguroComTimeout if self.url.lower().startswith("https://") else _TransporteComTimeout
        return xmlrpc.client.ServerProxy(
            f"{self.url}{caminho}", transport=classe(self.timeout), allow_none=True, use_builtin_types=True
        )

    def _chamar(self, descricao: str, funcao):
        try:
            return funcao()
        except TimeoutError:
            raise ErroOdoo(
                f"Tempo esgotado ({self.timeout}s) esperando o Odoo em {self.url} ({descricao}). "
                "Tente de novo ou aumente ODOO_TIMEOUT."
            ) from None
        except xmlrpc.client.Fault as falha:
            texto = str(falha.faultString or "").strip()
            if "AccessDenied" in texto or "Access Denied" in texto or "access denied" in texto.lower():
                raise ErroOdoo(
                    f"Autenticação recusada pelo Odoo em {self.url} (banco {self.banco}, login {self.login}): "
                    "verifique ODOO_LOGIN e ODOO_API_KEY."
                ) from None
            ultima = texto.splitlines()[-1] if texto else f"código {falha.faultCode}"
            raise ErroOdoo(f"O Odoo recusou a chamada {descricao}: {ultima}") from None
        except xmlrpc.client.ProtocolError as erro:
            raise ErroOdoo(
                f"O Odoo respondeu HTTP {erro.errcode} ({erro.errmsg}) em {self.url} ({descricao}): verifique ODOO_URL."
            ) from None
        except (OSError, http.client.HTTPException) as erro:
            raise ErroOdoo(
                f"Servidor Odoo inacessível em {self.url} ({descricao}): {erro}. Verifique ODOO_URL e a rede."
            ) from None
        except xmlrpc.client.ResponseError as erro:
            raise ErroOdoo(f"Resposta inválida do Odoo em {self.url} ({descricao}): {erro}") from None

    def autenticar(self) -> None:
        uid = self._chamar(
            "authenticate",
            lambda: self._proxy("/xmlrpc/2/common").authenticate(self.banco, self.login, self.chave_api, {}),
        )
        if not uid:
            raise ErroOdoo(
                f"Autenticação recusada pelo Odoo em {self.url} (banco {self.banco}, login {self.login}): "
                "verifique ODOO_LOGIN e ODOO_API_KEY."
            )
        self.uid = uid

    def search_read(self, modelo, dominio, campos, *, limite=None, deslocamento=0, ordem="id", contexto=None):
        if self.uid is None:
            self.autenticar()
        opcoes = {"fields": list(campos), "offset": deslocamento, "order": ordem}
        if limite:
            opcoes["limit"] = limite
        if contexto:
            opcoes["context"] = contexto
        return self._chamar(
            f"{modelo}.search_read",
            lambda: self._proxy("/xmlrpc/2/object").execute_kw(
                self.banco, self.uid, self.chave_api, modelo, "search_read", [dominio], opcoes
            ),
        )


def _exigir_https(url: str, permitir_http: bool):
    esquema = url.split("://", 1)[0].lower() if "://" in url else ""
    if esquema == "https" or (esquema == "http" and permitir_http):
        return
    if esquema == "http":
        raise ErroOdoo(
            f"Configuração insegura: ODOO_URL={url!r} usa http://, sem criptografia: o login e a chave de API do Odoo "
            "iriam em texto aberto pela rede. Use o endereço https:// do Odoo; só para um Odoo de teste na própria "
            "máquina ou na rede local, defina ODOO_PERMITIR_HTTP=1."
        )
    raise ErroOdoo(
        f"Configuração inválida: ODOO_URL={url!r} não é um endereço https://; use o endereço completo, "
        "ex. https://empresa.odoo.com"
    )


def transporte_configurado() -> TransporteOdoo:
    """The transport named by the settings (XML-RPC today)."""
    timeout = _inteiro("ODOO_TIMEOUT", 60)
    return TransporteXmlRpc(
        url=configuracao("ODOO_URL", "") or "",
        banco=configuracao("ODOO_DB", "") or "",
        login=configuracao("ODOO_LOGIN", "") or "",
        chave_api=configuracao("ODOO_API_KEY", "") or "",
        timeout=timeout,
    )


# ---------------------------------------------------------------- mapping


def _id(valor):
    """Many2one comes as [id, display_name] (or False)."""
    return valor[0] if isinstance(valor, (list, tuple)) and valor else None


def _nome(valor) -> str:
    return str(valor[1]) if isinstance(valor, (list, tuple)) and len(valor) > 1 and valor[1] else ""


def _texto(valor) -> str:
    return "" if valor in (False, None) else str(valor).strip()


def _decimal(valor, campo: str) -> Decimal | None:
    if valor in (False, None, ""):
        return None
    try:
        return Decimal(str(valor))
    except (InvalidOperation, ValueError):
        raise ErroOdoo(f"Valor não numérico do Odoo em {campo}: {valor!r}") from None


def _data(valor) -> date | None:
    """Odoo sends datetimes as UTC text 'YYYY-MM-DD HH:MM:SS'; the carteira keeps the São Paulo date."""
    if not valor:
        return None
    texto = str(valor)
    if len(texto) == 10:
        return date.fromisoformat(texto)
    instante = datetime.fromisoformat(texto[:19]).replace(tzinfo=ZoneInfo("UTC"))
    return instante.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


class ClienteOdoo:
    """The open carteira as CarteiraPrincipal-shaped records (dicts), read over a transport."""

    def __init__(self, transporte: TransporteOdoo | None = None, tamanho_pagina: int | None = None):
        self.transporte = transporte or transporte_configurado()
        self.tamanho_pagina = max(1, tamanho_pagina or _inteiro("ODOO_PAGE_SIZE", 500))

    def _paginado(self, modelo, dominio, campos) -> list[dict]:
        """Every matching record, page by page after the last id seen (keyset paging): a line
        deleted in Odoo while we read does not shift the next page and hide a line that exists,
        which the sync would take for a removed line."""
        registros, ultimo = [], 0
        while True:
            pagina = self.transporte.search_read(
                modelo, [*dominio, ("id", ">", ultimo)], campos, limite=self.tamanho_pagina, ordem="id"
            )
            registros.extend(pagina)
            if len(pagina) < self.tamanho_pagina:
                return registros
            ultimo = pagina[-1]["id"]

    def _por_id(self, modelo, ids, campos) -> dict:
        ids = sorted({i for i in ids if i})
        resultado = {}
        for inicio in range(0, len(ids), self.tamanho_pagina):
            lote = ids[inicio : inicio + self.tamanho_pagina]
            # Archived products and partners still belong to open orders.
            for registro in self.transporte.search_read(
                modelo, [("id", "in", lote)], campos, contexto={"active_test": False}
            ):
                resultado[registro["id"]] = registro
        return resultado

    def buscar_carteira(self) -> list[dict]:
        self.transporte.autenticar()
        linhas = self._paginado("sale.order.line", DOMINIO_LINHAS, CAMPOS_LINHA)
        pedidos = self._por_id("sale.order", (_id(linha["order_id"]) for linha in linhas), CAMPOS_PEDIDO)
        produtos = self._por_id("product.product", (_id(linha["product_id"]) for linha in linhas), CAMPOS_PRODUTO)
        ids_unidades = {_id(linha["product_uom"]) for linha in linhas} | {_id(p["uom_id"]) for p in produtos.values()}
        unidades = Unidades(self._por_id("uom.uom", ids_unidades, CAMPOS_UNIDADE))
        ids_parceiros = {_id(p["partner_id"]) for p in pedidos.values()} | {
            _id(p["partner_shipping_id"]) for p in pedidos.values()
        }
        parceiros = self._por_id("res.partner", ids_parceiros, CAMPOS_PARCEIRO)
        estados = self._por_id("res.country.state", (_id(p["state_id"]) for p in parceiros.values()), CAMPOS_ESTADO)
        registros, problemas = [], []
        for linha in linhas:
            try:
                registro = self._mapear(linha, pedidos, produtos, parceiros, estados, unidades)
            except ErroUnidade as erro:
                pedido = pedidos.get(_id(linha["order_id"]), {})
                nome = _texto(pedido.get("name")) or _nome(linha["order_id"])
                problemas.append(f"linha Odoo {linha['id']} ({nome}): {erro}")
                continue
            if registro is not None:
                registros.append(registro)
        if problemas:
            listados = "\n".join(f"  - {p}" for p in problemas[:MAX_PROBLEMAS])
            resto = f"\n  ... e mais {len(problemas) - MAX_PROBLEMAS}" if len(problemas) > MAX_PROBLEMAS else ""
            raise ErroOdoo(
                f"Sincronização recusada: {len(problemas)} linha(s) do Odoo com unidade de medida que não converte "
                f"para a unidade do produto; nada foi gravado. Corrija no Odoo a unidade da linha ou do produto.\n"
                f"{listados}{resto}"
            )
        return registros

    def _mapear(self, linha, pedidos, produtos, parceiros, estados, unidades: Unidades) -> dict | None:
        pedida = _decimal(linha["product_uom_qty"], "product_uom_qty") or Decimal("0")
        entregue = _decimal(linha["qty_delivered"], "qty_delivered") or Decimal("0")
        if pedida >= 0 and pedida - entregue <= 0:
            return None  # fully delivered: not in the open carteira (whatever its unit)
        pedido = pedidos.get(_id(linha["order_id"]), {})
        produto = produtos.get(_id(linha["product_id"]), {})
        # Odoo keeps the line's quantities in the line's unit (a box of 12); stock is in the product's unit.
        conversao = unidades.conversao(linha["product_uom"], produto.get("uom_id"))
        pedida, entregue = conversao.quantidade(pedida), conversao.quantidade(entregue)
        saldo = pedida - entregue
        preco = conversao.preco(_decimal(linha["price_unit"], "price_unit") or Decimal("0"))
        cliente = parceiros.get(_id(pedido.get("partner_id")), {})
        entrega = parceiros.get(_id(pedido.get("partner_shipping_id")), {}) or cliente

        def uf(parceiro):
            return _texto(estados.get(_id(parceiro.get("state_id")), {}).get("code"))

        return {
            "_referencia": f"linha Odoo {linha['id']} ({_texto(pedido.get('name')) or _nome(linha['order_id'])})",
            "odoo_line_id": linha["id"],
            "num_pedido": _texto(pedido.get("name")) or _nome(linha["order_id"]),
            "pedido_cliente": _texto(pedido.get("client_order_ref")),
            "data_pedido": _data(pedido.get("date_order")),
            "status_pedido": _texto(pedido.get("state")),
            "cnpj_cpf": _texto(cliente.get("vat")),
            "raz_social": _texto(cliente.get("name")),
            "raz_social_red": _texto(cliente.get("name")),
            "municipio": _texto(cliente.get("city")),
            "estado": uf(cliente),
            "vendedor": _nome(pedido.get("user_id")),
            "equipe_vendas": _nome(pedido.get("team_id")),
            "cod_produto": _texto(produto.get("default_code")),
            "nome_produto": _texto(produto.get("name")) or _nome(linha["product_id"]),
            "qtd_produto_pedido": pedida,
            "qtd_saldo_produto_pedido": saldo,
            "preco_produto_pedido": preco,
            "data_entrega_pedido": _data(pedido.get("commitment_date")),
            "cnpj_endereco_ent": _texto(entrega.get("vat")),
            "empresa_endereco_ent": _texto(entrega.get("name")),
            "cep_endereco_ent": _texto(entrega.get("zip")),
            "nome_cidade": _texto(entrega.get("city")),
            "cod_uf": uf(entrega),
            "bairro_endereco_ent": _texto(entrega.get("street2")),
            "rua_endereco_ent": _texto(entrega.get("street")),
            "telefone_endereco_ent": _texto(entrega.get("phone")),
        }
