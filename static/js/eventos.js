// Live updates with a fallback: a Server-Sent Events stream while the server gives one, and
// periodic fetches of a cheap JSON endpoint when it does not (429 over the per-user cap, 503
// under a WSGI server, a proxy that cuts streams, repeated network errors).
//
//   EventosAoVivo.estoque((produtos, todos) => ..., opcoes)   stock changes (principal codes)
//   EventosAoVivo.estoqueNaPagina(elemento, (produtos, todos) => ...)   the same, wired from the
//       element's data- attributes, showing the mode in #estado-ao-vivo (the stock pages)
//   EventosAoVivo.analise(job, { progresso, lote, fim, erro })   a background ruptura analysis
//
// An EventSource that gets an HTTP error closes for good (readyState CLOSED); one whose
// connection drops retries by itself (CONNECTING): after a few failed retries in a row we
// switch to polling too. Every stream event carries a cursor (its id); polling continues
// from the last one, so a change made while switching is not lost.
//
// opcoes of estoque(): stream, consulta (URLs); desde (the cursor to start from: the moment
// the page was drawn, so a change between drawing and connecting still arrives);
// aoMudarModo(modo) with modo "ao-vivo" or "consulta" (pages show it).
(function () {
  "use strict";

  const FALHAS_ANTES_DE_CONSULTAR = 3;
  const CONSULTA_ESTOQUE_MS = 5000;
  const CONSULTA_ANALISE_MS = 2000;
  const VOLTAR_AO_STREAM_MS = 120000;
  const SEM_PROGRESSO_MS = 300000;

  // Opens `url` and routes its named events; calls aoFalhar() once when the stream is refused
  // or keeps failing. Returns { fechar }.
  function abrirStream(url, eventos, aoFalhar) {
    let falhas = 0;
    let encerrado = false;
    const fonte = new EventSource(url);
    Object.entries(eventos).forEach(([nome, tratar]) => {
      fonte.addEventListener(nome, (e) => { falhas = 0; tratar(JSON.parse(e.data), e.lastEventId); });
    });
    fonte.addEventListener("open", () => { falhas = 0; });
    fonte.addEventListener("error", () => {
      if (encerrado) return;
      falhas += 1;
      if (fonte.readyState === EventSource.CLOSED || falhas >= FALHAS_ANTES_DE_CONSULTAR) {
        fechar();
        aoFalhar();
      }
    });
    function fechar() {
      encerrado = true;
      fonte.close();
    }
    return { fechar };
  }

  async function buscarJSON(url) {
    const resposta = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!resposta.ok) throw new Error(`HTTP ${resposta.status}`);
    return resposta.json();
  }

  function comCursor(url, cursor) {
    return cursor ? `${url}?desde=${encodeURIComponent(cursor)}` : url;
  }

  function estoque(aoMudar, opcoes) {
    const stream = (opcoes && opcoes.stream) || "/api/estoque/eventos";
    const consulta = (opcoes && opcoes.consulta) || "/api/estoque/eventos/mudancas";
    const aoMudarModo = (opcoes && opcoes.aoMudarModo) || function () {};
    const vistos = new Map(); // code -> atualizado_em already announced (polling overlaps)
    let cursor = (opcoes && opcoes.desde) || null;
    let modo = "";

    function viaStream() {
      modo = "stream";
      document.documentElement.dataset.eventosEstoque = modo;
      aoMudarModo("ao-vivo");
      abrirStream(
        cursor ? comCursor(stream, cursor) : stream,
        {
          pronto: (_dados, id) => { if (id) cursor = id; },
          estoque: (dados, id) => {
            if (id) cursor = id;
            aoMudar(dados.produtos, Boolean(dados.todos));
          },
        },
        viaConsulta,
      );
    }

    function viaConsulta() {
      modo = "consulta";
      document.documentElement.dataset.eventosEstoque = modo;
      aoMudarModo("consulta");
      const inicio = Date.now();
      async function rodada() {
        try {
          const dados = await buscarJSON(comCursor(consulta, cursor));
          const primeira = cursor === null;
          cursor = dados.cursor;
          const novos = Object.entries(dados.produtos)
            .filter(([cod, momento]) => vistos.get(cod) !== momento)
            .map(([cod, momento]) => { vistos.set(cod, momento); return cod; });
          if (!primeira && (novos.length || dados.todos)) aoMudar(novos, Boolean(dados.todos));
        } catch (erro) {
          // Server or network down for a moment: the cursor stays, the next round catches up.
        }
        if (Date.now() - inicio > VOLTAR_AO_STREAM_MS) viaStream();
        else setTimeout(rodada, CONSULTA_ESTOQUE_MS);
      }
      rodada();
    }

    viaStream();
    return { modo: () => modo };
  }

  function analise(job, tratar) {
    const recebidos = new Set();
    let cursor = null;
    let terminou = false;
    let ultimoProgresso = Date.now();

    // A finished lot, once; `total` is given when polling (the stream's event has the progress).
    function lote(dados, total) {
      if (recebidos.has(dados.indice)) return;
      recebidos.add(dados.indice);
      ultimoProgresso = Date.now();
      if (total !== undefined) {
        const percentual = Math.round((100 * recebidos.size) / Math.max(total, 1));
        dados = { ...dados, lotes_concluidos: recebidos.size, total_lotes: total, percentual };
      }
      tratar.lote(dados);
    }

    function fim() {
      if (terminou) return;
      terminou = true;
      tratar.fim();
    }

    function viaConsulta() {
      document.documentElement.dataset.eventosAnalise = "consulta";
      async function rodada() {
        if (terminou) return;
        try {
          const dados = await buscarJSON(comCursor(job.situacao, cursor));
          cursor = dados.cursor;
          if (!recebidos.size) tratar.progresso({ lotes_concluidos: 0, total_lotes: dados.total_lotes, percentual: 0 });
          dados.lotes.forEach((l) => lote(l, dados.total_lotes));
          if (dados.concluida && recebidos.size >= dados.total_lotes) { fim(); return; }
        } catch (erro) {
          // Try again on the next round.
        }
        if (Date.now() - ultimoProgresso > SEM_PROGRESSO_MS) {
          terminou = true;
          tratar.erro({ mensagem: "Os workers não concluíram nenhum lote nos últimos minutos. O cluster django-q2 está rodando?" });
          return;
        }
        setTimeout(rodada, CONSULTA_ANALISE_MS);
      }
      rodada();
    }

    document.documentElement.dataset.eventosAnalise = "stream";
    const conexao = abrirStream(
      job.stream,
      {
        progresso: (dados) => tratar.progresso(dados),
        lote: (dados) => lote(dados),
        fim: () => { conexao.fechar(); fim(); },
        erro: (dados) => { conexao.fechar(); terminou = true; tratar.erro(dados); },
      },
      () => { if (!terminou) viaConsulta(); },
    );
  }

  // The live stock pages' wiring, one place: the URLs and the starting cursor from the page
  // element's data-eventos, data-mudancas and data-gerado-em; the mode in its data-modo and, in
  // words, in #estado-ao-vivo.
  const MODOS = { "ao-vivo": "ao vivo", consulta: `atualização a cada ${CONSULTA_ESTOQUE_MS / 1000} s` };

  function estoqueNaPagina(elemento, aoMudar) {
    const estado = document.getElementById("estado-ao-vivo");
    return estoque(aoMudar, {
      stream: elemento.dataset.eventos,
      consulta: elemento.dataset.mudancas,
      desde: elemento.dataset.geradoEm,
      aoMudarModo(modo) {
        if (estado) estado.textContent = MODOS[modo] || modo;
        elemento.dataset.modo = modo;
      },
    });
  }

  window.EventosAoVivo = { estoque, estoqueNaPagina, analise };
})();
