// The campaign form's live audience count: as the segment rule or the channels change (debounced), ask
// /admin/campaigns/audience and show the answer. Without JavaScript the count shows after saving.
(function () {
  "use strict";
  var form = document.getElementById("campaign-form");
  var out = document.getElementById("audience-count");
  if (!form || !out) return;
  var rule = form.querySelector("textarea[name=segment]");
  var url = rule.getAttribute("data-audience");
  var words = out.getAttribute("data-words") || "";
  var timer = null, asked = 0;
  function count() {
    var params = new URLSearchParams();
    params.append("segment", rule.value);
    form.querySelectorAll("input[name=channel]:checked").forEach(function (box) { params.append("channel", box.value); });
    var mine = ++asked;
    fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== asked) return;  // a later change answers instead
        out.textContent = data.error ? data.error
          : words.replace("%(reachable)s", data.reachable).replace("%(matching)s", data.matching);
        out.setAttribute("data-reachable", data.error ? "" : String(data.reachable));
      })
      .catch(function () { if (mine === asked) out.textContent = ""; });
  }
  function later() { clearTimeout(timer); timer = setTimeout(count, 400); }
  rule.addEventListener("input", later);
  form.querySelectorAll("input[name=channel]").forEach(function (box) { box.addEventListener("change", later); });
  count();
})();
