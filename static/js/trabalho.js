// A background job's page: poll its situation every second while it runs, move the progress
// bar, then show the download link (or the error). Text nodes only (strict CSP).
const caixa = document.getElementById("progresso");
const barra = document.getElementById("progresso-barra");
const etapa = document.getElementById("progresso-etapa");
const texto = document.getElementById("progresso-texto");
const numero = (n) => Number(n).toLocaleString("pt-BR");
const CORES = { CONCLUIDO: "text-bg-success", FALHOU: "text-bg-danger", EXECUTANDO: "text-bg-primary" };

function desenhar(s) {
  barra.style.width = s.progresso + "%";
  barra.textContent = s.progresso + "%";
  barra.parentElement.setAttribute("aria-valuenow", String(s.progresso));
  etapa.textContent = s.em_andamento ? s.etapa + "…" : s.etapa;
  if (s.linhas_total) {
    texto.textContent = numero(s.linhas_feitas) + " de " + numero(s.linhas_total) + " " + s.unidade + ".";
  }
  const status = document.getElementById("status");
  const selo = document.createElement("span");
  selo.className = "badge " + (CORES[s.status] || "text-bg-info");
  selo.textContent = s.status_texto;
  status.replaceChildren(selo);
  if (s.em_andamento) { return; }
  barra.classList.remove("progress-bar-striped", "progress-bar-animated");
  barra.classList.add(s.status === "FALHOU" ? "bg-danger" : "bg-success");
  if (s.status === "FALHOU") {
    document.getElementById("falha-texto").textContent = s.erro;
    document.getElementById("falha").classList.remove("d-none");
    return;
  }
  document.getElementById("resultado-resumo").textContent = s.resumo;
  if (s.tem_arquivo) {
    const baixar = document.getElementById("baixar");
    baixar.textContent = "Baixar " + s.arquivo_nome;
    baixar.classList.remove("d-none");
  }
  if (s.link) {
    const link = document.getElementById("ver-link");
    link.href = s.link;
    link.classList.remove("d-none");
  }
  document.getElementById("resultado").classList.remove("d-none");
}

function consultar() {
  fetch(caixa.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
    .then((s) => {
      desenhar(s);
      if (s.em_andamento) { window.setTimeout(consultar, 1000); }
    })
    .catch(() => window.setTimeout(consultar, 3000));
}

if (caixa && barra) {
  barra.style.width = barra.dataset.percentual + "%";
  if (caixa.dataset.emAndamento === "1") { window.setTimeout(consultar, 500); }
}
