// The gallery: runs, a run's epochs and curves, the models and what is served, and faces on demand.
// Plain script, no build step; the charts are uPlot (a WebJar). Every view refreshes itself while shown.
"use strict";

const REFRESH_MS = 3000;
const $ = (id) => document.getElementById(id);
let refreshTimer = null;
const charts = {};

async function api(path, options) {
  const response = await fetch(path, options);
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = text; }
  if (!response.ok) {
    const detail = body && body.detail ? body.detail : response.status + " " + response.statusText;
    throw new Error(detail);
  }
  return body;
}

function text(value) {
  return value === null || value === undefined ? "" : String(value);
}

function time(seconds) {
  return seconds ? new Date(seconds * 1000).toLocaleString() : "";
}

function cell(row, content) {
  const td = document.createElement("td");
  if (content instanceof Node) td.appendChild(content); else td.textContent = text(content);
  row.appendChild(td);
  return td;
}

// --- header: what is served --------------------------------------------------------------------------

async function showServing() {
  try {
    const m = await api("/api/models");
    $("serving").textContent = m.current
      ? "Serving " + m.current + " (policy " + m.policy + (m.pinned ? ", pinned" : "") + ")"
      : "No model served yet: the trainer publishes a checkpoint after every epoch.";
  } catch (e) {
    $("serving").textContent = "The generator does not answer: " + e.message;
  }
}

// --- runs -------------------------------------------------------------------------------------------

async function showRuns() {
  const runs = await api("/api/runs");
  const body = $("runs-table").querySelector("tbody");
  body.replaceChildren();
  for (const r of runs) {
    const tr = document.createElement("tr");
    tr.dataset.runId = r.runId;
    const link = document.createElement("a");
    link.href = "#run/" + encodeURIComponent(r.runId);
    link.textContent = r.runId;
    cell(tr, link);
    cell(tr, r.datasetId);
    const status = cell(tr, r.status + (r.diverging ? " (diverging)" : ""));
    status.className = r.status === "failed" || r.diverging ? "bad" : r.status === "completed" ? "good" : "";
    if (r.reason) status.title = r.reason;
    cell(tr, r.epochsDone + "/" + r.epochs);
    cell(tr, r.imagesPerSecond);
    cell(tr, time(r.startedAt));
    cell(tr, time(r.finishedAt));
    cell(tr, r.device);
    cell(tr, Object.entries(r.hyperParameters || {}).map(([k, v]) => k + "=" + v).join(" "));
    body.appendChild(tr);
  }
  $("runs-empty").hidden = runs.length > 0;
}

// --- one run: epochs and curves ----------------------------------------------------------------------

function samplesUrl(runId, epoch) {
  return "/api/runs/" + encodeURIComponent(runId) + "/epochs/" + epoch + "/samples.png";
}

let emaEpochs = [];

function chooseEpoch(runId, epoch) {
  $("epoch-slider").value = epoch;
  $("epoch-label").textContent = "epoch " + epoch;
  $("epoch-image").src = samplesUrl(runId, epoch);
  const ema = emaEpochs.includes(epoch);
  $("epoch-ema-figure").hidden = !ema;
  if (ema) $("epoch-image-ema").src = samplesUrl(runId, epoch).replace("samples.png", "samples-ema.png");
  for (const img of $("epoch-strip").querySelectorAll("img")) {
    img.classList.toggle("chosen", Number(img.dataset.epoch) === epoch);
  }
}

function drawChart(id, title, series, data, points) {
  const el = $(id);
  const key = JSON.stringify(data);
  if (charts[id] && charts[id].key === key) return;
  if (charts[id]) charts[id].plot.destroy();
  const colors = ["#c33", "#36c", "#393", "#c90"];
  const opts = {
    width: 420, height: 240, title: title,
    scales: { x: { time: false } },
    series: [{ label: series[0] }].concat(series.slice(1).map((label, i) => ({
      label: label, stroke: colors[i % colors.length], width: 2, points: { show: true, size: 5 },
      dash: label.indexOf("floor") >= 0 ? [6, 4] : undefined,
    }))),
  };
  charts[id] = { key: key, plot: new uPlot(opts, data, el) };
  el.dataset.points = String(points);
}

async function showRun(runId) {
  const [run, metrics] = await Promise.all([
    api("/api/runs/" + encodeURIComponent(runId)),
    api("/api/runs/" + encodeURIComponent(runId) + "/metrics"),
  ]);
  $("run-title").textContent = run.runId;
  $("run-status").textContent = run.status + ", epoch " + run.epochsDone + "/" + run.epochs + " on " + run.datasetId
    + (run.imagesPerSecond ? ", " + run.imagesPerSecond + " images/s" : "")
    + (run.diverging ? ", diverging" : "") + (run.reason ? " (" + run.reason + ")" : "");

  const epochs = run.epochList.filter((e) => e.samples).map((e) => e.epoch);
  emaEpochs = run.epochList.filter((e) => e.samplesEma).map((e) => e.epoch);
  const strip = $("epoch-strip");
  const shown = Array.from(strip.querySelectorAll("img")).map((img) => Number(img.dataset.epoch));
  if (JSON.stringify(shown) !== JSON.stringify(epochs)) {
    const previous = Number($("epoch-slider").value);
    strip.replaceChildren();
    for (const epoch of epochs) {
      const img = document.createElement("img");
      img.className = "epoch-sample";
      img.dataset.epoch = epoch;
      img.alt = "epoch " + epoch;
      img.title = "epoch " + epoch;
      img.src = samplesUrl(runId, epoch);
      img.addEventListener("click", () => chooseEpoch(runId, epoch));
      strip.appendChild(img);
    }
    const slider = $("epoch-slider");
    slider.min = epochs.length ? epochs[0] : 1;
    slider.max = epochs.length ? epochs[epochs.length - 1] : 1;
    slider.oninput = () => chooseEpoch(runId, Number(slider.value));
    if (epochs.length) {
      chooseEpoch(runId, epochs.includes(previous) && shown.length ? previous : epochs[epochs.length - 1]);
    }
  }

  const steps = metrics.map((m) => m.step);
  drawChart("chart-losses", "losses per logged step", ["step", "Loss_D", "Loss_G"],
    [steps, metrics.map((m) => m.lossD), metrics.map((m) => m.lossG)], metrics.length);
  drawChart("chart-d", "discriminator outputs", ["step", "D(x)", "D(G(z)) before", "D(G(z)) after"],
    [steps, metrics.map((m) => m.dx), metrics.map((m) => m.dgz1), metrics.map((m) => m.dgz2)], metrics.length);
  const epochLines = metrics.filter((m) => m.type === "epoch");
  const floor = run.swdFloor === null || run.swdFloor === undefined ? null : run.swdFloor;
  drawChart("chart-swd", "SWD ×1e3", ["epoch", "G", "G_ema", "real-vs-real floor"],
    [epochLines.map((m) => m.epoch), epochLines.map((m) => (m.swd === undefined ? null : m.swd)),
      epochLines.map((m) => (m.swdEma === undefined ? null : m.swdEma)), epochLines.map(() => floor)],
    epochLines.length);
}

// --- models ------------------------------------------------------------------------------------------

function token() {
  const t = $("token").value.trim();
  if (t) sessionStorage.setItem("faces-admin-token", t);
  return t || sessionStorage.getItem("faces-admin-token") || "";
}

async function write(method, path, body) {
  const t = token();
  if (!t) {
    $("models-message").textContent = "Enter the admin token first.";
    return null;
  }
  try {
    const result = await api(path, {
      method: method,
      headers: { "Authorization": "Bearer " + t, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    $("models-message").textContent = "Now serving " + result.version + (result.pinned ? " (pinned)" : "");
    await Promise.all([showModels(), showServing()]);
    return result;
  } catch (e) {
    $("models-message").textContent = e.message;
    return null;
  }
}

let modelsCache = null;

async function showModels() {
  const m = await api("/api/models");
  modelsCache = m;
  $("models-summary").textContent = (m.current ? "Serving " + m.current : "Nothing served yet")
    + ", policy " + m.policy + (m.pinned ? ", pinned to " + m.pinned : "");
  if (document.activeElement !== $("policy")) $("policy").value = m.policy;
  const body = $("models-table").querySelector("tbody");
  body.replaceChildren();
  for (const model of m.models) {
    const tr = document.createElement("tr");
    tr.dataset.version = model.version;
    if (model.version === m.current) tr.className = "served";
    cell(tr, model.version + (model.version === m.current ? "  (served)" : ""));
    const status = cell(tr, model.status);
    status.className = model.status === "rejected" ? "bad" : model.status === "loaded" ? "good" : "";
    cell(tr, model.swd === null || model.swd === undefined ? "" : model.swd.toFixed(2));
    cell(tr, model.reason);
    const pin = document.createElement("button");
    pin.textContent = "Pin";
    pin.className = "pin";
    pin.disabled = model.status === "rejected";
    pin.addEventListener("click", () => write("PUT", "/api/models/current", { runId: model.runId, epoch: model.epoch }));
    cell(tr, pin);
    body.appendChild(tr);
  }
}

function rollbackTarget() {
  if (!modelsCache || !modelsCache.current) return null;
  const servable = modelsCache.models.filter((m) => m.status !== "rejected" && m.status !== "incomplete"
    && m.status !== "unavailable");
  const i = servable.findIndex((m) => m.version === modelsCache.current);
  const older = servable.filter((m, j) => j !== i && m.version < modelsCache.current);
  return older.length ? older[older.length - 1] : null;
}

// --- generate ----------------------------------------------------------------------------------------

function drawGrid() {
  const url = "/api/faces?seed=" + Number($("grid-seed").value) + "&count=" + Number($("grid-count").value)
    + "&cols=8";
  $("grid").src = url;
  $("grid-download").href = url;
}

function gaussian() {
  let u = 0;
  while (u === 0) u = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

async function drawLatent() {
  let latent;
  try {
    latent = JSON.parse("[" + $("latent").value + "]");
  } catch (e) {
    $("latent-face").alt = "not a list of numbers";
    return;
  }
  const response = await fetch("/api/faces", {
    method: "POST", headers: { "Content-Type": "application/json", "Accept": "image/png" },
    body: JSON.stringify({ latents: [latent] }),
  });
  if (!response.ok) {
    $("latent-face").alt = (await response.json()).detail;
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  $("latent-face").src = url;
  $("latent-download").href = url;
}

// --- routing and refresh -----------------------------------------------------------------------------

const views = ["runs", "run", "models", "generate"];

async function route() {
  clearTimeout(refreshTimer);
  const hash = decodeURIComponent(location.hash.replace(/^#/, "")) || "runs";
  const [view, arg] = hash.startsWith("run/") ? ["run", hash.substring(4)] : [hash, null];
  const name = views.includes(view) ? view : "runs";
  for (const v of views) $("view-" + v).hidden = v !== name;
  const refresh = async () => {
    try {
      await showServing();
      if (name === "runs") await showRuns();
      if (name === "run") await showRun(arg);
      if (name === "models") await showModels();
    } catch (e) {
      $("serving").textContent = e.message;
    }
    if (name !== "generate") refreshTimer = setTimeout(refresh, REFRESH_MS);
  };
  if (name === "generate" && !$("grid").src) drawGrid();
  await refresh();
}

function init() {
  $("grid-form").addEventListener("submit", (e) => { e.preventDefault(); drawGrid(); });
  $("new-faces").addEventListener("click", () => {
    $("grid-seed").value = Math.floor(Math.random() * 1e9);
    drawGrid();
  });
  $("interp-form").addEventListener("submit", (e) => {
    e.preventDefault();
    $("interp").src = "/api/interpolate?from=" + Number($("interp-from").value) + "&to="
      + Number($("interp-to").value) + "&steps=" + Number($("interp-steps").value);
  });
  $("latent-random").addEventListener("click", () => {
    $("latent").value = Array.from({ length: 100 }, () => gaussian().toFixed(4)).join(", ");
  });
  $("latent-form").addEventListener("submit", (e) => { e.preventDefault(); drawLatent(); });
  $("latent").value = Array.from({ length: 100 }, () => gaussian().toFixed(4)).join(", ");
  $("policy-apply").addEventListener("click", () => write("PUT", "/api/models/policy", { policy: $("policy").value }));
  $("unpin").addEventListener("click", () => write("DELETE", "/api/models/current/pin"));
  $("rollback").addEventListener("click", () => {
    const target = rollbackTarget();
    if (!target) {
      $("models-message").textContent = "No older servable checkpoint to roll back to.";
      return;
    }
    write("PUT", "/api/models/current", { runId: target.runId, epoch: target.epoch });
  });
  $("token").value = sessionStorage.getItem("faces-admin-token") || "";
  window.addEventListener("hashchange", route);
  route();
}

init();
