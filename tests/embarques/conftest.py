from decimal import Decimal

import pytest

from embarques import services
from tests import fabricas as f


@pytest.fixture
def lote_embarcado(db):
    """Order PED1: A 100 and B 50 in the carteira; lote L1 separates A 30 and B 20, on embarque 1, shipped.
    Stock: A 200, B 100."""
    f.produto("A")
    f.produto("B")
    f.movimento("A", 200)
    f.movimento("B", 100)
    f.linha_carteira("PED1", "A", 100)
    f.linha_carteira("PED1", "B", 50)
    f.separacao("A", 30, k=2, lote="L1", pedido="PED1", peso=Decimal("45"), pallet=Decimal("0.3"))
    f.separacao("B", 20, k=2, lote="L1", pedido="PED1", peso=Decimal("30"), pallet=Decimal("0.2"))
    embarque = services.criar_embarque(transportadora="TRANSPORTES XYZ", data_prevista_embarque=f.dia(2))
    item = services.adicionar_lote(embarque.pk, "L1")
    services.marcar_embarcado(embarque.pk)
    return embarque, item
