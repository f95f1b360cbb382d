"""The open orders as the /carteira/pedidos/ page lists them, grouped by order."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.paginator import Paginator

from carteira.models import CarteiraPrincipal
from estoque.models import CadastroPalletizacao
from estoque.selectors import grupos_de

ZERO = Decimal("0")
POR_PAGINA = 100


@dataclass
class PedidoAgrupado:
    num_pedido: str
    raz_social_red: str
    cnpj_cpf: str
    municipio: str
    estado: str
    vendedor: str
    status_pedido: str
    data_pedido: date | None
    data_entrega_pedido: date | None
    valor: Decimal = ZERO
    peso: Decimal = ZERO
    pallets: Decimal = ZERO
    itens: int = 0
    principais: set = field(default_factory=set)


def pedidos_agrupados(pagina: int = 1, busca: str = ""):
    """(page of PedidoAgrupado, paginator): a page of order numbers, then their lines (3 queries + groups)."""
    base = CarteiraPrincipal.objects.filter(ativo=True, qtd_saldo_produto_pedido__gt=0)
    if busca:
        base = base.filter(num_pedido__icontains=busca) | base.filter(raz_social__icontains=busca)
    numeros = base.order_by("num_pedido").values_list("num_pedido", flat=True).distinct()
    paginador = Paginator(numeros, POR_PAGINA)
    pagina_obj = paginador.get_page(pagina)
    linhas = list(base.filter(num_pedido__in=list(pagina_obj.object_list)).order_by("num_pedido", "cod_produto"))
    codigos = {linha.cod_produto for linha in linhas}
    cadastro = {
        cod: (pallet, peso)
        for cod, pallet, peso in CadastroPalletizacao.objects.filter(cod_produto__in=codigos).values_list(
            "cod_produto", "palletizacao", "peso_bruto"
        )
    }
    principal_de, _, _ = grupos_de(codigos) if codigos else ({}, {}, set())
    pedidos: dict[str, PedidoAgrupado] = {}
    for linha in linhas:
        pedido = pedidos.get(linha.num_pedido)
        if pedido is None:
            pedido = pedidos[linha.num_pedido] = PedidoAgrupado(
                linha.num_pedido,
                linha.raz_social_red or linha.raz_social,
                linha.cnpj_cpf,
                linha.municipio,
                linha.estado,
                linha.vendedor,
                linha.status_pedido,
                linha.data_pedido,
                linha.data_entrega_pedido,
            )
        qtd = linha.qtd_saldo_produto_pedido
        palletizacao, peso = cadastro.get(linha.cod_produto, (None, None))
        pedido.valor += qtd * linha.preco_produto_pedido
        pedido.peso += qtd * (peso or ZERO)
        pedido.pallets += qtd / palletizacao if palletizacao else ZERO
        pedido.itens += 1
        pedido.principais.add(principal_de.get(linha.cod_produto, linha.cod_produto))
    return [pedidos[num] for num in pagina_obj.object_list if num in pedidos], pagina_obj
