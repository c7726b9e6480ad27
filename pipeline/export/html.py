"""report.html: one self-contained page (no external assets) to read the Arabic beside its English links.

Arabic paragraphs sit on the right (dir="rtl" lang="ar") with their MT under them; linked English
paragraphs sit on the left with label, score and evidence; paragraphs with no counterpart say so.
A small inline script filters by label and minimum score.
"""

from __future__ import annotations

from html import escape

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Naskh Arabic",Arial,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{padding:1rem 1.5rem;background:#1d2430;color:#fff}header h1{margin:0 0 .3rem;font-size:1.3rem}
header p{margin:.2rem 0;font-size:.9rem;color:#cfd6e4}header p.warn{color:#ffd27a}
.controls{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #d9dee7;padding:.6rem 1.5rem;display:flex;gap:1.2rem;flex-wrap:wrap;align-items:center;font-size:.9rem}
main{padding:1rem 1.5rem}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem;background:#fff;border:1px solid #d9dee7;border-radius:6px;margin-bottom:1rem;padding:.8rem}
.pair.hidden,.link.hidden{display:none}
.ar{grid-column:2;grid-row:1;font-size:1.1rem;line-height:1.8}
.links{grid-column:1;grid-row:1}
.ar p.src{margin:0}.mt{margin-top:.5rem;padding-top:.4rem;border-top:1px dashed #c4cad6;font-size:.92rem;color:#3b4658;direction:ltr;text-align:left}
.id{font-size:.75rem;color:#6b7587;font-family:ui-monospace,monospace}
.link{border-left:4px solid #9aa5b8;padding:.2rem .6rem;margin-bottom:.7rem}
.link.equivalent{border-color:#1f8a4c}.link.related{border-color:#c27c0e}
.badge{display:inline-block;font-size:.75rem;padding:.05rem .4rem;border-radius:3px;color:#fff;background:#9aa5b8;margin-right:.3rem}
.badge.equivalent{background:#1f8a4c}.badge.related{background:#c27c0e}
.evidence{font-size:.8rem;color:#4a5568}.anchor{background:#fff3c4;border-radius:3px;padding:0 .2rem;margin-right:.2rem}
.none{color:#6b7587;font-style:italic}.flags{color:#b42318;font-size:.8rem}
"""

_JS = """
(function(){
  function apply(){
    var show={};document.querySelectorAll('input[name=label]').forEach(function(b){show[b.value]=b.checked;});
    var min=parseFloat(document.getElementById('minscore').value)||0;
    document.getElementById('minscore-value').textContent=min.toFixed(2);
    document.querySelectorAll('.pair').forEach(function(p){
      var visible=0;
      p.querySelectorAll('.link').forEach(function(l){
        var ok=show[l.dataset.label]&&parseFloat(l.dataset.score)>=min;l.classList.toggle('hidden',!ok);if(ok)visible++;});
      var has=p.querySelectorAll('.link').length>0;
      p.classList.toggle('hidden',has?visible===0:!show['none']);
    });
  }
  document.querySelectorAll('.controls input').forEach(function(i){i.addEventListener('input',apply);});
  apply();
})();
"""


def _evidence(link: dict) -> str:
    ev = link.get("evidence") or {}
    parts = []
    for key in ("cosine", "margin", "mt_cosine", "chrf", "bead", "bead_cosine"):
        if key in ev:
            parts.append(f"{escape(key)} {escape(str(ev[key]))}")
    anchors = "".join(
        f'<span class="anchor">{escape(a["ar"])} ~ {escape(a["en"])}</span>'
        if a["ar"] != a["en"]
        else f'<span class="anchor">{escape(a["en"])}</span>'
        for a in ev.get("anchors", [])
    )
    return f'<div class="evidence">{" · ".join(parts)}{"<br>anchors: " + anchors if anchors else ""}</div>'


def render_report(result) -> str:
    links_by_ar: dict[str, list[dict]] = {}
    for link in result.links:
        links_by_ar.setdefault(link["ar_id"], []).append(link)
    ar_rows = [s for s in result.segments if s["lang"] == "ar"]
    en_docs = {d["id"]: d for d in result.manifest.get("inputs", [])}
    translation = result.manifest.get("translation", {})
    mode = result.manifest.get("parameters", {}).get("mode", "")
    pairs = []
    for row in ar_rows:
        links = links_by_ar.get(row["id"], [])
        mt = row.get("mt_text")
        flags = row.get("mt_flags") or []
        ar_html = (
            f'<div class="ar"><div class="id">{escape(row["id"])}</div>'
            f'<p class="src" dir="rtl" lang="ar">{escape(row["text"])}</p>'
            + (
                f'<div class="mt" lang="en"><span class="id">MT</span> {escape(mt)}'
                + (f'<div class="flags">flags: {escape(", ".join(flags))}</div>' if flags else "")
                + "</div>"
                if mt
                else ""
            )
            + "</div>"
        )
        if links:
            items = "".join(
                f'<div class="link {escape(l["label"])}" data-label="{escape(l["label"])}" data-score="{l["score"]}">'
                f'<span class="badge {escape(l["label"])}">{escape(l["label"])}</span>'
                f'<span class="id">{escape(l["en_id"])} · {escape(en_docs.get(l["en_doc"], {}).get("outlet", l["en_doc"]))}'
                f' · score {l["score"]:.3f}</span><p lang="en">{escape(l["en_text"])}</p>{_evidence(l)}</div>'
                for l in links
            )
            links_html = f'<div class="links">{items}</div>'
        else:
            links_html = '<div class="links"><p class="none">No counterpart in the English documents.</p></div>'
        pairs.append(f'<section class="pair" data-ar="{escape(row["id"])}">{ar_html}{links_html}</section>')
    counts = result.manifest.get("counts", {})
    status = translation.get("status", "")
    mt_line = (
        f'MT: {escape(str(translation.get("model") or translation.get("backend") or "none"))} ({escape(status)})'
        if status
        else "MT: none"
    )
    if status.startswith("missing"):
        mt_line += (
            f'</p><p class="warn">MT model missing: {escape(status.split(":", 1)[-1].strip())}. '
            "This run has no machine translation; links rest on the cross-lingual encoder and anchors."
        )
    docs_line = ", ".join(
        f'{escape(d["id"])} ({escape(d.get("outlet", ""))}, {escape(d["lang"])})'
        for d in result.manifest.get("inputs", [])
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Arabic–English alignment report</title><style>{_CSS}</style></head>
<body><header><h1>Arabic–English alignment report</h1>
<p>{counts.get("links", 0)} links ({counts.get("links_equivalent", 0)} equivalent, {counts.get("links_related", 0)} related);
{counts.get("unaligned", 0)} of {len(ar_rows)} Arabic paragraphs have no counterpart. Mode: {escape(mode)}. {mt_line}.</p>
<p>Documents: {docs_line}</p></header>
<div class="controls"><span>Show:</span>
<label><input type="checkbox" name="label" value="equivalent" checked> equivalent</label>
<label><input type="checkbox" name="label" value="related" checked> related</label>
<label><input type="checkbox" name="label" value="none" checked> no counterpart</label>
<label>minimum score <input type="range" id="minscore" min="0" max="1.5" step="0.01" value="0"> <span id="minscore-value">0.00</span></label>
</div>
<main>{"".join(pairs)}</main>
<script>{_JS}</script></body></html>
"""
