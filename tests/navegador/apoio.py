"""Helpers of the browser tests (plain functions; the fixtures live in conftest.py)."""

import time

from selenium.common.exceptions import StaleElementReferenceException

SENHA = "senha-forte-123"


def esperar(condicao, segundos=30, passo=0.1):
    """Ask `condicao` until it answers something true. A page that reloads or re-renders between
    finding an element and reading it (a job page when the job ends) makes the element stale: the
    condition is asked again, on the new page."""
    fim = time.monotonic() + segundos
    while time.monotonic() < fim:
        try:
            resultado = condicao()
        except StaleElementReferenceException:
            resultado = None
        if resultado:
            return resultado
        time.sleep(passo)
    raise AssertionError(f"tempo esgotado esperando: {condicao.__doc__ or condicao}")


# Injected by the driver into every new document, before the page's own scripts (CDP scripts
# are not subject to the page's Content-Security-Policy).
OUVIR_VIOLACOES_CSP = """
window.__violacoes_csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violacoes_csp.push(e.violatedDirective + " bloqueou " + (e.blockedURI || "inline") + " em " + e.sourceFile + ":" + e.lineNumber);
});
"""


def violacoes_csp(driver) -> list[str]:
    """CSP violations of the current page: its securitypolicyviolation events and console messages."""
    eventos = driver.execute_script("return window.__violacoes_csp || [];")
    console = [r["message"] for r in driver.get_log("browser") if "Content Security Policy" in r["message"]]
    return list(eventos) + console
