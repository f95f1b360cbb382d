// An import's page: while the cluster reads or writes a large file, poll its situation and
// show the progress; reload when it is done. The undo button asks before posting.
(function () {
  "use strict";
  var caixa = document.getElementById("progresso");
  if (caixa) {
    var etapa = document.getElementById("progresso-etapa");
    var barra = document.getElementById("progresso-barra");
    var texto = document.getElementById("progresso-texto");
    var consultar = function () {
      fetch(caixa.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (s) {
          if (!s.em_andamento) { window.location.reload(); return; }
          etapa.textContent = s.etapa + "…";
          if (s.percentual !== null) {
            barra.classList.remove("w-100", "progress-bar-animated");
            barra.style.width = s.percentual + "%";
            barra.textContent = s.percentual + "%";
            texto.textContent = s.feitas.toLocaleString("pt-BR") + " de " + s.total.toLocaleString("pt-BR") + " linha(s).";
          }
          window.setTimeout(consultar, 1000);
        })
        .catch(function () { window.setTimeout(consultar, 3000); });
    };
    window.setTimeout(consultar, 500);
  }
  var arquivo = document.getElementById("id_arquivo");
  var nomeArquivo = document.getElementById("nome-arquivo");
  if (arquivo && nomeArquivo) {
    arquivo.addEventListener("change", function () {
      nomeArquivo.textContent = arquivo.files.length ? arquivo.files[0].name : "Nenhum arquivo escolhido";
    });
  }
  document.querySelectorAll("[data-confirmar]").forEach(function (botao) {
    botao.addEventListener("click", function (evento) {
      if (!window.confirm(botao.dataset.confirmar)) { evento.preventDefault(); }
    });
  });
})();
