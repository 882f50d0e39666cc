// Progressive enhancement of the validation form: the page works without this file.
// With it: drag and drop of the file, a progress bar for the upload and the validation,
// and a print button on the report.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var print = document.getElementById("imprimer");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
    var form = document.getElementById("formulaire");
    if (!form) { return; }
    var input = document.getElementById("file");
    var zone = document.getElementById("depot");
    var shown = document.getElementById("nom-fichier");
    var box = document.getElementById("progression");
    var bar = document.getElementById("barre");
    var state = document.getElementById("etat");
    var button = document.getElementById("valider");

    function showName() {
      shown.textContent = input.files && input.files.length ? "Fichier choisi : " + input.files[0].name : "";
    }
    zone.hidden = false;
    input.addEventListener("change", showName);
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("survol"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("survol"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        showName();
      }
    });

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.getAttribute("action"));
      box.hidden = false;
      button.disabled = true;
      bar.value = 0;
      state.textContent = "Envoi du fichier…";
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          bar.value = Math.round((progress.loaded / progress.total) * 100);
          state.textContent = "Envoi du fichier : " + bar.value + " %";
        }
      });
      request.upload.addEventListener("load", function () {
        bar.removeAttribute("value");
        state.textContent = "Validation en cours…";
      });
      request.addEventListener("load", function () {
        document.open();
        document.write(request.responseText);
        document.close();
        window.scrollTo(0, 0);
      });
      request.addEventListener("error", function () {
        box.hidden = true;
        button.disabled = false;
        window.alert("La connexion avec le service a été perdue. Réessayez.");
      });
      request.send(new FormData(form));
    });
  });
})();
