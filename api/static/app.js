// archie's web page: plain JavaScript over the /v1 API, no build step.
// Everything from the server is put in the page with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const SEVERITIES = ["high", "medium", "low", "info"];

// ---- the API key: kept in this browser only ----
const keyInput = $("api-key");
keyInput.value = localStorage.getItem("archie.key") || "";
keyInput.addEventListener("change", () => localStorage.setItem("archie.key", keyInput.value.trim()));

function headers(extra = {}) {
  const key = keyInput.value.trim();
  return key ? { Authorization: `Bearer ${key}`, ...extra } : extra;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// A problem detail (RFC 9457) as one line plus its hint.
async function problemText(response) {
  let p = {};
  try { p = await response.json(); } catch { /* not JSON */ }
  const line = p.detail || p.title || `HTTP ${response.status}`;
  if (response.status === 401) return `${line}: enter an API key above.`;
  return p.hint ? `${line} (${p.hint})` : line;
}

function showStatus(id, text, isError = false) {
  const s = $(id);
  s.textContent = text;
  s.classList.toggle("error", isError);
}

// ---- tabs ----
for (const tab of document.querySelectorAll("[role=tab]")) {
  tab.addEventListener("click", () => {
    for (const t of document.querySelectorAll("[role=tab]")) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
  });
}

// ---- ask: a streamed, cited answer ----
async function* sseEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}

function citeLink(c) {
  return el("a", { class: "cite", href: `#doc=${encodeURIComponent(c.doc_id)}`, "data-doc": c.doc_id,
                   "data-section": c.section, onclick: (e) => { e.preventDefault(); openDocument(c.doc_id, c.section); } },
            `[${c.doc_id} §${c.section}]`);
}

function renderAnswer(a) {
  const text = $("answer-text");
  text.replaceChildren();
  if (a.abstained || !a.claims.length) {
    text.append(el("p", { class: "abstain" }, a.text));
  } else {
    for (const claim of a.claims) {
      const p = el("p", { class: "claim" }, claim.text + " ");
      for (const c of claim.citations) p.append(citeLink(c), " ");
      text.append(p);
    }
  }
  $("answer-notes").replaceChildren(...a.notes.map((n) => el("li", {}, n)));
  $("answer-asof").textContent = a.as_of && !a.abstained ? `As of ${a.as_of} (newest cited document)` : "";
  const rows = a.abstained ? a.nearest : a.sources;
  $("sources-title").textContent = a.abstained ? "Nearest documents" : "Sources";
  $("sources").replaceChildren(...rows.map((s) => el("li", {},
    el("a", { href: `#doc=${encodeURIComponent(s.doc_id)}`, class: "source", "data-doc": s.doc_id,
              onclick: (e) => { e.preventDefault(); openDocument(s.doc_id); } }, s.doc_id),
    ` ${s.title} (${s.kind}, ${s.status}${s.superseded_by.length ? ", superseded by " + s.superseded_by.join(", ") : ""}, ${s.date || "undated"})`)));
  const v = a.verdict;
  $("verdict").textContent = `guard: ${v.claims_kept}/${v.claims_total} claims kept, ${v.claims_dropped} dropped; ` +
    `${v.citations_invalid_removed} invalid citations removed, ${v.citations_repaired} repaired; ` +
    `${v.injection_suspects.length} injected instructions withheld; ${a.provider}${a.fallback ? " (fallback)" : ""}, ${a.seconds.toFixed(2)} s`;
  $("answer").hidden = false;
}

$("ask-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  const body = { question };
  if ($("ask-kind").value) body.kind = $("ask-kind").value;
  if ($("ask-as-of").value) body.as_of = $("ask-as-of").value;
  $("answer").hidden = true;
  const draft = $("ask-draft");
  draft.textContent = "";
  draft.hidden = true;
  showStatus("ask-status", "Searching the documents…");
  $("ask-button").disabled = true;
  try {
    const r = await fetch("/v1/ask", { method: "POST", body: JSON.stringify(body),
      headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }) });
    if (!r.ok) { showStatus("ask-status", await problemText(r), true); return; }
    for await (const { event, data } of sseEvents(r)) {
      if (event === "token") { draft.hidden = false; draft.textContent += data.text; showStatus("ask-status", "The model is writing; the guard checks it next…"); }
      else if (event === "answer") { draft.hidden = true; renderAnswer(data); showStatus("ask-status", ""); }
      else if (event === "error") { showStatus("ask-status", data.hint ? `${data.detail} (${data.hint})` : data.detail || data.title, true); }
    }
  } catch (err) {
    showStatus("ask-status", `The service did not answer: ${err.message}`, true);
  } finally {
    $("ask-button").disabled = false;
  }
});

async function openDocument(docId, section) {
  const panel = $("doc-panel");
  const r = await fetch(`/v1/documents/${encodeURIComponent(docId)}`, { headers: headers() });
  if (!r.ok) { showStatus("ask-status", await problemText(r), true); return; }
  const d = await r.json();
  $("doc-title").textContent = `${d.id}: ${d.title}`;
  $("doc-meta").textContent = `${d.kind}, ${d.status}, ${d.date || "undated"} — ${d.path}`;
  const box = $("doc-sections");
  box.replaceChildren();
  let target = null;
  for (const s of d.sections) {
    const name = s.path.length ? s.path.join(" > ") : "(preamble)";
    const sec = el("section", { class: "doc-section", "data-section": name },
      el("h4", {}, s.heading || "(preamble)"), el("p", {}, s.text));
    if (section && (name === section || s.heading === section)) { sec.classList.add("cited"); target = target || sec; }
    box.append(sec);
  }
  panel.hidden = false;
  (target || panel).scrollIntoView({ block: "start" });
}
$("doc-close").addEventListener("click", () => { $("doc-panel").hidden = true; });

// ---- review: findings grouped by severity ----
$("review-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const file = $("review-file").files[0];
  const text = $("review-text").value;
  let init;
  if (file) {
    const form = new FormData();
    form.append("file", file, file.name);
    init = { method: "POST", body: form, headers: headers() };
  } else if (text.trim()) {
    init = { method: "POST", body: JSON.stringify({ text }), headers: headers({ "Content-Type": "application/json" }) };
  } else {
    showStatus("review-status", "Paste a document or choose a file first.", true);
    return;
  }
  $("review-result").hidden = true;
  showStatus("review-status", "Reviewing…");
  try {
    const r = await fetch("/v1/review", init);
    if (!r.ok) { showStatus("review-status", await problemText(r), true); return; }
    renderReview(await r.json());
    showStatus("review-status", "");
  } catch (err) {
    showStatus("review-status", `The service did not answer: ${err.message}`, true);
  }
});

function renderReview(rv) {
  $("review-title").textContent = rv.title || rv.path;
  const c = rv.counts;
  $("review-verdict").textContent = `${rv.verdict} — ${c.high || 0} high, ${c.medium || 0} medium, ${c.low || 0} low`;
  const box = $("findings");
  box.replaceChildren();
  for (const sev of SEVERITIES) {
    const group = rv.findings.filter((f) => f.severity === sev);
    if (!group.length) continue;
    const list = el("ul", {});
    for (const f of group) {
      const item = el("li", { class: "finding" },
        el("span", { class: "where" }, `line ${f.line_start}${f.line_end > f.line_start ? "–" + f.line_end : ""}`),
        el("span", { class: "category" }, f.category), " ", f.problem,
        el("div", { class: "suggestion" }, `→ ${f.suggestion}`));
      if (f.evidence) item.append(el("blockquote", {}, f.evidence));
      for (const r of f.references || []) {
        item.append(el("div", { class: "precedent" },
          el("strong", {}, `${r.doc_id} §${r.section}`),
          ` (${r.kind === "adr" ? r.status : r.kind}${r.date ? ", " + r.date : ""}) `, r.quote ? `“${r.quote}”` : ""));
      }
      if (f.source === "model") item.append(el("div", { class: "suggestion" }, "proposed by the model; passed the guard"));
      list.append(item);
    }
    box.append(el("section", { class: `severity ${sev}`, "data-severity": sev },
      el("h3", {}, `${sev} (${group.length})`), list));
  }
  if (!rv.findings.length) box.append(el("p", {}, "No findings."));
  $("review-result").hidden = false;
}

// ---- incident trends: chart and table ----
let chartUrl = null;
$("trends-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const by = $("trends-by").value;
  showStatus("trends-status", "Computing trends…");
  try {
    const [r, png] = await Promise.all([
      fetch(`/v1/incidents/trends?by=${by}`, { headers: headers() }),
      fetch(`/v1/incidents/trends?by=${by}&format=png&chart=${$("trends-chart").value}`, { headers: headers() }),
    ]);
    if (!r.ok) { showStatus("trends-status", await problemText(r), true); return; }
    const t = await r.json();
    $("trends-summary").textContent = t.summary;
    $("trends-table").tBodies[0].replaceChildren(...t.periods.map((p) => el("tr", {},
      el("td", {}, p.period), el("td", {}, p.incidents),
      ...["SEV1", "SEV2", "SEV3", "SEV4"].map((s) => el("td", {}, p.by_severity[s] || 0)),
      el("td", {}, p.mttd.median ?? "—"), el("td", {}, p.mttr.median ?? "—"), el("td", {}, p.mttr.count),
      el("td", {}, p.ids.join(", ")))));
    if (png.ok) {
      if (chartUrl) URL.revokeObjectURL(chartUrl);
      chartUrl = URL.createObjectURL(await png.blob());
      $("trends-chart-img").src = chartUrl;
    }
    $("trends-result").hidden = false;
    showStatus("trends-status", "");
  } catch (err) {
    showStatus("trends-status", `The service did not answer: ${err.message}`, true);
  }
});
