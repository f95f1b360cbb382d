/* Report buttons: the carteira modal's date filter and download feedback. Plain JS, no build step.
 *
 * The date range is typed as dd/mm/aaaa (text fields: a native date field shows the browser's
 * format), applied only by "Aplicar" and shown in the modal (dd/mm/aaaa); every
 * export link then carries ?de=aaaa-mm-dd&ate=aaaa-mm-dd. The links are ordinary links
 * (the server answers with an attachment), so a download works even if this script fails.
 */
(function () {
  "use strict";

  var CHAVE_SESSAO = "relatorios-carteira-periodo";

  function dataBr(iso) {
    var partes = (iso || "").split("-");
    return partes.length === 3 ? partes[2] + "/" + partes[1] + "/" + partes[0] : "";
  }

  /* What the user typed (dd/mm/aaaa, or aaaa-mm-dd) as ISO; "" when empty; null when it is not a
     date that exists (31/02/2026). */
  function lerData(texto) {
    texto = (texto || "").trim();
    if (!texto) return "";
    var m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(texto);
    var ano, mes, dia;
    if (m) {
      dia = +m[1]; mes = +m[2]; ano = +m[3];
    } else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(texto))) {
      ano = +m[1]; mes = +m[2]; dia = +m[3];
    } else {
      return null;
    }
    var d = new Date(Date.UTC(ano, mes - 1, dia));
    if (d.getUTCFullYear() !== ano || d.getUTCMonth() !== mes - 1 || d.getUTCDate() !== dia) return null;
    return ano + "-" + String(mes).padStart(2, "0") + "-" + String(dia).padStart(2, "0");
  }

  function isoValida(texto) {
    return typeof texto === "string" && /^\d{4}-\d{2}-\d{2}$/.test(texto) ? texto : "";
  }

  function negrito(texto, atributo) {
    var forte = document.createElement("strong");
    if (atributo) forte.setAttribute(atributo, "");
    forte.textContent = texto;
    return forte;
  }

  /* The applied range as nodes (text and <strong>), never as HTML. */
  function nosPeriodo(periodo) {
    if (!periodo.de && !periodo.ate) {
      return ["Período aplicado: ", negrito("sem filtro de data"), " (todos os registros)"];
    }
    var de = periodo.de ? ["de ", negrito(dataBr(periodo.de), "data-periodo-de")] : ["desde o início"];
    var ate = periodo.ate ? ["até ", negrito(dataBr(periodo.ate), "data-periodo-ate")] : ["sem data final"];
    return ["Período aplicado: "].concat(de, [" "], ate);
  }

  function lerSessao() {
    try {
      var salvo = JSON.parse(window.sessionStorage.getItem(CHAVE_SESSAO) || "{}");
      return { de: isoValida(salvo.de), ate: isoValida(salvo.ate) };
    } catch (erro) {
      return { de: "", ate: "" };
    }
  }

  function gravarSessao(periodo) {
    try {
      window.sessionStorage.setItem(CHAVE_SESSAO, JSON.stringify(periodo));
    } catch (erro) {
      /* private mode: the filter still works for this page */
    }
  }

  function iniciarFiltro(modal) {
    var form = modal.querySelector("#relatorio-filtro");
    var campoDe = modal.querySelector("#relatorio-de");
    var campoAte = modal.querySelector("#relatorio-ate");
    var limpar = modal.querySelector("#relatorio-limpar");
    var aviso = modal.querySelector("#relatorio-periodo");
    var erro = modal.querySelector("#relatorio-erro");
    var links = modal.querySelectorAll("[data-relatorio-url]");

    function mostrarErro(texto) {
      erro.textContent = texto;
      erro.classList.toggle("d-none", !texto);
    }

    function aplicar(periodo) {
      var params = new URLSearchParams();
      if (periodo.de) params.set("de", periodo.de);
      if (periodo.ate) params.set("ate", periodo.ate);
      var consulta = params.toString();
      links.forEach(function (link) {
        var base = link.getAttribute("data-relatorio-url");
        link.setAttribute("href", consulta ? base + "?" + consulta : base);
      });
      aviso.replaceChildren.apply(aviso, nosPeriodo(periodo));
      modal.setAttribute("data-periodo-aplicado", consulta);
      gravarSessao(periodo);
    }

    form.addEventListener("submit", function (evento) {
      evento.preventDefault();
      var periodo = { de: lerData(campoDe.value), ate: lerData(campoAte.value) };
      if (periodo.de === null || periodo.ate === null) {
        mostrarErro("Data inválida: use dd/mm/aaaa (uma data que exista).");
        return;
      }
      if (periodo.de && periodo.ate && periodo.de > periodo.ate) {
        mostrarErro("A data \"de\" é posterior à data \"até\".");
        return;
      }
      mostrarErro("");
      aplicar(periodo);
    });

    limpar.addEventListener("click", function () {
      campoDe.value = "";
      campoAte.value = "";
      mostrarErro("");
      aplicar({ de: "", ate: "" });
    });

    var salvo = lerSessao();
    campoDe.value = dataBr(salvo.de);
    campoAte.value = dataBr(salvo.ate);
    aplicar(salvo);
  }

  function iniciarDownloads() {
    document.querySelectorAll("[data-download]").forEach(function (link) {
      link.addEventListener("click", function () {
        var escopo = link.closest("[data-relatorios]") || document;
        var status = escopo.querySelector("[data-download-status]");
        if (!status) return;
        var nome = (link.querySelector(".fw-semibold") || link).textContent.trim();
        status.textContent = "Gerando \"" + nome + "\"… o download começa assim que o arquivo estiver pronto.";
        window.setTimeout(function () { status.textContent = ""; }, 8000);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-relatorios]").forEach(function (modal) {
      if (modal.querySelector("#relatorio-filtro")) iniciarFiltro(modal);
    });
    iniciarDownloads();
  });
})();
