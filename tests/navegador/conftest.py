"""Browser tests: Debian's Chromium and ChromeDriver, detected once for the whole folder.

Every test here is marked `browser` and skipped, with the reason, when /usr/bin/chromium
or /usr/bin/chromedriver is missing (`python3 dev.py test` installs them when it may).
"""

import os
import socket
import threading
import time

import pytest

from tests.navegador.apoio import OUVIR_VIOLACOES_CSP

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
MOTIVO = f"teste de navegador: precisa de {CHROMIUM} e {CHROMEDRIVER} (apt-get install chromium chromium-driver)"


def chromium_disponivel() -> bool:
    return os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)


def pytest_collection_modifyitems(config, items):
    pasta = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(pasta):
            item.add_marker(pytest.mark.browser)
            if not chromium_disponivel():
                item.add_marker(pytest.mark.skip(reason=MOTIVO))


@pytest.fixture
def downloads(tmp_path):
    pasta = tmp_path / "downloads"
    pasta.mkdir()
    return pasta


@pytest.fixture
def navegador(tmp_path, downloads):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opcoes = webdriver.ChromeOptions()
    opcoes.binary_location = CHROMIUM
    for argumento in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--window-size=1366,900",
        "--lang=pt-BR",
        f"--user-data-dir={tmp_path / 'perfil'}",
    ):
        opcoes.add_argument(argumento)
    opcoes.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
            "safebrowsing.enabled": False,
        },
    )
    # The console (CSP violations are logged there) and, in every new document, a listener
    # that records each securitypolicyviolation event (see apoio.violacoes_csp).
    opcoes.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opcoes)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OUVIR_VIOLACOES_CSP})
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


@pytest.fixture
def servidor_asgi(transactional_db, monkeypatch):
    """The project served by uvicorn (ASGI) in a thread, as dev.py run serves it: the live
    streams work there (under the WSGI live_server they answer 503 and pages poll).
    PostgreSQL only: the server's threads need their own connections."""
    import uvicorn
    from django.db import connections

    from estoque_project.asgi import application

    # As under a real ASGI server (asgi.py): no persistent connections in the request threads.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        porta = s.getsockname()[1]
    servidor = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=porta,
            log_level="warning",
            lifespan="off",
            # The browser keeps its live streams open: cancel them after 1 s instead of waiting
            # for them to close (the teardown took ~16 s per test).
            timeout_graceful_shutdown=1,
        )
    )
    linha = threading.Thread(target=servidor.run, daemon=True)
    linha.start()
    fim = time.monotonic() + 20
    while not servidor.started:
        assert time.monotonic() < fim and linha.is_alive(), "uvicorn não subiu"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{porta}"
    servidor.should_exit = True
    linha.join(timeout=15)
