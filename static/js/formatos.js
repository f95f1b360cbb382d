/* pt-BR formats for the live pages, whatever the browser's language (the same text as the
 * templates' |qtd filter, core/templatetags/formatos.py). Exposes window.FormatosBR. */
(function () {
  "use strict";

  var numero = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 3 });

  function qtd(valor) {
    if (valor === null || valor === undefined || valor === "") return "";
    var n = Number(valor);
    if (n === 0) n = 0; // no "-0"
    return numero.format(n);
  }

  function negativo(valor) {
    return valor !== null && valor !== undefined && Number(valor) < 0;
  }

  // "aaaa-mm-dd" -> "dd/mm/aaaa" (comAno) or "dd/mm"
  function data(iso, comAno) {
    if (!iso) return "";
    var partes = String(iso).slice(0, 10).split("-");
    if (partes.length !== 3) return "";
    return comAno ? partes[2] + "/" + partes[1] + "/" + partes[0] : partes[2] + "/" + partes[1];
  }

  window.FormatosBR = { qtd: qtd, negativo: negativo, data: data };
})();
