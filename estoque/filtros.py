"""The Saldo de estoque filters: one django-filter FilterSet shared by the page (/estoque/) and its
API list (/api/estoque/tempo-real/saldo), so a filter means the same everywhere.

The queries behind each filter are estoque.selectors.saldo's; the sort (`ordem`) is validated
here and applied by estoque.selectors.saldo.paginar (some keys sort in SQL, the domain
quantities over the whole catalog in one grouped query).
"""

import django_filters as filtros
from django import forms
from django.utils.choices import BaseChoiceIterator

from estoque.models import EstoqueTempoReal, StatusEstoque
from estoque.selectors import saldo

ROTULOS_ORDEM = {
    "status": "Status (gravidade, dia de ruptura)",
    "codigo": "Código",
    "produto": "Produto",
    "linha": "Linha de produção",
    "categoria": "Categoria",
    "estoque": "Estoque D0",
    "menor_d7": "Menor estoque D+7",
    "ruptura": "Dia de ruptura",
    "carteira": "Em carteira",
    "pre_separacao": "Em pré-separação",
    "separacao": "Em separação",
    "producao": "Produção prevista",
    "disponivel": "Disponível",
}


def opcoes_ordem(chaves) -> list[tuple[str, str]]:
    return [(chave, ROTULOS_ORDEM[chave]) for chave in chaves] + [
        (f"-{chave}", f"{ROTULOS_ORDEM[chave]} (decrescente)") for chave in chaves
    ]


class OpcoesSobDemanda(BaseChoiceIterator):
    """Choices read the first time they are needed (rendering the list, validating a value)."""

    def __init__(self, ler):
        self._ler = ler
        self._opcoes = None

    def _valores(self):
        if self._opcoes is None:
            self._opcoes = [(valor, valor) for valor in self._ler()]
        return self._opcoes

    def __iter__(self):
        return iter(self._valores())

    def __len__(self):
        return len(self._valores())


class CaixaMarcacao(forms.CheckboxInput):
    """A checkbox that hands its raw value to the field (absent: None, meaning "no filter")."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class CampoMarcacao(forms.Field):
    """Checked ("1", "true", "on") filters; absent, empty or "0"/"false"/"off" does not; anything else is an error."""

    widget = CaixaMarcacao
    VERDADEIROS = ("1", "true", "True", "on")
    FALSOS = ("", "0", "false", "False", "off")
    default_error_messages = {"invalid": "Use 1 (ou true) para aplicar o filtro, ou deixe vazio."}

    def to_python(self, value):
        if value is None or value in self.FALSOS:
            return None
        if value in self.VERDADEIROS:
            return True
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class FiltroMarcacao(filtros.BooleanFilter):
    field_class = CampoMarcacao


class SaldoEstoqueFilter(filtros.FilterSet):
    q = filtros.CharFilter(label="Buscar", method="filtrar_texto", max_length=100)
    status = filtros.ChoiceFilter(label="Status", choices=StatusEstoque.choices, empty_label="Todos")
    linha = filtros.ChoiceFilter(label="Linha de produção", method="filtrar_linha", empty_label="Todas")
    categoria = filtros.ChoiceFilter(label="Categoria", method="filtrar_categoria", empty_label="Todas")
    ruptura_d7 = FiltroMarcacao(label="Só com ruptura até D+7", method="filtrar_ruptura_d7")
    com_carteira = FiltroMarcacao(label="Só com carteira", method="filtrar_com_carteira")
    produtos = filtros.CharFilter(
        label="Códigos", method="filtrar_produtos", max_length=20000, widget=forms.HiddenInput
    )
    ordem = filtros.ChoiceFilter(label="Ordenar por", method="nao_filtrar", empty_label=None)

    class Meta:
        model = EstoqueTempoReal
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset if queryset is not None else saldo.base(), request=request, prefix=prefix)
        usuario = request.user if request is not None else None
        self._opcoes: tuple[list[str], list[str]] | None = None
        # Read on demand: the catalog is queried only when a form shows the lists or validates a value.
        self.filters["linha"].extra["choices"] = OpcoesSobDemanda(lambda: self.opcoes_catalogo()[0])
        self.filters["categoria"].extra["choices"] = OpcoesSobDemanda(lambda: self.opcoes_catalogo()[1])
        chaves = saldo.ordens_permitidas(usuario) if usuario is not None else list(saldo.ORDENS_SQL)
        self.filters["ordem"].extra["choices"] = opcoes_ordem([c for c in ROTULOS_ORDEM if c in chaves])
        alocacao = saldo.registro.alocacao("carteira")
        # A user who cannot see the carteira gets no such checkbox and the filter does nothing,
        # but its value is still validated (the same answer to the same bad input for everyone).
        self.ve_carteira = usuario is None or (alocacao is not None and usuario.has_perm(alocacao.permissao))

    def opcoes_catalogo(self) -> tuple[list[str], list[str]]:
        if self._opcoes is None:
            self._opcoes = saldo.opcoes_catalogo()
        return self._opcoes

    @property
    def ordem_escolhida(self) -> str:
        """The validated sort key ("chave" or "-chave"), the default when absent or invalid."""
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("ordem") or saldo.ORDEM_PADRAO
        return saldo.ORDEM_PADRAO

    def filtrar_texto(self, qs, nome, valor):
        return saldo.filtrar_texto(qs, valor)

    def filtrar_linha(self, qs, nome, valor):
        return saldo.filtrar_catalogo(qs, "linha_producao", valor)

    def filtrar_categoria(self, qs, nome, valor):
        return saldo.filtrar_catalogo(qs, "categoria", valor)

    def filtrar_ruptura_d7(self, qs, nome, valor):
        # Below zero within D0..D7 (the stored dia_ruptura): the CRÍTICO products.
        return qs.filter(dia_ruptura__isnull=False) if valor else qs

    def filtrar_com_carteira(self, qs, nome, valor):
        return saldo.filtrar_com_alocacao(qs, "carteira") if valor and self.ve_carteira else qs

    def filtrar_produtos(self, qs, nome, valor):
        codigos = [cod.strip() for cod in valor.split(",") if cod.strip()]
        return saldo.filtrar_produtos(qs, codigos[: saldo.MAX_PRODUTOS])

    def nao_filtrar(self, qs, nome, valor):
        return qs  # the sort is applied by estoque.selectors.saldo.paginar
