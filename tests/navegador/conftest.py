"""Browser tests: Debian's Chromium and ChromeDriver, detected once for the whole folder.

Every test here is marked `browser` and skipped, with the reason, when /usr/bin/chromium
or /usr/bin/chromedriver is missing (`python3 dev.py test` installs them when it may).
"""

import os

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
