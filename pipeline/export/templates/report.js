(function(){
  "use strict";
  var $ = function(sel, root){ return (root || document).querySelector(sel); };
  var $$ = function(sel, root){ return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  // Search ignores case, Arabic diacritics and tatweel, and the usual alef / ta marbuta / ya spellings.
  function norm(text){
    return text.toLowerCase().replace(/[\u064B-\u0652\u0670\u0640]/g, "")
      .replace(/[\u0622\u0623\u0625\u0671]/g, "\u0627").replace(/\u0629/g, "\u0647").replace(/\u0649/g, "\u064A");
  }
  $$(".item").forEach(function(item){ item.dataset.own = norm($(".ar, .en-text", item).textContent); });
  $$(".link").forEach(function(link){ link.dataset.text = norm(link.textContent); });
  var totals = {ar: $$("#view-ar .item").filter(function(i){ return i.dataset.links === "0"; }).length,
                en: $$("#view-en .item").filter(function(i){ return i.dataset.links === "0"; }).length};
  function apply(){
    var view = $("input[name=view]:checked").value;
    var show = {};
    $$("input[name=label]").forEach(function(box){ show[box.value] = box.checked; });
    var min = parseFloat($("#minvalue").value) || 0;
    $("#minvalue-out").textContent = min.toFixed(2);
    var doc = $("#doc").value;
    var theme = $("#theme") ? $("#theme").value : "";
    var query = norm($("#search").value.trim());
    $("#view-ar").hidden = view !== "ar";
    $("#view-en").hidden = view !== "en";
    var shown = {equivalent: 0, related: 0, theme: 0}, lonely = 0, items = 0;
    $$("#view-" + view + " .item").forEach(function(item){
      var links = $$(".link", item);
      // The search matches a paragraph's own text, or the text of one of its links (then only those show).
      var own = !query || item.dataset.own.indexOf(query) >= 0;
      var inDoc = !doc || (item.dataset.enDoc ? item.dataset.enDoc === doc : links.length > 0);
      var ok = links.map(function(link){
        return show[link.dataset.label] && parseFloat(link.dataset.value) >= min && (!doc || link.dataset.enDoc === doc)
          && (!theme || link.dataset.theme === theme) && (own || link.dataset.text.indexOf(query) >= 0);
      });
      var on = links.length ? ok.indexOf(true) >= 0 && inDoc : show.none && inDoc && own && !theme;
      links.forEach(function(link, k){
        link.classList.toggle("hidden", !(on && ok[k]));
        if (on && ok[k]) shown[link.dataset.label]++;
      });
      item.classList.toggle("hidden", !on);
      if (on) { items++; if (!links.length) lonely++; }
    });
    $$("#view-en .article").forEach(function(a){ a.classList.toggle("hidden", !$$(".item:not(.hidden)", a).length); });
    $("#n-links").textContent = shown.equivalent + shown.related + shown.theme;
    $("#n-equivalent").textContent = shown.equivalent;
    $("#n-related").textContent = shown.related;
    $("#n-theme").textContent = shown.theme;
    $$(".theme-index .theme").forEach(function(t){ t.classList.toggle("chosen", t.dataset.theme === theme); });
    $("#n-unaligned").textContent = lonely;
    $("#unaligned-rest").textContent = view === "ar"
      ? " of " + totals.ar + " Arabic paragraphs with no counterpart (" + $$("#view-ar .item").length + " Arabic paragraphs in all)."
      : " of " + totals.en + " English paragraphs with no Arabic counterpart (" + $$("#view-en .item").length + " English paragraphs in all).";
    $("#nothing").hidden = items > 0;
  }
  // Corrections: the reader's decisions, as the JSONL `pipeline export --corrections` reads.
  var decisions = {};
  function correctionsText(){
    return Object.keys(decisions).sort().map(function(key){
      var d = decisions[key];
      var row = {ar_id: d.ar, en_id: d.en, decision: d.decision};
      if (d.label) { row.label = d.label; }
      return JSON.stringify(row);
    }).join("\n") + (Object.keys(decisions).length ? "\n" : "");
  }
  function countDecisions(){
    var n = Object.keys(decisions).length;
    $("#n-decisions").textContent = n;
    $("#download").disabled = n === 0;
  }
  window.correctionsText = correctionsText;
  $$("#view-ar .link").forEach(function(link){
    $$(".decide button", link).forEach(function(button){
      button.addEventListener("click", function(){
        var decision = button.classList.contains("accept") ? "accept" : "reject";
        var key = link.dataset.arId + "\t" + link.dataset.enId;
        var same = decisions[key] && decisions[key].decision === decision;
        if (same) { delete decisions[key]; } else { decisions[key] = {ar: link.dataset.arId, en: link.dataset.enId, decision: decision}; }
        $$(".decide button", link).forEach(function(b){ b.setAttribute("aria-pressed", String(!same && b === button)); });
        if (same) { link.removeAttribute("data-review"); } else { link.dataset.review = decision === "accept" ? "accepted" : "rejected"; }
        countDecisions();
      });
    });
  });
  // A link the aligner missed: the reader names the English paragraph (one of the run's) and its label.
  var englishIds = {};
  $$("#en-paragraphs option").forEach(function(option){ englishIds[option.value] = true; });
  $$("#view-ar .add-link").forEach(function(box){
    var item = box.closest(".item");
    $(".add", box).addEventListener("click", function(){
      var en = $(".add-en", box).value.trim(), label = $(".add-label", box).value;
      var message = $(".add-message", box);
      if (!englishIds[en]) { message.textContent = "No English paragraph " + (en || "(none)") + " in this run."; return; }
      var key = item.dataset.ar + "\t" + en;
      if ($("[data-en-id='" + en + "']", item)) { message.textContent = "The aligner already made this link: accept it with ✓."; return; }
      decisions[key] = {ar: item.dataset.ar, en: en, decision: "add", label: label};
      message.textContent = "";
      var entry = document.createElement("li");
      entry.className = "added-link";
      entry.dataset.enId = en;
      entry.textContent = "added by hand: " + en + " (" + label + ") ";
      var undo = document.createElement("button");
      undo.type = "button"; undo.textContent = "remove";
      undo.addEventListener("click", function(){ delete decisions[key]; entry.remove(); countDecisions(); });
      entry.appendChild(undo);
      $(".added", box).appendChild(entry);
      $(".add-en", box).value = "";
      countDecisions();
    });
  });
  $("#download").addEventListener("click", function(){
    var url = URL.createObjectURL(new Blob([correctionsText()], {type: "application/x-ndjson"}));
    var a = document.createElement("a");
    a.href = url; a.download = "corrections.jsonl";
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function(){ URL.revokeObjectURL(url); }, 1000);
  });
  $$(".show-theme").forEach(function(button){
    button.addEventListener("click", function(){
      $("#theme").value = button.dataset.theme;
      apply();
      $("main").scrollIntoView();
    });
  });
  $$(".controls input, .controls select").forEach(function(input){
    input.addEventListener("input", apply);
    input.addEventListener("change", apply);
  });
  window.addEventListener("beforeprint", function(){ $$("details").forEach(function(d){ d.open = true; }); });
  apply();
})();
