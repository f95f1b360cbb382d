// /carteira/pedidos/: starts the background analysis of the orders on the page, fills the
// ruptura buttons as the lots arrive (SSE), and refreshes the orders a stock change touches.
(function () {
  "use strict";

  const CORES = { CRITICA: "btn-danger", ALTA: "btn-warning", MEDIA: "btn-info", BAIXA: "btn-secondary" };
  const ROTULOS = { CRITICA: "Crítica", ALTA: "Alta", MEDIA: "Média", BAIXA: "Baixa" };
  const resultados = new Map();
  const linhas = Array.from(document.querySelectorAll("tr.pedido-row"));
  const pedidos = linhas.map((tr) => tr.dataset.pedido);
  const numero = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 3 });
  const moeda = new Intl.NumberFormat("pt-BR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // The page hands over the CSRF token (<meta>) and the URLs (data- attributes): no inline script.
  const tabela = document.getElementById("tabela-pedidos");
  const CSRF = document.querySelector('meta[name="csrf-token"]')?.content || "";

  function dataBR(iso, comAno) {
    if (!iso) return "";
    const [a, m, d] = iso.split("-");
    return comAno ? `${d}/${m}/${a}` : `${d}/${m}`;
  }

  function botao(num) {
    return document.querySelector(`button.btn-ruptura[data-pedido="${CSS.escape(num)}"]`);
  }

  function pintar(r) {
    resultados.set(r.num_pedido, r);
    const b = botao(r.num_pedido);
    if (!b) return;
    b.disabled = false;
    b.dataset.criticidade = r.pedido_ok ? "OK" : r.criticidade;
    if (r.pedido_ok) {
      b.className = "btn btn-sm btn-success btn-ruptura";
      b.textContent = "Estoque OK";
    } else {
      const total = r.data_disponibilidade_total ? `Total Disp. ${dataBR(r.data_disponibilidade_total)}` : "Total Não Disp.";
      b.className = `btn btn-sm ${CORES[r.criticidade] || "btn-secondary"} btn-ruptura`;
      b.textContent = `Disp. ${Math.round(r.percentual_disponibilidade)}% | ${total}`;
    }
  }

  function progresso(dados) {
    const caixa = document.getElementById("ruptura-progresso");
    caixa.hidden = false;
    const barra = caixa.querySelector(".progress-bar");
    barra.style.width = `${dados.percentual}%`;
    barra.textContent = `${dados.percentual}%`;
    document.getElementById("ruptura-progresso-info").textContent =
      `${dados.lotes_concluidos} de ${dados.total_lotes} lotes (${pedidos.length} pedidos)`;
  }

  function concluir() {
    const caixa = document.getElementById("ruptura-progresso");
    caixa.dataset.concluido = "1";
    document.getElementById("ruptura-progresso-info").textContent = `Concluído: ${pedidos.length} pedidos analisados`;
    setTimeout(() => { caixa.hidden = true; }, 4000);
  }

  async function iniciar() {
    if (!pedidos.length) return;
    const resposta = await fetch(tabela.dataset.urlAnalisar, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF },
      body: JSON.stringify({ pedidos }),
    });
    if (!resposta.ok) {
      document.getElementById("ruptura-progresso-info").textContent = "Falha ao iniciar a análise.";
      return;
    }
    const job = await resposta.json();
    // Stream of the lots as they finish; polls job.situacao when the stream is refused (eventos.js).
    EventosAoVivo.analise(job, {
      progresso,
      lote: (dados) => {
        dados.resultados.forEach(pintar);
        progresso(dados);
      },
      fim: concluir,
      erro: (dados) => {
        document.getElementById("ruptura-progresso-info").textContent = dados.mensagem;
      },
    });
  }

  async function atualizar(num) {
    const url = tabela.dataset.urlRupturaPedido.replace("__PEDIDO__", encodeURIComponent(num));
    const resposta = await fetch(url, { credentials: "same-origin" });
    if (resposta.ok) pintar(await resposta.json());
    return resposta.ok;
  }

  // An order's lines: the background lots keep each order's results only, so the lines are
  // judged now through the per-order endpoint when the modal opens. The same for a button still
  // "Analisando…" (its lot not done yet, or the background queue down): analysed now, then shown.
  async function abrirComLinhas(b) {
    const num = b.dataset.pedido;
    const analisado = resultados.has(num);
    b.disabled = true;
    b.textContent = analisado ? "Carregando…" : "Analisando agora…";
    let ok = false;
    try {
      ok = await atualizar(num);
    } catch (erro) {
      ok = false;
    }
    b.disabled = false;
    if (ok) detalhes(num);
    else if (analisado) pintar(resultados.get(num));
    else b.textContent = "Falhou: clique para tentar de novo";
  }

  function ouvirEstoque() {
    // Stock changed (published at commit): refresh the orders that hold a changed product
    // (all of them when the server says too many changed). Stream or polling: eventos.js.
    EventosAoVivo.estoque((produtos, todos) => {
      const mudados = new Set(produtos);
      linhas
        .filter((tr) => todos || tr.dataset.produtos.split("|").some((p) => mudados.has(p)))
        .forEach((tr) => atualizar(tr.dataset.pedido));
    });
  }

  // A product code as a link to its page, built with text nodes only (strict CSP).
  function linkProduto(cod) {
    const link = document.createElement("a");
    link.href = `/estoque/produto/${encodeURIComponent(cod)}/`;
    link.textContent = cod;
    return link;
  }

  // Builds an element from text and nodes only: data never passes through an HTML parser,
  // so a product named "<img onerror=...>" shows as those characters (and CSP holds).
  function el(tag, classe, ...filhos) {
    const no = document.createElement(tag);
    if (classe) no.className = classe;
    no.append(...filhos.filter((f) => f !== null && f !== undefined && f !== ""));
    return no;
  }

  function celulaProducao(producao) {
    const td = el("td", "");
    if (!producao.length) {
      td.textContent = "—";
      return td;
    }
    producao.forEach((p, i) => {
      if (i) td.append(el("br", ""));
      td.append(`${dataBR(p.data, true)}: ${numero.format(p.qtd_programada)} (${p.linha_producao || p.cod_produto})`);
    });
    return td;
  }

  function linhaModal(l) {
    const produto = el("td", "", linkProduto(l.cod_produto));
    if (l.cod_principal !== l.cod_produto) produto.append(" ", el("small", "text-muted", `(${l.cod_principal})`));
    const disponivel = l.disponivel_hoje ? "Hoje" : (l.disponivel_em ? dataBR(l.disponivel_em, true) : "Sem previsão");
    return el("tr", l.disponivel_hoje ? "" : "table-warning",
      produto,
      el("td", "", l.nome_produto || ""),
      el("td", "text-end", numero.format(l.qtd)),
      el("td", "text-end", numero.format(l.estoque_atual)),
      el("td", "text-end", numero.format(l.menor_estoque_d7)),
      el("td", "", disponivel),
      celulaProducao(l.producao));
  }

  function detalhes(num) {
    const r = resultados.get(num);
    if (!r) return;
    document.getElementById("modal-ruptura-titulo").textContent = `Pedido ${r.num_pedido} · ${r.raz_social_red || ""}`;
    const resumo = el("p", "mb-2",
      "Disponível hoje: ", el("strong", "", `${Math.round(r.percentual_disponibilidade)}%`),
      ` do valor (R$ ${moeda.format(r.valor_total)}) · Disponibilidade total: `,
      el("strong", "", r.data_disponibilidade_total ? dataBR(r.data_disponibilidade_total, true) : "sem previsão"),
      " · Criticidade: ", el("strong", "", r.pedido_ok ? "—" : ROTULOS[r.criticidade] || r.criticidade));
    const cabecalho = el("tr", "", ...[
      ["Produto", ""], ["Nome", ""], ["Qtd", "text-end"], ["Estoque", "text-end"],
      ["Menor D+7", "text-end"], ["Disponível em", ""], ["Produção que resolve", ""],
    ].map(([texto, classe]) => el("th", classe, texto)));
    const linhas = el("table", "table table-sm", el("thead", "", cabecalho), el("tbody", "", ...r.linhas.map(linhaModal)));
    const abrir = el("a", "btn btn-sm btn-primary mb-2", "Abrir o pedido (montagem)");
    abrir.href = tabela.dataset.urlPedido.replace("__PEDIDO__", encodeURIComponent(r.num_pedido));
    document.getElementById("modal-ruptura-corpo").replaceChildren(
      resumo,
      abrir,
      el("div", "table-responsive", linhas),
      el("p", "small text-muted mb-0", "Menor D+7 sem as saídas do próprio pedido."));
    bootstrap.Modal.getOrCreateInstance(document.getElementById("modal-ruptura")).show();
  }

  document.addEventListener("click", (e) => {
    const b = e.target.closest("button.btn-ruptura");
    if (!b) return;
    const r = resultados.get(b.dataset.pedido);
    if (r && r.linhas) detalhes(b.dataset.pedido);
    else abrirComLinhas(b);
  });
  iniciar();
  ouvirEstoque();
})();
