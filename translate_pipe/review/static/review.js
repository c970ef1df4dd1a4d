// translate-pipe review pages. Every piece of text from the database goes into the page
// through textContent, text nodes or an attribute, never innerHTML, so a release that contains markup
// shows that markup as text.
"use strict";

const TranslatePipeReview = (() => {
  const RTL = new Set(["ar", "he", "fa", "ur"]);

  // Bidi embedding, override and isolate controls reorder the text around them without
  // being seen: a reviewer would approve a sentence that reads differently from what is
  // stored. Each is shown as a visible marker such as ⟨U+202E⟩ instead.
  const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
  const BIDI_NAMES = {
    0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x202B: "RIGHT-TO-LEFT EMBEDDING", 0x202C: "POP DIRECTIONAL FORMATTING",
    0x202D: "LEFT-TO-RIGHT OVERRIDE", 0x202E: "RIGHT-TO-LEFT OVERRIDE", 0x2066: "LEFT-TO-RIGHT ISOLATE",
    0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE", 0x2069: "POP DIRECTIONAL ISOLATE",
  };

  function codePoint(char) {
    return `U+${char.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  }

  // The text as nodes: plain text, and a marker span for each bidi control.
  function visibleText(text) {
    const nodes = [];
    let last = 0;
    for (const match of text.matchAll(BIDI_CONTROLS)) {
      if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
      const marker = document.createElement("span");
      marker.className = "bidi-control";
      marker.textContent = `⟨${codePoint(match[0])}⟩`;
      marker.title = `${BIDI_NAMES[match[0].codePointAt(0)]} (invisible in the text; it reorders what follows)`;
      nodes.push(marker);
      last = match.index + match[0].length;
    }
    if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
    return nodes;
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.replaceChildren(...visibleText(String(value)));
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function say(text, isError = false) {
    const box = document.getElementById("message");
    box.textContent = text;
    box.className = isError ? "error" : "";
  }

  async function api(path, options = {}) {
    const response = await fetch(path, {
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      ...options,
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      let detail = body.detail;
      if (Array.isArray(detail)) detail = detail.map((d) => d.msg).join("; ");
      throw new Error(detail || `${response.status} ${response.statusText}`);
    }
    return body;
  }

  // A release's own date ("2024-03-12" or "2024-03-12T09:30", no time zone: the time the
  // release gives) as "12 Mar 2024, 09:30" in the reader's language; kept in <time datetime>.
  function readableDate(iso) {
    const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(iso || "");
    if (!match) return iso || "";
    const [, y, m, d, hh, mm] = match;
    const date = new Date(Number(y), Number(m) - 1, Number(d), Number(hh || 0), Number(mm || 0));
    const options = { year: "numeric", month: "short", day: "numeric" };
    if (hh !== undefined) Object.assign(options, { hour: "2-digit", minute: "2-digit" });
    return date.toLocaleString(undefined, options);
  }

  function timeElement(iso) {
    const node = el("time", { text: readableDate(iso) });
    if (iso) node.setAttribute("datetime", iso);
    return node;
  }


  // --- paged lists ------------------------------------------------------------------

  // One page of a list: the server sends at most 500 items a page, and the total in X-Total-Count.
  async function apiPage(path, limit, offset) {
    const sep = path.includes("?") ? "&" : "?";
    const response = await fetch(`${path}${sep}limit=${limit}&offset=${offset}`, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = Array.isArray(body.detail) ? body.detail.map((d) => d.msg).join("; ") : body.detail;
      throw new Error(detail || `${response.status} ${response.statusText}`);
    }
    return { items: body, total: Number(response.headers.get("X-Total-Count") || body.length) };
  }

  // Every item of a paged list.
  async function apiAll(path) {
    let items = [];
    for (;;) {
      const page = await apiPage(path, 500, items.length);
      items = items.concat(page.items);
      if (!page.items.length || items.length >= page.total) return items;
    }
  }

  // --- the list of releases (a page at a time, searchable by title and date) --------

  const PAGE = 50;

  async function listReleases() {
    const params = new URLSearchParams(location.search);
    const form = document.getElementById("search");
    for (const name of ["q", "date_from", "date_to"]) form.elements[name].value = params.get(name) || "";
    const offset = Math.max(0, Number(params.get("offset")) || 0);
    const query = new URLSearchParams();
    for (const name of ["q", "date_from", "date_to"]) if (params.get(name)) query.set(name, params.get(name));
    const tbody = document.querySelector("#releases tbody");
    let page;
    try {
      page = await apiPage(`/api/releases?${query}`, PAGE, offset);
    } catch (error) {
      say(error.message, true);
      return;
    }
    const releases = page.items;
    if (!page.total) say(query.toString() ? "No release matches." : "No releases in this database yet: run translate-pipe run first.");
    const pager = document.getElementById("pager");
    pager.querySelector("span").textContent = page.total ? `${offset + 1}–${offset + releases.length} of ${page.total}` : "";
    for (const [id, start, open] of [["prev", Math.max(0, offset - PAGE), offset > 0],
                                     ["next", offset + PAGE, offset + PAGE < page.total]]) {
      const link = document.getElementById(id);
      link.hidden = !open;
      if (open) { query.set("offset", String(start)); link.href = `?${query}`; }
    }
    for (const release of releases) {
      // Pairs per language ("ar 12 · fr 9"): each language is its own set of pairs.
      const perLang = (label) => release.langs
        .map((lang) => `${lang} ${(release.labels[lang] || {})[label] || 0}`).join(" · ") || "0";
      const link = el("a", { href: `/releases/${encodeURIComponent(release.id)}`, text: release.title || release.id });
      tbody.append(
        el("tr", { "data-release": release.id },
          el("td", {}, timeElement(release.date)),
          el("td", {}, link),
          el("td", { text: release.langs.join(", ") || "none yet" }),
          el("td", { class: "good", text: perLang("good") }),
          el("td", { class: "check", text: perLang("check") }),
          el("td", { class: "bad", text: perLang("bad") })));
    }
  }

  // --- one release ------------------------------------------------------------------

  const state = { release: null, lang: null, pairs: [], focused: null, editing: null };

  function needsCheck(pair) {
    return pair.label !== "good" && pair.status !== "approved" && pair.status !== "rejected";
  }

  function visiblePairs() {
    const label = document.getElementById("f-label").value;
    const flag = document.getElementById("f-flag").value;
    const status = document.getElementById("f-status").value;
    const sort = document.getElementById("f-sort").value;
    let shown = state.pairs.filter((p) => (!label || p.label === label)
      && (!flag || p.flags.some((f) => f.name === flag))
      && (!status || p.status === status));
    if (sort !== "document") {
      shown = shown.slice().sort((a, b) => (a.combined - b.combined) || (a.index - b.index));
      if (sort === "-score") shown.reverse();
    }
    return shown;
  }

  function scoreTitle(pair) {
    const lines = Object.entries(pair.scores).map(([name, value]) => `${name}: ${value}`);
    for (const flag of pair.flags) lines.push(`flag ${flag.name}: ${flag.reason}`);
    lines.push(`version ${pair.version}, ${pair.origin}, ${pair.system}`);
    return lines.join("\n");
  }

  // Glossary terms the output lacks, and close matches from imported translation memories.
  function handOffNotes(pair) {
    const notes = [];
    const terms = pair.flags.find((f) => f.name === "terminology");
    if (terms) notes.push(el("div", { class: "missing-terms", text: `Terms: ${terms.reason}` }));
    for (const match of pair.memory || []) {
      notes.push(el("div", { class: "memory-match", title: `${match.origin}: ${match.src}`,
        text: `Memory ${Math.round(match.similarity * 100)}%: ${match.tgt}` }));
    }
    return notes;
  }

  function pairRow(pair) {
    const dir = RTL.has(pair.tgt_lang) ? "rtl" : "ltr";
    const flags = el("td", { class: "flags" });
    for (const flag of pair.flags) flags.append(el("span", { title: flag.reason, text: flag.name }));
    const row = el("tr", {
      class: `pair label-${pair.label} status-${pair.status}`,
      id: `pair-${pair.index}`, "data-pair-id": String(pair.id), "data-index": String(pair.index),
      tabindex: "0", title: scoreTitle(pair),
    },
    el("td", { class: "index", text: String(pair.index) }),
    el("td", { class: "src", lang: pair.src_lang, dir: "ltr", text: pair.src }),
    el("td", { class: "tgt", lang: pair.tgt_lang, dir, text: pair.tgt }, ...handOffNotes(pair)),
    el("td", { class: "score", text: pair.combined.toFixed(3) }),
    el("td", { class: "label", text: pair.label }),
    flags,
    el("td", { class: "status", text: pair.status }),
    el("td", { class: "actions" },
      el("button", { type: "button", class: "edit", text: "Edit" }),
      el("button", { type: "button", class: "approve", text: "Approve" }),
      el("button", { type: "button", class: "reject", text: "Reject" })));
    row.querySelector("button.edit").addEventListener("click", () => startEdit(pair.index));
    row.querySelector("button.approve").addEventListener("click", () => decide(pair.index, "approved"));
    row.querySelector("button.reject").addEventListener("click", () => decide(pair.index, "rejected"));
    row.addEventListener("focus", () => setFocus(pair.index, false));
    return row;
  }

  function render() {
    const tbody = document.querySelector("#pairs tbody");
    tbody.replaceChildren();
    const shown = visiblePairs();
    const byDocument = document.getElementById("f-sort").value === "document";
    let paragraph = null;
    for (const pair of shown) {
      if (byDocument && pair.paragraph !== paragraph) {
        paragraph = pair.paragraph;
        tbody.append(el("tr", { class: "paragraph" }, el("td", { colspan: "8", text: `¶ ${paragraph + 1}` })));
      }
      tbody.append(pairRow(pair));
    }
    document.getElementById("count").textContent =
      `${shown.length} of ${state.pairs.length} pairs shown, ${state.pairs.filter(needsCheck).length} to check`;
    if (state.focused !== null) markFocus();
  }

  function fillFlagFilter() {
    const select = document.getElementById("f-flag");
    const chosen = select.value;
    const names = [...new Set(state.pairs.flatMap((p) => p.flags.map((f) => f.name)))].sort();
    select.replaceChildren(el("option", { value: "", text: "any" }), ...names.map((n) => el("option", { value: n, text: n })));
    if (names.includes(chosen)) select.value = chosen;
  }

  function rowOf(index) {
    return document.getElementById(`pair-${index}`);
  }

  function markFocus() {
    for (const row of document.querySelectorAll("tr.focused")) row.classList.remove("focused");
    const row = rowOf(state.focused);
    if (row) row.classList.add("focused");
    return row;
  }

  function setFocus(index, scroll = true) {
    state.focused = index;
    const row = markFocus();
    if (row && scroll) {
      row.focus();
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function moveFocus(step) {
    const shown = visiblePairs();
    if (!shown.length) return;
    const at = shown.findIndex((p) => p.index === state.focused);
    for (let i = at + step; i >= 0 && i < shown.length; i += step) {
      if (needsCheck(shown[i])) return setFocus(shown[i].index);
    }
    say(step > 0 ? "No more pairs to check below." : "No more pairs to check above.");
  }

  function replacePair(updated) {
    state.pairs = state.pairs.map((p) => (p.index === updated.index ? updated : p));
    fillFlagFilter();
    render();
  }

  async function save(index, body) {
    const pair = state.pairs.find((p) => p.index === index);
    try {
      const updated = await api(`/api/pairs/${pair.id}`, { method: "PUT", body: JSON.stringify(body) });
      state.editing = null;
      replacePair(updated);
      setFocus(index);
      say(`Saved sentence ${index}: ${updated.status} (version ${updated.version}).`);
    } catch (error) {
      say(`Not saved: ${error.message}`, true);
    }
  }

  function decide(index, status) {
    const body = { status };
    if (state.editing === index) body.tgt = rowOf(index).querySelector("textarea").value;
    return save(index, body);
  }

  function startEdit(index) {
    if (state.editing !== null && state.editing !== index) render();
    const pair = state.pairs.find((p) => p.index === index);
    const row = rowOf(index);
    if (!row || !pair) return;
    state.editing = index;
    setFocus(index, false);
    const cell = row.querySelector("td.tgt");
    const editor = el("textarea", { lang: pair.tgt_lang, dir: RTL.has(pair.tgt_lang) ? "rtl" : "ltr", "aria-label": "translation" });
    editor.value = pair.tgt;
    editor.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.key === "Enter") {
        event.preventDefault();  // one sentence, one line: Enter saves
        save(index, { tgt: editor.value });
      } else if (event.key === "Escape") {
        state.editing = null;
        render();
        setFocus(index);
      }
    });
    const saveButton = el("button", { type: "button", class: "save", text: "Save" });
    saveButton.addEventListener("click", () => save(index, { tgt: editor.value }));
    cell.replaceChildren(editor, saveButton);
    editor.focus();
  }

  function onKey(event) {
    if (event.target.tagName === "TEXTAREA" || event.target.tagName === "SELECT") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    if (key === "j" || key === "ArrowDown") moveFocus(1);
    else if (key === "k" || key === "ArrowUp") moveFocus(-1);
    else if (state.focused === null) return;
    else if (key === "e" || key === "Enter") startEdit(state.focused);
    else if (key === "a") decide(state.focused, "approved");
    else if (key === "r") decide(state.focused, "rejected");
    else return;
    event.preventDefault();
  }

  async function loadLang(lang) {
    state.lang = lang;
    state.focused = null;
    state.editing = null;
    const id = encodeURIComponent(state.release.id);
    for (const link of document.querySelectorAll("nav#langs a")) link.classList.toggle("current", link.dataset.lang === lang);
    for (const format of ["html", "text", "tmx"]) {
      document.getElementById(`dl-${format}`).href = `/api/releases/${id}/download?lang=${encodeURIComponent(lang)}&format=${format}`;
    }
    document.getElementById("tgt-head").textContent = `Translation (${lang})`;
    try {
      state.pairs = await apiAll(`/api/releases/${id}/pairs?lang=${encodeURIComponent(lang)}`);
    } catch (error) {
      say(error.message, true);
      return;
    }
    fillFlagFilter();
    render();
    document.body.dataset.loaded = lang;
  }

  async function showRelease() {
    const id = decodeURIComponent(location.pathname.split("/").pop());
    try {
      state.release = await api(`/api/releases/${encodeURIComponent(id)}`);
    } catch (error) {
      say(error.message, true);
      return;
    }
    const release = state.release;
    document.title = `${release.title.replace(BIDI_CONTROLS, codePoint)} · translate-pipe review`;
    document.getElementById("title").replaceChildren(...visibleText(release.title));
    const dateNode = document.getElementById("date");
    dateNode.textContent = readableDate(release.date);
    if (release.date) dateNode.setAttribute("datetime", release.date);
    document.getElementById("release-id").textContent = release.name || release.id;
    const nav = document.getElementById("langs");
    for (const lang of release.langs) {
      const link = el("a", { href: `?lang=${encodeURIComponent(lang)}`, "data-lang": lang, text: `en → ${lang}` });
      link.addEventListener("click", (event) => {
        event.preventDefault();
        history.replaceState(null, "", `?lang=${encodeURIComponent(lang)}`);
        loadLang(lang);
      });
      nav.append(link);
    }
    for (const id of ["f-label", "f-flag", "f-status", "f-sort"]) document.getElementById(id).addEventListener("change", render);
    document.addEventListener("keydown", onKey);
    if (!release.langs.length) {
      say("This release has no translations yet.");
      return;
    }
    const wanted = new URLSearchParams(location.search).get("lang");
    await loadLang(release.langs.includes(wanted) ? wanted : release.langs[0]);
  }

  return { listReleases, showRelease };
})();
