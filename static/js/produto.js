/* /estoque/produto/<cod>/: the D0..D28 chart (Chart.js), and the live redraw of the numbers, the
 * day table, the chart and the rows behind each day when the product's stock changes.
 *
 * The page's data comes as JSON in <script id="dados-produto" type="application/json"> (the
 * same shape as GET /api/estoque/tempo-real/produto/<cod>/composicao, which the live update
 * fetches). Everything is rendered with text nodes (strict CSP: no innerHTML with data).
 */
(function () {
  "use strict";

  var raiz = document.getElementById("pagina-produto");
  var fonteDados = document.getElementById("dados-produto");
  if (!raiz || !fonteDados) return;
  var F = window.FormatosBR;
  var dados = JSON.parse(fonteDados.textContent);
  var canvas = document.getElementById("grafico-projecao");
  var grafico = null;
  var COR_SALDO = "#1f4e78";
  var COR_NEGATIVO = "#dc3545";

  function el(tag, classe, texto) {
    var no = document.createElement(tag);
    if (classe) no.className = classe;
    if (texto !== undefined && texto !== null) no.textContent = texto;
    return no;
  }

  function diaRuptura(d) {
    // Index (D+n) of the first day below zero within D0..D28, or -1.
    for (var k = 0; k < d.dias.length; k++) if (d.dias[k].saldo_final < 0) return k;
    return -1;
  }

  // ------------------------------------------------------------ chart

  // Shaded D0..D7 window, the zero line and the ruptura marker: a small inline plugin.
  var marcas = {
    id: "marcasProjecao",
    beforeDatasetsDraw: function (chart) {
      var area = chart.chartArea;
      var x = chart.scales.x;
      var y = chart.scales.y;
      var ctx = chart.ctx;
      var meio = (x.getPixelForValue(1) - x.getPixelForValue(0)) / 2;
      var fim = Math.min(7, chart.data.labels.length - 1);
      ctx.save();
      ctx.fillStyle = "rgba(255, 193, 7, 0.13)";
      ctx.fillRect(x.getPixelForValue(0) - meio, area.top, x.getPixelForValue(fim) + meio - (x.getPixelForValue(0) - meio), area.bottom - area.top);
      ctx.fillStyle = "#8a6d00";
      ctx.font = "11px system-ui, sans-serif";
      ctx.fillText("janela até D+7", x.getPixelForValue(0) - meio + 4, area.top + 12);
      var zero = y.getPixelForValue(0);
      if (zero >= area.top && zero <= area.bottom) {
        ctx.strokeStyle = "#6c757d";
        ctx.lineWidth = 1;
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(area.left, zero);
        ctx.lineTo(area.right, zero);
        ctx.stroke();
      }
      ctx.restore();
    },
    afterDatasetsDraw: function (chart, args, opcoes) {
      var k = opcoes.ruptura;
      chart.canvas.dataset.ruptura = k >= 0 ? String(k) : "";
      if (k < 0) return;
      var area = chart.chartArea;
      var px = chart.scales.x.getPixelForValue(k);
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = COR_NEGATIVO;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
      ctx.fillStyle = COR_NEGATIVO;
      ctx.font = "bold 11px system-ui, sans-serif";
      ctx.textAlign = px > (area.left + area.right) / 2 ? "right" : "left";
      ctx.fillText("ruptura D+" + k, px + (ctx.textAlign === "right" ? -4 : 4), area.top + 26);
      ctx.restore();
    },
  };

  function series(d) {
    return {
      rotulos: d.dias.map(function (dia) { return F.data(dia.data); }),
      saldo: d.dias.map(function (dia) { return dia.saldo_final; }),
      entradas: d.dias.map(function (dia) { return dia.entrada; }),
      saidas: d.dias.map(function (dia) { return dia.saida ? -dia.saida : 0; }),
    };
  }

  function desenharGrafico(d) {
    if (!canvas || !window.Chart) return;
    var s = series(d);
    var ruptura = diaRuptura(d);
    if (grafico) {
      grafico.data.labels = s.rotulos;
      grafico.data.datasets[0].data = s.saldo;
      grafico.data.datasets[1].data = s.entradas;
      grafico.data.datasets[2].data = s.saidas;
      grafico.options.plugins.marcasProjecao.ruptura = ruptura;
      grafico.update("none");
      return;
    }
    grafico = new window.Chart(canvas, {
      data: {
        labels: s.rotulos,
        datasets: [
          {
            type: "line",
            label: "Saldo final",
            data: s.saldo,
            borderColor: COR_SALDO,
            backgroundColor: COR_SALDO,
            borderWidth: 2,
            pointRadius: 2.5,
            tension: 0,
            order: 0,
            segment: {
              borderColor: function (ctx) { return ctx.p1.parsed.y < 0 ? COR_NEGATIVO : COR_SALDO; },
            },
            pointBackgroundColor: function (ctx) { return ctx.raw < 0 ? COR_NEGATIVO : COR_SALDO; },
          },
          { type: "bar", label: "Entradas", data: s.entradas, backgroundColor: "rgba(25, 135, 84, 0.65)", order: 1 },
          { type: "bar", label: "Saídas", data: s.saidas, backgroundColor: "rgba(220, 53, 69, 0.45)", order: 1 },
        ],
      },
      options: {
        locale: "pt-BR",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true } },
          y: { ticks: { callback: function (valor) { return F.qtd(valor); } } },
        },
        plugins: {
          marcasProjecao: { ruptura: ruptura },
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              title: function (itens) {
                var dia = dados.dias[itens[0].dataIndex];
                return "D+" + dia.d + " · " + F.data(dia.data, true);
              },
              label: function (item) {
                return item.dataset.label + ": " + F.qtd(Math.abs(item.raw));
              },
            },
          },
        },
      },
      plugins: [marcas],
    });
  }

  // ------------------------------------------------------------ numbers, day table, rows behind each day

  function numero(no, valor) {
    no.textContent = F.qtd(valor);
    no.classList.toggle("app-negativo", F.negativo(valor));
  }

  function atualizarNumeros(d) {
    raiz.querySelectorAll("[data-campo]").forEach(function (no) {
      var campo = no.dataset.campo;
      if (campo === "status") {
        no.className = "badge fs-6 app-status app-status-" + d.status.toLowerCase();
        no.textContent = d.status_rotulo;
      } else if (campo === "dia_ruptura") {
        no.textContent = "";
        var k = diaRuptura(d);
        if (k < 0) {
          no.textContent = "—";
        } else {
          no.appendChild(document.createTextNode(F.data(d.dia_ruptura, true) + " "));
          no.appendChild(el("span", "fs-6 text-body-secondary", "D+" + k));
        }
      } else if (campo === "data_referencia") {
        no.textContent = F.data(d.data_referencia, true);
      } else if (campo in d) {
        numero(no, d[campo]);
      }
    });
  }

  function celula(tag, classe, valor, negrito) {
    var td = el(tag, "text-end" + (negrito ? " fw-semibold" : "") + (classe ? " " + classe : ""), F.qtd(valor));
    if (F.negativo(valor)) td.classList.add("app-negativo");
    return td;
  }

  function atualizarTabela(d) {
    var corpo = document.querySelector("#tabela-dias tbody");
    if (!corpo) return;
    var novo = document.createDocumentFragment();
    d.dias.forEach(function (dia) {
      var tr = el("tr");
      tr.dataset.dia = dia.d;
      if (dia.d <= 7) tr.className = "app-janela-d7";
      var th = el("th", "fw-normal text-nowrap");
      th.scope = "row";
      if (dia.linhas.length || dia.entrada || dia.saida) {
        var link = el("a", "app-link-dia", "D+" + dia.d);
        link.href = "#dia-" + dia.d;
        th.appendChild(link);
      } else {
        th.appendChild(document.createTextNode("D+" + dia.d));
      }
      th.appendChild(document.createTextNode(" "));
      th.appendChild(el("span", "small text-body-secondary", F.data(dia.data)));
      tr.appendChild(th);
      tr.appendChild(celula("td", "", dia.saldo_inicial));
      tr.appendChild(el("td", "text-end", F.qtd(dia.entrada)));
      tr.appendChild(el("td", "text-end", F.qtd(dia.saida)));
      tr.appendChild(celula("td", "", dia.saldo_final, true));
      novo.appendChild(tr);
    });
    corpo.replaceChildren(novo);
  }

  function tabelaOrigem(origem, itens) {
    var caixa = el("div", "table-responsive");
    var tabela = el("table", "table table-sm mb-2 app-tabela-origem");
    tabela.dataset.origem = origem.chave;
    tabela.appendChild(el("caption", "small", origem.titulo + " (" + (origem.tipo === "entrada" ? "entrada" : "saída") + ")"));
    var cabeca = el("tr");
    ["Código", "Data"].concat(origem.colunas.map(function (c) { return c[1]; })).forEach(function (titulo) {
      var th = el("th", "", titulo);
      th.scope = "col";
      cabeca.appendChild(th);
    });
    var thQtd = el("th", "text-end", "Qtd");
    thQtd.scope = "col";
    cabeca.appendChild(thQtd);
    tabela.appendChild(el("thead")).appendChild(cabeca);
    var corpo = el("tbody");
    itens.forEach(function (item) {
      var tr = el("tr");
      tr.appendChild(el("td", "", item.cod_produto));
      var data = el("td", "text-nowrap", F.data(item.data, true));
      if (item.atrasada) {
        data.appendChild(document.createTextNode(" "));
        data.appendChild(el("span", "badge text-bg-warning", "atrasada"));
      }
      tr.appendChild(data);
      origem.colunas.forEach(function (coluna) {
        var td = el("td");
        var valor = item.detalhes[coluna[0]] || "";
        if (coluna[0] === "num_pedido" && item.detalhes.url_pedido) {
          var link = el("a", "", valor);
          link.href = item.detalhes.url_pedido;
          td.appendChild(link);
        } else {
          td.textContent = valor;
        }
        tr.appendChild(td);
      });
      tr.appendChild(el("td", "text-end", F.qtd(item.qtd)));
      corpo.appendChild(tr);
    });
    tabela.appendChild(corpo);
    caixa.appendChild(tabela);
    return caixa;
  }

  function atualizarComposicao(d) {
    var caixa = document.getElementById("composicao-dias");
    if (!caixa) return;
    var novo = document.createDocumentFragment();
    d.dias.forEach(function (dia) {
      if (!(dia.linhas.length || dia.entrada || dia.saida)) return;
      var secao = el("section", "app-dia mb-3");
      secao.id = "dia-" + dia.d;
      secao.dataset.dia = dia.d;
      var titulo = el("h3", "h6 mb-1", "D+" + dia.d + " · " + F.data(dia.data, true) + " ");
      titulo.id = "dia-" + dia.d + "-titulo";
      titulo.appendChild(el("span", "fw-normal small text-body-secondary", "entrada " + F.qtd(dia.entrada) + " · saída " + F.qtd(dia.saida)));
      secao.setAttribute("aria-labelledby", titulo.id);
      secao.appendChild(titulo);
      d.origens.forEach(function (origem) {
        var itens = dia.linhas.filter(function (item) { return item.origem === origem.chave; });
        if (itens.length) secao.appendChild(tabelaOrigem(origem, itens));
      });
      novo.appendChild(secao);
    });
    caixa.replaceChildren(novo);
  }

  function destacar(dia) {
    var secao = document.getElementById("dia-" + dia);
    if (!secao) return;
    secao.classList.remove("app-linha-atualizada");
    void secao.offsetWidth;
    secao.classList.add("app-linha-atualizada");
  }

  function redesenhar(novos) {
    dados = novos;
    atualizarNumeros(dados);
    atualizarTabela(dados);
    desenharGrafico(dados);
    atualizarComposicao(dados);
    raiz.classList.remove("app-linha-atualizada");
    void raiz.offsetWidth;
    raiz.classList.add("app-linha-atualizada");
    raiz.dataset.atualizacoes = String(Number(raiz.dataset.atualizacoes || "0") + 1);
  }

  var buscando = false;
  var denovo = false;

  function buscar() {
    if (buscando) {
      denovo = true; // one more fetch when this one ends
      return;
    }
    buscando = true;
    fetch(raiz.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resposta) {
        if (!resposta.ok) throw new Error("HTTP " + resposta.status);
        return resposta.json();
      })
      .then(redesenhar)
      .catch(function () { /* the next change fetches again */ })
      .then(function () {
        buscando = false;
        if (denovo) {
          denovo = false;
          buscar();
        }
      });
  }

  // Clicking a day in the chart scrolls to its rows.
  if (canvas) {
    canvas.addEventListener("click", function (evento) {
      if (!grafico) return;
      var pontos = grafico.getElementsAtEventForMode(evento, "index", { intersect: false }, false);
      if (pontos.length) {
        var secao = document.getElementById("dia-" + pontos[0].index);
        if (secao) {
          secao.scrollIntoView({ behavior: "smooth", block: "center" });
          destacar(pontos[0].index);
        }
      }
    });
  }
  document.addEventListener("click", function (evento) {
    var link = evento.target.closest("a.app-link-dia");
    if (link) destacar(link.getAttribute("href").slice(5));
  });

  desenharGrafico(dados);
  if (window.EventosAoVivo) {
    window.EventosAoVivo.estoqueNaPagina(raiz, function (produtos, todos) {
      if (todos || produtos.indexOf(raiz.dataset.principal) >= 0) buscar();
    });
  }
})();
