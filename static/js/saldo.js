/* /estoque/ (Saldo de estoque): the rows of the products whose stock changes update in place.
 *
 * Change notifications come from EventosAoVivo.estoque (eventos.js: the SSE stream, or polling when
 * the stream is refused); the fresh values of the changed rows come from the list API
 * (/api/estoque/tempo-real/saldo?produtos=...), rendered with text nodes only (strict CSP).
 * An updated row is highlighted for a moment; its status badge and red numbers follow the data.
 */
(function () {
  "use strict";

  var tabela = document.getElementById("tabela-saldo");
  if (!tabela || !window.EventosAoVivo) return;
  var F = window.FormatosBR;
  var pendentes = new Set();
  var agendado = null;

  function linhas() {
    var mapa = new Map();
    tabela.querySelectorAll("tbody tr[data-produto]").forEach(function (tr) {
      mapa.set(tr.dataset.produto, tr);
    });
    return mapa;
  }

  function numero(td, valor) {
    td.textContent = F.qtd(valor);
    td.classList.toggle("app-negativo", F.negativo(valor));
  }

  function ruptura(td, iso, dias) {
    td.textContent = "";
    if (!iso) {
      td.textContent = "—";
      return;
    }
    td.appendChild(document.createTextNode(F.data(iso, true) + " "));
    var d = document.createElement("span");
    d.className = "small text-body-secondary";
    d.textContent = "D+" + dias;
    td.appendChild(d);
  }

  function status(td, codigo, rotulo) {
    td.textContent = "";
    var badge = document.createElement("span");
    badge.className = "badge app-status app-status-" + String(codigo).toLowerCase();
    badge.textContent = rotulo;
    td.appendChild(badge);
  }

  function atualizar(tr, dados) {
    tr.querySelectorAll("td[data-campo]").forEach(function (td) {
      var campo = td.dataset.campo;
      if (campo === "dia_ruptura") ruptura(td, dados.dia_ruptura, dados.dias_ate_ruptura);
      else if (campo === "status") status(td, dados.status, dados.status_rotulo);
      else if (campo in dados) numero(td, dados[campo]);
    });
    tr.dataset.status = dados.status;
    tr.classList.remove("app-linha-atualizada");
    void tr.offsetWidth; // restart the highlight animation
    tr.classList.add("app-linha-atualizada");
  }

  function buscar(codigos) {
    var url = tabela.dataset.api + "?produtos=" + encodeURIComponent(codigos.join(",")) + "&page_size=" + codigos.length;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resposta) {
        if (!resposta.ok) throw new Error("HTTP " + resposta.status);
        return resposta.json();
      })
      .then(function (dados) {
        var mapa = linhas();
        dados.results.forEach(function (linha) {
          var tr = mapa.get(linha.cod_produto);
          if (tr) atualizar(tr, linha);
        });
      })
      .catch(function () {
        codigos.forEach(function (cod) { pendentes.add(cod); }); // try again with the next change
      });
  }

  function aoMudar(produtos, todos) {
    var mapa = linhas();
    // "todos": too many changed to list; refresh every row on screen.
    (todos ? Array.from(mapa.keys()) : produtos).forEach(function (cod) {
      if (mapa.has(cod)) pendentes.add(cod);
    });
    if (!pendentes.size || agendado) return;
    agendado = window.setTimeout(function () {
      agendado = null;
      var lista = Array.from(pendentes);
      pendentes.clear();
      buscar(lista);
    }, 50); // one request for a burst of changes
  }

  EventosAoVivo.estoqueNaPagina(tabela, aoMudar);
})();
