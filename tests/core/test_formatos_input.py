"""Quantities as input values: the number element's syntax, no trailing zeros."""


def test_quantidade_em_input_sem_zeros_a_direita():
    """ "5.000" in a pt-BR page reads as five thousand: inputs show "5"."""
    from decimal import Decimal

    from core.templatetags.formatos import valor_de_input
    from core.widgets import QuantidadeInput

    assert [valor_de_input(v) for v in (Decimal("5.000"), Decimal("12.500"), Decimal("1234"), Decimal("-0"), None)] == [
        "5",
        "12.5",
        "1234",
        "0",
        "",
    ]
    assert 'value="30"' in QuantidadeInput().render("qtd", Decimal("30.000"))
