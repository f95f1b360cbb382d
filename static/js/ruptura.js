// /carteira/pedidos/: starts the background analysis of the orders on the page, fills the
// ruptura buttons as the lots arrive (SSE), and refreshes the orders a stock change touches.
(function () {
  "use strict";

  const CORES = { CRITICA: "btn-danger", ALTA: "btn-warning", MEDIA: "btn-info", BAIXA: "btn-secondary" };
  const resultados = new Map();
  const linhas = Array.from(document.querySelectorAll("tr.pedido-row"));
  const pedidos = linhas.map((tr) => tr.dataset.pedido);
  const numero = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 3 });
  const moeda = new Intl.NumberFormat("pt-BR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

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
    const resposta = await fetch("/api/carteira/ruptura/analisar", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": window.CSRF_TOKEN },
      body: JSON.stringify({ pedidos }),
    });
    if (!resposta.ok) {
      document.getElementById("ruptura-progresso-info").textContent = "Falha ao iniciar a análise.";
      return;
    }
    const job = await resposta.json();
    const fonte = new EventSource(job.stream);
    fonte.addEventListener("progresso", (e) => progresso(JSON.parse(e.data)));
    fonte.addEventListener("lote", (e) => {
      const dados = JSON.parse(e.data);
      dados.resultados.forEach(pintar);
      progresso(dados);
    });
    fonte.addEventListener("fim", () => { fonte.close(); concluir(); });
    fonte.addEventListener("erro", (e) => {
      fonte.close();
      document.getElementById("ruptura-progresso-info").textContent = JSON.parse(e.data).mensagem;
    });
  }

  async function atualizar(num) {
    const resposta = await fetch(`/api/carteira/pedidos/${encodeURIComponent(num)}/ruptura`, { credentials: "same-origin" });
    if (resposta.ok) pintar(await resposta.json());
  }

  function ouvirEstoque() {
    // Stock changed (published at commit): refresh the orders that hold a changed product.
    const fonte = new EventSource("/api/estoque/eventos");
    fonte.addEventListener("estoque", (e) => {
      const mudados = new Set(JSON.parse(e.data).produtos);
      linhas
        .filter((tr) => tr.dataset.produtos.split("|").some((p) => mudados.has(p)))
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

  function detalhes(num) {
    const r = resultados.get(num);
    if (!r) return;
    document.getElementById("modal-ruptura-titulo").textContent = `Pedido ${r.num_pedido} · ${r.raz_social_red || ""}`;
    const linhasHtml = r.linhas.map((l) => {
      const prod = l.producao.map((p) => `${dataBR(p.data, true)}: ${numero.format(p.qtd_programada)} (${p.linha_producao || p.cod_produto})`).join("<br>");
      return `<tr class="${l.disponivel_hoje ? "" : "table-warning"}">
        <td>${l.cod_produto}${l.cod_principal !== l.cod_produto ? ` <small class="text-muted">(${l.cod_principal})</small>` : ""}</td>
        <td>${l.nome_produto || ""}</td>
        <td class="text-end">${numero.format(l.qtd)}</td>
        <td class="text-end">${numero.format(l.estoque_atual)}</td>
        <td class="text-end">${numero.format(l.menor_estoque_d7)}</td>
        <td>${l.disponivel_hoje ? "Hoje" : (l.disponivel_em ? dataBR(l.disponivel_em, true) : "Sem previsão")}</td>
        <td>${prod || "—"}</td></tr>`;
    }).join("");
    document.getElementById("modal-ruptura-corpo").innerHTML = `
      <p class="mb-2">Disponível hoje: <strong>${Math.round(r.percentual_disponibilidade)}%</strong> do valor
      (R$ ${moeda.format(r.valor_total)}) · Disponibilidade total: <strong>${r.data_disponibilidade_total ? dataBR(r.data_disponibilidade_total, true) : "sem previsão"}</strong>
      · Criticidade: <strong>${r.pedido_ok ? "—" : r.criticidade}</strong></p>
      <div class="table-responsive"><table class="table table-sm">
      <thead><tr><th>Produto</th><th>Nome</th><th class="text-end">Qtd</th><th class="text-end">Estoque</th>
      <th class="text-end">Menor D+7</th><th>Disponível em</th><th>Produção que resolve</th></tr></thead>
      <tbody>${linhasHtml}</tbody></table></div>
      <p class="small text-muted mb-0">Menor D+7 sem as saídas do próprio pedido.</p>`;
    document.querySelectorAll("#modal-ruptura-corpo tbody tr").forEach((tr, i) => {
      tr.cells[0].replaceChild(linkProduto(r.linhas[i].cod_produto), tr.cells[0].firstChild);
    });
    bootstrap.Modal.getOrCreateInstance(document.getElementById("modal-ruptura")).show();
  }

  document.addEventListener("click", (e) => {
    const b = e.target.closest("button.btn-ruptura");
    if (b) detalhes(b.dataset.pedido);
  });
  iniciar();
  ouvirEstoque();
})();
