/* /carteira/pedidos/<num>/ (order workspace): the stock numbers of the order's lines follow the
 * stock as it changes.
 *
 * Change notifications come from EventosAoVivo.estoque (eventos.js: SSE, or polling when the stream
 * is refused). When a product of this order changes, the page refetches the workspace JSON
 * (/api/carteira/pedidos/<num>/workspace: free quantity, allocations, stock, D+7, projection) and the
 * order's ruptura analysis (its "disponível em" rule) and redraws those cells with text nodes and SVG
 * attributes only (strict CSP). The form's inputs are left alone: what the user typed stays, and
 * the server refuses a lote built on numbers that changed (the hidden "visto" of each line).
 * Buttons with data-confirmar ask before submitting.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (e) {
    var botao = e.submitter;
    if (botao && botao.dataset.confirmar && !window.confirm(botao.dataset.confirmar)) e.preventDefault();
  });

  var tabela = document.getElementById("tabela-pedido");
  if (!tabela || !window.EventosAoVivo) return;
  var F = window.FormatosBR;
  var CAMPOS = ["qtd_saldo", "qtd_pre_separada", "qtd_separada", "estoque_atual", "menor_estoque_d7"];
  var agendado = null;

  function linhas() {
    var mapa = new Map();
    tabela.querySelectorAll("tbody tr[data-produto]").forEach(function (tr) {
      mapa.set(tr.dataset.produto, tr);
    });
    return mapa;
  }

  function principais() {
    var conjunto = new Set();
    linhas().forEach(function (tr) { conjunto.add(tr.dataset.principal); });
    return conjunto;
  }

  function numero(td, valor) {
    td.textContent = F.qtd(valor);
    td.classList.toggle("app-negativo", F.negativo(valor));
  }

  function spark(td, projecao) {
    var svg = td.querySelector("svg");
    if (!svg || !projecao.length) return;
    var largura = Number(svg.getAttribute("width"));
    var altura = Number(svg.getAttribute("height"));
    var valores = projecao.map(function (d) { return Number(d.saldo_final); });
    var baixo = Math.min(0, Math.min.apply(null, valores));
    var alto = Math.max(0, Math.max.apply(null, valores));
    var escala = alto - baixo || 1;
    var passo = largura / Math.max(valores.length - 1, 1);
    var pontos = valores.map(function (v, i) {
      return (i * passo).toFixed(1) + "," + (altura - 2 - ((v - baixo) / escala) * (altura - 4)).toFixed(1);
    });
    svg.querySelector("polyline").setAttribute("points", pontos.join(" "));
    svg.querySelector("title").textContent = projecao.map(function (d) {
      return F.data(d.data, false) + ": " + F.qtd(d.saldo_final);
    }).join(" · ");
  }

  function destacar(tr) {
    tr.classList.remove("app-linha-atualizada");
    void tr.offsetWidth; // restart the highlight animation
    tr.classList.add("app-linha-atualizada");
  }

  function buscar(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  function redesenhar() {
    var mapa = linhas();
    buscar(tabela.dataset.api).then(function (dados) {
      dados.itens.forEach(function (item) {
        var tr = mapa.get(item.cod_produto);
        if (!tr) return;
        CAMPOS.forEach(function (campo) {
          var td = tr.querySelector('td[data-campo="' + campo + '"]');
          if (td) numero(td, item[campo]);
        });
        spark(tr.querySelector('td[data-campo="projecao"]'), item.projecao);
        destacar(tr);
      });
    }).catch(function () { /* the next change tries again */ });
    buscar(tabela.dataset.ruptura).then(function (analise) {
      analise.linhas.forEach(function (l) {
        var tr = mapa.get(l.cod_produto);
        var td = tr && tr.querySelector('td[data-campo="disponivel_em"]');
        if (!td) return;
        td.textContent = l.disponivel_hoje ? "Hoje" : (l.disponivel_em ? F.data(l.disponivel_em, true) : "Sem previsão");
      });
    }).catch(function () { /* an order with nothing left open: the cells stay */ });
  }

  EventosAoVivo.estoqueNaPagina(tabela, function (produtos, todos) {
    var meus = principais();
    if (!todos && !produtos.some(function (p) { return meus.has(p); })) return;
    if (agendado) return;
    agendado = window.setTimeout(function () { agendado = null; redesenhar(); }, 50);
  });
})();
