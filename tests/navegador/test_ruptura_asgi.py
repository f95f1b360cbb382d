"""/carteira/pedidos/ served by uvicorn (ASGI), as dev.py run and production serve it: the
page gets its live updates through the streams (not the polling fallback the WSGI
live_server test exercises), and a stock change committed elsewhere reaches it.

PostgreSQL: the server thread's requests use their own connections (NOTIFY, LISTEN), which
an in-memory SQLite test database cannot share safely.
"""

import pytest
from django_q.conf import Conf
from selenium.webdriver.common.by import By

from tests import fabricas as f
from tests.navegador.apoio import SENHA, esperar
from tests.navegador.test_ruptura import texto_botao

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_pedidos_ao_vivo_pelo_stream_no_servidor_asgi(navegador, servidor_asgi, django_user_model, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)  # django-q2 tasks inline: no cluster in the test
    django_user_model.objects.create_superuser("analista", "analista@example.com", SENHA)
    f.movimento("A1", 1000)
    f.movimento("B1", 5)
    for i in range(3):
        f.linha_carteira(f"PA{i:02d}", "A1", 10, raz_social=f"CLIENTE {i}")
    f.linha_carteira("PB", "B1", 10, raz_social="CLIENTE B")

    navegador.get(f"{servidor_asgi}/admin/login/?next=/carteira/pedidos/")
    navegador.find_element(By.NAME, "username").send_keys("analista")
    navegador.find_element(By.NAME, "password").send_keys(SENHA)
    navegador.find_element(By.CSS_SELECTOR, "[type=submit]").click()
    esperar(lambda: texto_botao(navegador, "PA00") == "Estoque OK")
    # The static files load under ASGI: app.css's background and Bootstrap's variables.
    assert navegador.execute_script("return getComputedStyle(document.body).backgroundColor") == "rgb(244, 246, 249)"
    assert (
        navegador.execute_script(
            "return getComputedStyle(document.documentElement).getPropertyValue('--bs-blue').trim()"
        )
        == "#0d6efd"
    )
    assert navegador.execute_script("return document.documentElement.dataset.eventosAnalise") == "stream"
    assert navegador.execute_script("return document.documentElement.dataset.eventosEstoque") == "stream"
    assert texto_botao(navegador, "PB").startswith("Disp. 0%")

    f.movimento("B1", 100)  # recorded elsewhere: NOTIFY -> the hub -> this page's stream
    esperar(lambda: texto_botao(navegador, "PB") == "Estoque OK", segundos=20)
    assert navegador.execute_script("return document.documentElement.dataset.eventosEstoque") == "stream"
