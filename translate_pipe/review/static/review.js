// translate-pipe review pages. Every piece of text from the database goes into the page
// through textContent or an attribute, never innerHTML, so a release that contains markup
// shows that markup as text.
"use strict";

const TranslatePipeReview = (() => {
  const RTL = new Set(["ar", "he", "fa", "ur"]);

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
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

  // --- the list of releases -------------------------------------------------------

  async function listReleases() {
    const tbody = document.querySelector("#releases tbody");
    let releases;
    try {
      releases = await api("/api/releases");
    } catch (error) {
      say(error.message, true);
      return;
    }
    if (!releases.length) say("No releases in this database yet: run translate-pipe run first.");
    for (const release of releases) {
      const totals = { good: 0, check: 0, bad: 0 };
      for (const counts of Object.values(release.labels)) {
        for (const label of Object.keys(totals)) totals[label] += counts[label] || 0;
      }
      const link = el("a", { href: `/releases/${encodeURIComponent(release.id)}`, text: release.title || release.id });
      tbody.append(
        el("tr", { "data-release": release.id },
          el("td", { text: release.date || "" }),
          el("td", {}, link),
          el("td", { text: release.langs.join(", ") || "none yet" }),
          el("td", { class: "good", text: String(totals.good) }),
          el("td", { class: "check", text: String(totals.check) }),
          el("td", { class: "bad", text: String(totals.bad) })));
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
      state.pairs = await api(`/api/releases/${id}/pairs?lang=${encodeURIComponent(lang)}`);
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
    document.title = `${release.title} · translate-pipe review`;
    document.getElementById("title").textContent = release.title;
    document.getElementById("date").textContent = release.date || "";
    document.getElementById("release-id").textContent = release.id;
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
