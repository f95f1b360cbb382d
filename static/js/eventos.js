/* Stock change notifications for the live pages: one function, window.assinarEstoque(callback, opcoes).
 *
 * callback(produtos) gets the principal codes whose stock changed. It listens to the SSE stream
 * /api/estoque/eventos (event "estoque" with {"produtos": [...]}); when the stream is refused
 * (HTTP 429: too many streams for this user, 403, 5xx: EventSource closes for good) or fails
 * MAX_FALHAS times in a row, it falls back to polling /api/estoque/tempo-real/mudancas?desde=...
 * every INTERVALO_MS. Each time the stream (re)opens, one poll catches up with what changed while
 * it was down (since `desde`, the page's own time at first). opcoes: {eventos: url, mudancas: url,
 * desde: ISO instant the page was drawn, aoMudarModo: function (modo)} where modo is "ao-vivo",
 * "reconectando" or "consulta". A product may be reported twice. Returns {modo(), cancelar()}.
 */
(function () {
  "use strict";

  var INTERVALO_MS = 3000;
  var MAX_FALHAS = 3;

  function assinarEstoque(callback, opcoes) {
    opcoes = opcoes || {};
    var urlEventos = opcoes.eventos || "/api/estoque/eventos";
    var urlMudancas = opcoes.mudancas || "/api/estoque/tempo-real/mudancas";
    var aoMudarModo = opcoes.aoMudarModo || function () {};
    var fonte = null;
    var temporizador = null;
    var desde = opcoes.desde || null;
    var falhas = 0;
    var cancelado = false;
    var modo = "";

    function definirModo(novo) {
      if (novo === modo) return;
      modo = novo;
      aoMudarModo(modo);
    }

    function avisar(produtos) {
      if (!cancelado && Array.isArray(produtos) && produtos.length) callback(produtos);
    }

    // One poll: what changed since `desde`; `repetir` schedules the next one (polling mode).
    function consultar(repetir) {
      var url = urlMudancas + (desde ? "?desde=" + encodeURIComponent(desde) : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (resposta) {
          if (!resposta.ok) throw new Error("HTTP " + resposta.status);
          return resposta.json();
        })
        .then(function (dados) {
          var primeira = desde === null; // without a starting point the first answer only sets it
          desde = dados.ate;
          if (!primeira) avisar(dados.produtos);
        })
        .catch(function () { /* try again on the next round */ })
        .then(function () {
          if (repetir && !cancelado) temporizador = window.setTimeout(function () { consultar(true); }, INTERVALO_MS);
        });
    }

    function porConsulta() {
      if (fonte) {
        fonte.close();
        fonte = null;
      }
      definirModo("consulta");
      consultar(true);
    }

    function porStream() {
      if (!window.EventSource) {
        porConsulta();
        return;
      }
      fonte = new EventSource(urlEventos);
      fonte.addEventListener("open", function () {
        falhas = 0;
        definirModo("ao-vivo");
        consultar(false); // catch up with what changed before the stream (re)opened
      });
      fonte.addEventListener("estoque", function (evento) {
        var dados;
        try {
          dados = JSON.parse(evento.data);
        } catch (erro) {
          return;
        }
        avisar(dados && dados.produtos);
      });
      fonte.addEventListener("error", function () {
        if (!fonte) return;
        falhas += 1;
        if (fonte.readyState === EventSource.CLOSED || falhas >= MAX_FALHAS) porConsulta();
        else definirModo("reconectando"); // the stream ended or dropped: EventSource reconnects by itself
      });
    }

    porStream();
    return {
      modo: function () { return modo; },
      cancelar: function () {
        cancelado = true;
        if (fonte) fonte.close();
        window.clearTimeout(temporizador);
      },
    };
  }

  window.assinarEstoque = assinarEstoque;
})();
