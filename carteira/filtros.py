"""Filters of the open orders list (/carteira/pedidos/): one django-filter FilterSet over the open
order lines, its state in the URL (GET form).

Criticidade and "disponível hoje" come from the stored ruptura analyses (the newest result of
each order, carteira.ruptura.selectors.ultimas_analises): an order not analysed recently has
neither, so those two filters leave it out. The sort (`ordem`) is validated here and applied by
carteira.ruptura.selectors.pedidos_agrupados.
"""

import django_filters as filtros
from django import forms

from carteira.models import CarteiraPrincipal
from carteira.ruptura import selectors
from core.limites import validar_data_negocio
from estoque.filtros import FiltroMarcacao, OpcoesSobDemanda

CRITICIDADES = [
    ("CRITICA", "Crítica"),
    ("ALTA", "Alta"),
    ("MEDIA", "Média"),
    ("BAIXA", "Baixa"),
    ("OK", "Estoque OK"),
]
ORDENS = [
    ("pedido", "Pedido"),
    ("criticidade", "Criticidade (mais crítica primeiro)"),
    ("entrega", "Data de entrega"),
    ("-entrega", "Data de entrega (decrescente)"),
    ("-valor", "Valor (maior primeiro)"),
    ("valor", "Valor (menor primeiro)"),
]


class DataNaJanela(forms.DateField):
    """A date typed as aaaa-mm-dd or dd/mm/aaaa, inside the business window (core.limites)."""

    input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
    default_validators = [validar_data_negocio]
    default_error_messages = {"invalid": "Data inválida: use aaaa-mm-dd ou dd/mm/aaaa."}


class FiltroData(filtros.DateFilter):
    field_class = DataNaJanela


class PedidosFilter(filtros.FilterSet):
    q = filtros.CharFilter(label="Pedido ou cliente", method="filtrar_texto", max_length=100)
    uf = filtros.CharFilter(label="UF", field_name="estado", lookup_expr="iexact", max_length=2)
    cidade = filtros.CharFilter(label="Cidade", field_name="municipio", lookup_expr="icontains", max_length=100)
    vendedor = filtros.CharFilter(label="Vendedor", field_name="vendedor", lookup_expr="icontains", max_length=100)
    entrega_de = FiltroData(label="Entrega de", field_name="data_entrega_pedido", lookup_expr="gte")
    entrega_ate = FiltroData(label="Entrega até", field_name="data_entrega_pedido", lookup_expr="lte")
    status = filtros.ChoiceFilter(label="Status", field_name="status_pedido", empty_label="Todos")
    criticidade = filtros.ChoiceFilter(
        label="Criticidade", choices=CRITICIDADES, method="filtrar_criticidade", empty_label="Todas"
    )
    disponivel_hoje = FiltroMarcacao(label="Só disponíveis hoje", method="filtrar_disponivel_hoje")
    ordem = filtros.ChoiceFilter(label="Ordenar por", choices=ORDENS, method="nao_filtrar", empty_label=None)

    class Meta:
        model = CarteiraPrincipal
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        base = queryset if queryset is not None else selectors.linhas_abertas()
        super().__init__(data, base, request=request, prefix=prefix)
        self.filters["status"].extra["choices"] = OpcoesSobDemanda(selectors.status_em_aberto)
        self._analises: dict | None = None
        for nome in ("status", "criticidade", "ordem"):
            self.form.fields[nome].widget.attrs["class"] = "form-select form-select-sm"

    @property
    def analises(self) -> dict[str, dict]:
        """num_pedido -> its newest stored ruptura result (read once, when a filter or the sort needs it)."""
        if self._analises is None:
            self._analises = selectors.ultimas_analises()
        return self._analises

    @property
    def ordem_escolhida(self) -> str:
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("ordem") or "pedido"
        return "pedido"

    def is_valid(self):
        valido = super().is_valid()
        dados = getattr(self.form, "cleaned_data", {})
        de, ate = dados.get("entrega_de"), dados.get("entrega_ate")
        if valido and de and ate and de > ate:
            self.form.add_error("entrega_ate", "A data 'até' é anterior à data 'de'.")
            return False
        return valido

    def filtrar_texto(self, qs, nome, valor):
        return qs.filter(num_pedido__icontains=valor) | qs.filter(raz_social__icontains=valor)

    def filtrar_criticidade(self, qs, nome, valor):
        return qs.filter(num_pedido__in=[num for num, r in self.analises.items() if selectors.rotulo(r) == valor])

    def filtrar_disponivel_hoje(self, qs, nome, valor):
        if not valor:
            return qs
        return qs.filter(num_pedido__in=[num for num, r in self.analises.items() if r.get("pedido_ok")])

    def nao_filtrar(self, qs, nome, valor):
        return qs  # the sort is applied by carteira.ruptura.selectors.pedidos_agrupados
