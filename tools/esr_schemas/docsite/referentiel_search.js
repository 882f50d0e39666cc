// Search of a long référentiel (inlined by referentiel_search.py). No blank lines: the
// Markdown converter keeps this block as is only while it has none.
(function () {
  "use strict";
  var box = document.querySelector(".esr-ref-search");
  var link = document.querySelector("a.esr-ref-data");
  if (!box || !link) { return; }
  var input = box.querySelector("input[type=search]");
  var openOnly = box.querySelector("input[name=ouverts]");
  var status = box.querySelector(".esr-ref-status");
  var table = box.querySelector("table");
  var body = table.querySelector("tbody");
  var max = parseInt(box.getAttribute("data-max"), 10) || 100;
  var closingName = box.getAttribute("data-closing");
  var data = null;
  var loading = null;
  var timer = null;
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function gunzip(bytes) {
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) { return Promise.resolve(bytes); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }
  function load() {
    if (loading) { return loading; }
    status.textContent = "Chargement de la liste des codes…";
    loading = fetch(link.href)
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.arrayBuffer();
      })
      .then(function (buffer) { return gunzip(new Uint8Array(buffer)); })
      .then(function (bytes) {
        var parsed = JSON.parse(new TextDecoder("utf-8").decode(bytes));
        parsed.keys = parsed.lignes.map(function (row) { return fold(row.join(" ")); });
        parsed.closing = closingName ? parsed.colonnes.indexOf(closingName) : -1;
        data = parsed;
      });
    loading.catch(function () {
      loading = null;
      status.textContent = "La liste n'a pas pu être chargée : téléchargez le CSV.";
    });
    return loading;
  }
  function show() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    body.textContent = "";
    if (!words.length) {
      table.hidden = true;
      status.textContent = "Tapez un code ou des mots de l'intitulé.";
      return;
    }
    var found = [];
    var count = 0;
    for (var i = 0; i < data.lignes.length; i++) {
      if (openOnly && openOnly.checked && data.closing >= 0 && data.lignes[i][data.closing]) { continue; }
      var key = data.keys[i];
      var all = true;
      for (var w = 0; w < words.length && all; w++) { all = key.indexOf(words[w]) !== -1; }
      if (all) {
        count++;
        if (found.length < max) { found.push(data.lignes[i]); }
      }
    }
    found.forEach(function (row) {
      var tr = document.createElement("tr");
      row.forEach(function (value) {
        var td = document.createElement("td");
        td.textContent = value;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.hidden = count === 0;
    var n = count.toLocaleString("fr-FR");
    if (count === 0) {
      status.textContent = "Aucun code ne correspond à « " + input.value.trim() + " ».";
    } else if (count > found.length) {
      status.textContent = n + " codes trouvés ; les " + found.length + " premiers sont affichés : précisez la recherche.";
    } else {
      status.textContent = count === 1 ? "1 code trouvé." : n + " codes trouvés.";
    }
  }
  function search() {
    clearTimeout(timer);
    timer = setTimeout(function () { load().then(show); }, 120);
  }
  input.addEventListener("input", search);
  if (openOnly) { openOnly.addEventListener("change", search); }
  input.addEventListener("focus", function () { load(); }, { once: true });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { input.value = query; search(); }
})();
