// cuecraft review page: talks to the JSON API; every write is checked by the server.
"use strict";
const state = { project: null, version: 0, role: "viewer", selected: null, fps: 24, styles: [], treatments: [], playing: null, ab: { A: null, B: null, now: "A" } };
const $ = (id) => document.getElementById(id);
const seconds = (frames) => frames / state.fps;
function timecode(frames) {  // SMPTE HH:MM:SS:FF at the nominal rate; drop-frame HH:MM:SS;FF at 29.97 and 59.94 (as film.project does)
  const nominal = Math.round(state.fps), drop = Math.abs(state.fps * 1.001 - nominal) < 1e-3 && (nominal === 30 || nominal === 60);
  if (drop) {
    const dropped = nominal / 15, perMinute = 60 * nominal - dropped, perTen = 600 * nominal - 9 * dropped;
    const tens = Math.floor(frames / perTen), rest = frames % perTen;
    frames += 9 * dropped * tens + (rest >= dropped ? dropped * Math.floor((rest - dropped) / perMinute) : 0);
  }
  const pad = (n) => String(n).padStart(2, "0"), total = Math.floor(frames / nominal);
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}${drop ? ";" : ":"}${pad(frames % nominal)}`;
}

async function api(method, url, body) {
  const response = await fetch(url, { method, headers: { "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) { const detail = typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail); throw new Error(detail || response.statusText); }
  return data;
}
function say(text) { $("message").textContent = text; }
function can(action) {
  const rules = { approve: ["composer", "director", "editor"], note: ["composer", "director", "editor"], lock: ["composer"], regenerate: ["composer"], export: ["composer", "director", "editor"] };
  return rules[action].includes(state.role);
}
function cueStatus(cue) {
  if (!cue.music) return "nomusic";
  const approved = cue.takes.some((t) => t.status === "approved");
  if (approved) return "approved";
  return cue.takes.length && cue.takes.every((t) => t.status === "rejected") ? "rejected" : "pending";
}

async function load() {
  const [data, history] = await Promise.all([api("GET", "/api/project"), api("GET", "/api/history")]);
  state.project = data.project; state.version = data.version; state.role = data.role; state.fps = data.fps;
  state.styles = data.styles; state.treatments = data.treatments;
  $("projectName").textContent = state.project.name; $("who").textContent = `${data.user} (${data.role})`;
  $("exportButton").hidden = !can("export");
  if (!$("film").src) $("film").src = "/media/film";
  drawTimeline(); if (state.selected) drawCue(state.selected); drawHistory(history); state.history = history; await drawExports();
}
function drawRuler() {  // a timecode every tenth of the film (rounded to whole seconds), under the cues
  const ruler = $("ruler"), total = state.project.film.n_frames, fps = state.fps;
  const step = Math.max(1, Math.round(total / fps / 10)) * fps;
  ruler.replaceChildren(...Array.from({ length: Math.floor(total / step) + 1 }, (_, i) => {
    const tick = document.createElement("span");
    tick.className = "tick"; tick.style.left = `${(100 * i * step) / total}%`; tick.textContent = timecode(i * step);
    return tick;
  }));
}
function drawTimeline() {
  const line = $("timeline"); line.querySelectorAll(".cue").forEach((e) => e.remove());
  const total = state.project.film.n_frames;
  drawRuler();
  for (const cue of state.project.cues) {
    const block = document.createElement("div");
    block.className = `cue ${cueStatus(cue)}${cue.locked ? " locked" : ""}${cue.id === state.selected ? " selected" : ""}`;
    block.dataset.cue = cue.id; block.dataset.status = cueStatus(cue);
    block.style.left = `${(100 * cue.start_frame) / total}%`; block.style.width = `${(100 * (cue.end_frame - cue.start_frame)) / total}%`;
    block.textContent = cue.id + (cue.locked ? " 🔒" : ""); block.title = `${cue.id} ${timecode(cue.start_frame)} - ${timecode(cue.end_frame)}`;
    block.onclick = () => { state.selected = cue.id; $("film").currentTime = seconds(cue.start_frame); drawTimeline(); drawCue(cue.id); };
    line.appendChild(block);
  }
}
function cueById(id) { return state.project.cues.find((c) => c.id === id); }
function drawCue(id) {  // every value goes through html``, which escapes it: no markup is ever made from data
  const cue = cueById(id), panel = $("cuePanel"), s = cue.settings, editable = can("regenerate") && !cue.locked;
  const approved = (cue.takes.find((x) => x.status === "approved") || {}).id;
  const rows = cue.takes.map((t) => html`<tr data-take="${t.id}"><td>${t.id}${t.id === approved ? " ★" : ""}</td>
    <td class="status-${t.status}">${t.status}</td><td>${t.settings.style}, ${t.settings.key}, ${t.settings.tempo} bpm, ${t.settings.theme} ${t.settings.theme_treatment}, seed ${t.settings.seed}${t.settings.level_db ? `, ${t.settings.level_db > 0 ? "+" : ""}${t.settings.level_db} dB` : ""}<br><small class="provenance">${t.source} · ${t.model} · ${new Date(t.created_at).toLocaleString()}</small><br><small>${t.notes || ""}</small>
      <div class="originality${t.originality && t.originality.flagged ? " flagged" : ""}">${t.originality ? t.originality.summary : "originality not checked"}</div></td>
    <td><audio preload="none" src="/media/takes/${cue.id}/${t.id}.wav"></audio>
      <button class="play">Play with picture</button>
      <button class="approve" ${disabledUnless(can("approve") && !cue.locked)}>Approve</button>
      <button class="reject" ${disabledUnless(can("approve") && !cue.locked)}>Reject</button>
      <button class="slotA">A</button><button class="slotB">B</button>
      <button class="rollToggle">Piano roll</button>
      <button class="bars" ${disabledUnless(editable)}>New bars…</button>
      <button class="level" ${disabledUnless(editable)}>Level…</button>
      <canvas class="wave" width="600" height="40" title="click to play from there against picture"></canvas><div class="roll"></div></td></tr>`);
  panel.innerHTML = html`<h2>${cue.id} <small>${cue.title || ""}</small></h2>
    <p class="times">in <span class="tc">${timecode(cue.start_frame)}</span> · out <span class="tc">${timecode(cue.end_frame)}</span> ·
      duration <span class="tc">${timecode(cue.end_frame - cue.start_frame)}</span> · ends: ${s.ending || "ring-out"}
      ${cue.hit_points.length ? html`· hits ${cue.hit_points.map((h, i) => html`${i ? ", " : ""}<span class="tc">${timecode(h)}</span>`)}` : ""}</p>
    <p class="why">${cue.spotting_note || ""}</p>
    <p>mood: valence ${cue.mood.valence.toFixed(2)}, arousal ${cue.mood.arousal.toFixed(2)}, intensity ${cue.mood.intensity.toFixed(2)} ·
      ${s.style}, ${s.key}, ${s.tempo} bpm, seed ${s.seed} · ${cue.locked ? html`<b>locked</b>` : "unlocked"}
      <button id="lockButton" ${disabledUnless(can("lock"))}>${cue.locked ? "Unlock" : "Lock"}</button></p>
    <table><tr><th>take</th><th>status</th><th>settings</th><th></th></tr>${rows}</table>
    <h3>Regenerate with changed settings</h3>
    <form id="regenForm">tempo <input name="tempo" size="4" value="${s.tempo}"> key <input name="key" size="8" value="${s.key}">
      style <select name="style">${state.styles.map((x) => html`<option ${x === s.style ? html`selected` : ""}>${x}</option>`)}</select>
      theme <select name="theme">${state.project.themes.map((t) => html`<option value="${t.id}" ${t.id === s.theme ? html`selected` : ""}>${t.id} ${t.name}</option>`)}</select>
      as <select name="treatment">${state.treatments.map((x) => html`<option ${x === s.theme_treatment ? html`selected` : ""}>${x}</option>`)}</select>
      intensity <input name="intensity" size="4" value="${cue.mood.intensity.toFixed(2)}"> seed <input name="seed" size="4" value="${s.seed + 1}">
      <button id="regenButton" ${disabledUnless(editable)}>Regenerate</button></form>
    <h3>Notes</h3><pre>${cue.notes || ""}</pre>
    <textarea id="noteText" rows="2" cols="50"></textarea><button id="noteButton" ${disabledUnless(can("note"))}>Add note</button>`;
  panel.querySelectorAll("tr[data-take]").forEach((row) => {
    const take = row.dataset.take, audio = row.querySelector("audio");
    row.querySelector(".play").onclick = () => playAgainstPicture(cue, audio);
    drawWave(row.querySelector("canvas.wave"), cue, take, audio);
    row.querySelector(".approve").onclick = () => decide(cue.id, take, "approved");
    row.querySelector(".reject").onclick = () => decide(cue.id, take, "rejected");
    row.querySelector(".slotA").onclick = () => setSlot("A", cue, take, audio);
    row.querySelector(".slotB").onclick = () => setSlot("B", cue, take, audio);
    row.querySelector(".bars").onclick = async () => {
      const range = await ask(`Bars of ${take} to compose afresh (e.g. 3-4):`, "3-4");
      const match = range && range.match(/^\s*(\d+)\s*-\s*(\d+)\s*$/);
      if (match) runJob(`/api/cues/${cue.id}/takes/${take}/regenerate-bars`, { first: Number(match[1]), last: Number(match[2]), seed: Date.now() % 100000 });
    };
    row.querySelector(".level").onclick = async () => {
      const current = cue.takes.find((t) => t.id === take).settings.level_db ?? 0;
      const db = await ask(`Level of ${take} in dB against its planned loudness (−24 to 24), same notes:`, String(current));
      if (db !== null && db.trim() !== "" && !Number.isNaN(Number(db))) runJob(`/api/cues/${cue.id}/takes/${take}/level`, { db: Number(db) });
    };
    row.querySelector(".rollToggle").onclick = () => {
      const roll = document.createElement("img");
      Object.assign(roll, { className: "roll", alt: `piano roll of ${take}`, src: `/media/takes/${cue.id}/${take}.png`, title: "click to enlarge" });
      roll.onclick = () => { $("rollLarge").src = roll.src; $("rollLarge").alt = roll.alt; $("rollDialog").showModal(); };
      row.querySelector(".roll").replaceChildren(roll);
    };
  });
  $("lockButton").onclick = () => act(() => api("POST", `/api/cues/${cue.id}/lock`, { locked: !cue.locked }), cue.locked ? "unlocked" : "locked");
  $("noteButton").onclick = () => act(() => api("POST", `/api/cues/${cue.id}/notes`, { text: $("noteText").value }), "note added");
  $("regenForm").onsubmit = (event) => { event.preventDefault(); regenerate(cue.id, new FormData(event.target)); };
}
class Markup { constructor(text) { this.text = text; } toString() { return this.text; } }
function escapeHtml(text) { return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]); }
function html(strings, ...values) {  // a template whose values are escaped unless they are html`` themselves (or lists of them)
  const part = (value) => (value instanceof Markup ? value.text : Array.isArray(value) ? value.map(part).join("") : escapeHtml(value ?? ""));
  return new Markup(strings.reduce((out, text, i) => out + text + (i < values.length ? part(values[i]) : ""), ""));
}
function disabledUnless(allowed) { return allowed ? "" : html`disabled`; }

async function act(call, done) { try { await call(); say(done); await load(); } catch (error) { say(error.message); } }
function decide(cue, take, status) { return act(() => api("POST", `/api/cues/${cue}/takes/${take}/status`, { status, version: state.version }), `${take} ${status}`); }

function stopPlaying() { if (state.playing) { state.playing.pause(); state.playing = null; } $("film").pause(); delete document.body.dataset.playing; }
$("stopButton").onclick = stopPlaying;
document.addEventListener("keydown", (event) => {  // space: stop (or play A again); a / b: play that slot against picture
  if (["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName) || $("app").hidden) return;
  if (event.key === " ") { event.preventDefault(); state.playing ? stopPlaying() : $("abPlay").click(); }
  else if ((event.key === "a" || event.key === "b") && state.ab[event.key.toUpperCase()]) {
    const slot = state.ab[event.key.toUpperCase()]; state.ab.now = event.key.toUpperCase(); $("abNow").textContent = state.ab.now;
    playAgainstPicture(slot.cue, slot.audio);
  }
});
function playAgainstPicture(cue, audio, offset = 0) {
  stopPlaying();
  const film = $("film"); film.currentTime = seconds(cue.start_frame) + offset; audio.currentTime = offset;
  state.playing = audio; state.playingCue = cue;
  film.play().catch(() => {}); audio.play().catch((error) => say(`cannot play: ${error.message}`));
  document.body.dataset.playing = `${cue.id}`;
}
const WAVE_FLOOR_DB = -60;  // the waveform's height is the peak in dB above this floor, so a quiet take still shows its shape
async function drawWave(canvas, cue, take, audio) {  // the take's peaks, the playhead over them; a click plays from there
  const { seconds: length, peaks } = await api("GET", `/media/takes/${cue.id}/${take}.peaks`);
  const draw = () => {
    const g = canvas.getContext("2d"), w = canvas.width, h = canvas.height, step = w / peaks.length;
    g.clearRect(0, 0, w, h); g.fillStyle = "#6fa8dc";
    peaks.forEach((p, i) => {
      const height = p > 0 ? Math.max(0, 1 - (20 * Math.log10(p)) / WAVE_FLOOR_DB) : 0, half = Math.max(0.5, (height * h) / 2);
      g.fillRect(i * step, h / 2 - half, Math.max(1, step), 2 * half);
    });
    if (state.playing === audio) { g.fillStyle = "#ff5a4e"; g.fillRect((audio.currentTime / length) * w - 1, 0, 2, h); }
  };
  canvas.dataset.peaks = String(peaks.length); draw();
  audio.addEventListener("timeupdate", draw); audio.addEventListener("pause", draw);
  canvas.onclick = (event) => playAgainstPicture(cue, audio, (length * event.offsetX) / canvas.clientWidth);
}
function setSlot(slot, cue, take, audio) { state.ab[slot] = { cue, take, audio }; $(`slot${slot}`).textContent = take; }
$("abPlay").onclick = () => { const a = state.ab.A; if (a) { state.ab.now = "A"; $("abNow").textContent = "A"; playAgainstPicture(a.cue, a.audio); } };
$("abSwitch").onclick = () => {
  const other = state.ab.now === "A" ? "B" : "A", target = state.ab[other], position = state.playing ? state.playing.currentTime : 0;
  if (!target) return say(`choose a take for ${other}`);
  state.ab.now = other; $("abNow").textContent = other; playAgainstPicture(target.cue, target.audio, position);
};
// keep picture and take together: the take's clock leads
setInterval(() => {
  const audio = state.playing, film = $("film");
  if (audio && !audio.paused) {
    const want = seconds(state.playingCue.start_frame) + audio.currentTime;
    if (Math.abs(film.currentTime - want) > 0.08) film.currentTime = want;
  }
  $("playhead").style.left = `${(100 * film.currentTime * state.fps) / (state.project ? state.project.film.n_frames : 1)}%`;
}, 100);
$("filmSound").onchange = (event) => { $("film").muted = !event.target.checked; };

function followJob(job, every, show) {  // polls a background job until it ends; `show` sees each status
  const poll = async () => { const status = await api("GET", `/api/jobs/${job}`); await show(status); if (status.state === "running" || status.state === "queued") setTimeout(poll, every); };
  poll();
}
async function runJob(url, body) {
  try {
    const { job } = await api("POST", url, body);
    $("jobPanel").hidden = false; $("jobCue").textContent = url.split("/")[3] || "";
    followJob(job, 400, async (status) => {
      $("jobProgress").value = status.progress; $("jobText").textContent = `${status.state} ${status.message}`;
      if (status.state !== "running" && status.state !== "queued") { say(`${status.state}: ${status.message}`); await load(); }
    });
  } catch (error) { say(error.message); }
}
function regenerate(cue, form) {
  const body = { tempo: Number(form.get("tempo")), key: form.get("key"), style: form.get("style"), theme_treatment: form.get("treatment"),
    intensity: Number(form.get("intensity")), seed: Number(form.get("seed")), ...(form.get("theme") ? { theme: form.get("theme") } : {}) };
  return runJob(`/api/cues/${cue}/regenerate`, body);
}
function ask(text, value = null) {  // a question in the page's own dialog: the typed answer (or "" when none is asked), null when cancelled
  const dialog = $("askDialog");
  $("askText").textContent = text;
  $("askInput").hidden = value === null; $("askInput").value = value ?? "";
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => { dialog.onclose = () => resolve(dialog.returnValue === "ok" ? $("askInput").value : null); });
}
async function exportScore(includeUnapproved) {
  const { job } = await api("POST", "/api/export", { preset: "default", include_unapproved: includeUnapproved });
  say(`export started (job ${job})`);
  followJob(job, 800, async (s) => { if (s.state !== "running" && s.state !== "queued") { say(`export ${s.state}: ${s.message}`); await drawExports(); } });
}
$("exportButton").onclick = async () => {
  try { await exportScore(false); } catch (error) {
    if (!error.message.includes("no approved take")) { say(error.message); return; }
    if ((await ask(`${error.message.split(":")[0]}: no approved take. Export their newest takes anyway?`)) !== null) {
      try { await exportScore(true); } catch (again) { say(again.message); }
    }
  }
};
async function drawExports() {  // every delivery, newest first, each file a download link
  const exports = await api("GET", "/api/exports");
  $("exports").replaceChildren(...exports.map((delivery) => {
    const item = document.createElement("li");
    item.append(`${delivery.name}: `);
    delivery.files.filter((f) => !f.includes("/")).forEach((file) => {
      const link = document.createElement("a");
      Object.assign(link, { href: `/media/exports/${encodeURIComponent(delivery.name)}/${encodeURIComponent(file)}`, textContent: file, download: file });
      item.append(link, " ");
    });
    return item;
  }));
}
const SIGN_INS = new Set(["login", "logout", "add_user"]);  // account events, not decisions
$("showSignIns").onchange = () => drawHistory(state.history || []);
function drawHistory(entries) {  // decisions, newest first, in the reviewer's local time; sign-ins only when asked for
  const shown = entries.filter((e) => $("showSignIns").checked || !SIGN_INS.has(e.action));
  $("history").textContent = shown.slice().reverse().map((e) => `${new Date(e.at).toLocaleString()}  ${e.user}  ${e.action} ${e.cue || ""} ${e.take || ""}`).join("\n");
}
$("loginForm").onsubmit = async (event) => {
  event.preventDefault();
  try { await api("POST", "/api/login", { name: $("loginName").value, password: $("loginPassword").value }); say(""); enter(); } catch (error) { say(error.message); }
};
async function enter() { $("login").hidden = true; $("app").hidden = false; await load(); }
api("GET", "/api/project").then(enter).catch(() => {});
