// Ferry's status page: polls the JSON API once a second and the health once every five seconds, and keeps one
// element per transfer (keyed by id), so bars move in place and a row moves between sections when its state changes.
"use strict";

const POLL_MS = 1000;
const HEALTH_MS = 5000;
const sections = { trees: "#trees", active: "#active", queued: "#queued", recent: "#recent" };
const rows = new Map();
// Tree id -> its remote folder, from the "trees" list (placed first), so a file's row can name its folder.
const treeFolders = new Map();

function $(selector, root = document) { return root.querySelector(selector); }

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function bytes(n) {
  if (n < 0) return "?";
  if (n < 1024) return n + " B";
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n, u = -1;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return v.toFixed(1) + " " + units[u];
}

function duration(s) {
  if (s < 0) return "--:--";
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
  const mm = String(m).padStart(2, "0"), ss = String(sec).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function time(iso) { return iso ? new Date(iso).toLocaleTimeString() : ""; }

// --- the API, with the token when the server asks for one -----------------------------------------------------

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers);
  const token = sessionStorage.getItem("ferry.token");
  if (token) headers["Authorization"] = "Bearer " + token;
  const response = await fetch(path, Object.assign({}, options, { headers, cache: "no-store" }));
  if (response.status === 401) {
    $("#token-form").hidden = false;
    throw new Error("the server needs its access token");
  }
  return response;
}

$("#token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem("ferry.token", $("#token").value.trim());
  $("#token-form").hidden = true;
  refresh();
  refreshHealth();
});

function problem(message) {
  const p = $("#problem");
  p.hidden = !message;
  p.textContent = message || "";
}

// --- transfers ------------------------------------------------------------------------------------------------

function row(t) {
  let r = rows.get(t.id);
  if (!r) {
    r = el("div", "transfer");
    r.dataset.id = t.id;
    const top = el("div", "top");
    top.append(el("span", "dir"), el("span", "name"), el("span", "route"), el("span", "state"), el("span", "node"),
               el("span", "actions"));
    const bar = el("div", "bar");
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.append(el("div", "fill"));
    r.append(top, bar, el("div", "segments"), el("div", "meta"), el("div", "error"));
    rows.set(t.id, r);
  }
  return r;
}

function render(r, t) {
  r.dataset.state = t.state;
  const download = t.direction === "DOWNLOAD";
  $(".dir", r).textContent = download ? "↓" : "↑";
  $(".dir", r).title = download ? "download" : "upload";
  $(".name", r).textContent = t.name || t.remotePath;
  $(".route", r).textContent = download ? `${t.server}:${t.remotePath} → ${t.localPath}`
                                        : `${t.localPath} → ${t.server}:${t.remotePath}`;
  $(".state", r).textContent = t.state;
  // In a cluster: the node that owns the transfer (another node's transfer is cancelled there).
  $(".node", r).textContent = t.node ? `node ${t.node}` : "";

  const percent = Math.floor(t.progress * 1000) / 10;
  const bar = $(".bar", r);
  bar.setAttribute("aria-valuenow", String(percent));
  $(".fill", bar).style.width = percent + "%";

  const segs = $(".segments", r);
  while (segs.children.length > t.segments.length) segs.lastChild.remove();
  while (segs.children.length < t.segments.length) {
    const s = el("div", "seg");
    s.append(el("div", "fill"));
    segs.append(s);
  }
  t.segments.forEach((s, i) => {
    const e = segs.children[i];
    e.style.flexGrow = String(Math.max(1, s.end - s.start));
    e.classList.toggle("done", s.done);
    e.title = `segment ${s.index}: ${bytes(s.offset - s.start)} of ${bytes(s.end - s.start)}`;
    $(".fill", e).style.width = (s.progress * 100).toFixed(1) + "%";
  });

  const meta = [];
  meta.push(t.size >= 0 ? `${percent.toFixed(1)}% · ${bytes(t.bytesDone)} of ${bytes(t.size)}` : "not planned yet");
  if (t.state === "active" && t.here !== false) {
    meta.push(`${bytes(t.rate)}/s`, `ETA ${duration(t.etaSeconds)}`);
  }
  meta.push(`${t.retries} ${t.retries === 1 ? "retry" : "retries"}`);
  if (t.updated) meta.push(`updated ${time(t.updated)}`);
  if (t.tree) meta.push(`in folder ${treeFolders.get(t.tree) || t.tree}`);
  $(".meta", r).textContent = meta.join(" · ");

  const error = $(".error", r);
  // A transfer waiting for its server says so, and until when, rather than its last error.
  error.textContent = t.waiting ? `Waiting: ${t.waiting}`
    : t.lastError ? `Last error${t.lastErrorAt ? " (" + time(t.lastErrorAt) + ")" : ""}: ${t.lastError}` : "";
  error.hidden = !t.waiting && !t.lastError;

  const actions = $(".actions", r);
  // Resume only where it can work (the API says so); giving up is offered with it. Another node's running
  // transfer is cancelled on that node.
  const wanted = t.state === "active" ? (t.here !== false ? ["cancel"] : []) : t.state === "waiting" ? ["cancel"]
    : t.resumable ? ["resume", "discard"] : [];
  renderActions(actions, t.id, wanted);
}

function renderActions(actions, id, wanted) {
  const labels = { cancel: "Cancel", resume: "Resume", discard: "Give up" };
  if (actions.dataset.actions !== wanted.join(" ")) {
    actions.dataset.actions = wanted.join(" ");
    actions.replaceChildren();
    for (const action of wanted) {
      const b = el("button", action, labels[action]);
      b.dataset.action = action;
      b.addEventListener("click", () => act(id, action, b));
      actions.append(b);
    }
  }
}

// A folder (tree): the parent of its files' transfers, with its counts; its files are rows of their own above.
function renderTree(r, t) {
  treeFolders.set(t.id, t.remotePath);
  r.dataset.state = t.status.toLowerCase();
  r.classList.add("tree");
  const download = t.direction === "DOWNLOAD";
  $(".dir", r).textContent = download ? "↓" : "↑";
  $(".dir", r).title = download ? "folder download" : "folder upload";
  $(".name", r).textContent = "folder " + t.remotePath;
  $(".route", r).textContent = download ? `${t.server}:${t.remotePath} → ${t.localPath}`
                                        : `${t.localPath} → ${t.server}:${t.remotePath}`;
  $(".state", r).textContent = t.status.toLowerCase();
  $(".node", r).textContent = "";
  const percent = t.files > 0 ? Math.floor(t.filesDone * 1000 / t.files) / 10 : 0;
  const bar = $(".bar", r);
  bar.setAttribute("aria-valuenow", String(percent));
  $(".fill", bar).style.width = percent + "%";
  $(".segments", r).replaceChildren();
  const meta = [`${t.filesDone} of ${t.files} files`, `${t.transferred} transferred`, `${t.skipped} already there`,
                `${t.failed} failed`, `${t.refused} refused`, bytes(t.bytesMoved)];
  if (t.here && t.status === "RUNNING") meta.push(`ETA ${duration(t.etaSeconds)}`);
  if (t.resumedListing) meta.push("listing resumed from the ledger");
  if (t.updated) meta.push(`updated ${time(t.updated)}`);
  $(".meta", r).textContent = meta.join(" · ");
  // A failed tree says why (login refused, no local folder, its order's retries spent); a cancelled one, how to resume.
  const error = $(".error", r);
  error.textContent = t.reason ? `${t.status === "CANCELLED" ? "Cancelled" : "Failed"}: ${t.reason}` : "";
  error.hidden = !t.reason;
  // A folder running here is cancelled here; it resumes when its request is sent again.
  const running = t.here && (t.status === "RUNNING" || t.status === "LISTING");
  renderActions($(".actions", r), t.id, running ? ["cancel"] : []);
}

async function act(id, action, button) {
  if (action === "discard" && !confirm("Give up this transfer? Its partial copy is removed and a dropped file moves to .failed/.")) return;
  button.disabled = true;
  try {
    const response = await api(`/api/transfers/${encodeURIComponent(id)}/${action}`, { method: "POST" });
    if (!response.ok) problem((await response.json()).error);
    else problem(null);
  } catch (e) {
    problem(e.message);
  } finally {
    button.disabled = false;
    refresh();
  }
}

function place(list, items, more) {
  const container = $(sections[list] + " .list");
  items.forEach((t, i) => {
    const r = row(t);
    (list === "trees" ? renderTree : render)(r, t);
    if (container.children[i] !== r) container.insertBefore(r, container.children[i] || null);
  });
  $(sections[list] + " .count").textContent = items.length ? `(${items.length}${more ? ` + ${more} more` : ""})` : "";
  return new Set(items.map((t) => t.id));
}

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const response = await api("/api/transfers");
    if (!response.ok) throw new Error((await response.json()).error || response.statusText);
    const data = await response.json();
    const seen = new Set();
    for (const list of Object.keys(sections)) {
      place(list, data[list] || [], list === "queued" ? data.queuedMore : 0).forEach((id) => seen.add(id));
    }
    for (const [id, r] of rows) {
      if (!seen.has(id)) { r.remove(); rows.delete(id); }
    }
    for (const list of Object.keys(sections)) {
      const container = $(sections[list] + " .list");
      const wanted = new Set((data[list] || []).map((t) => t.id));
      [...container.children].forEach((c) => { if (!wanted.has(c.dataset.id)) c.remove(); });
    }
    $("#updated").textContent = "updated " + time(data.time);
    if ($("#problem").textContent.startsWith("Cannot reach")) problem(null);
  } catch (e) {
    problem("Cannot reach Ferry: " + e.message);
  } finally {
    refreshing = false;
  }
}

// --- health ---------------------------------------------------------------------------------------------------

async function refreshHealth() {
  try {
    const response = await api("/observe/health");
    const data = await response.json();
    const list = $("#health");
    list.replaceChildren();
    // The ledger and the servers once checked, and any other check of Camel's registry that is DOWN.
    const shown = (data.checks || []).filter((c) => c.status !== "UNKNOWN"
      && (c.kind !== "LIVENESS" || c.status !== "UP"));
    for (const c of shown) {
      const li = el("li", c.status === "UP" ? "up" : "down", c.name.replace(/^server:/, ""));
      li.title = c.checkedAt ? `${c.detail} (checked ${time(c.checkedAt)})` : `${c.detail || c.status}`;
      list.append(li);
    }
    if (!shown.length) list.append(el("li", "", "checking…"));
  } catch (e) {
    // refresh() reports the connection.
  }
}

for (const selector of Object.values(sections)) {
  $(selector + " .list").dataset.empty = $(selector).dataset.empty;
}
refresh();
refreshHealth();
setInterval(refresh, POLL_MS);
setInterval(refreshHealth, HEALTH_MS);
