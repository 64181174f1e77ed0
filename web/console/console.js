// Saring's console: fact-checkers decide cases; agencies watch the day; admins manage keys.
// Signed in with a session cookie the script cannot read; every change carries the CSRF token.
// Everything the API says is put in the page as text (textContent, never markup).
"use strict";

let session = null; // {csrf_token, roles, name, partner_id, expires_at}
const LABELS = ["HOAKS", "DISINFORMASI", "MISINFORMASI", "MALINFORMASI", "MENYESATKAN", "PENIPUAN", "SATIRE", "BENAR", "BELUM_TERBUKTI"];
const STATUS = { received: "diterima", checking: "diperiksa", matched: "cocok (otomatis)", needs_review: "menunggu pemeriksa", reviewed: "diputuskan" };
const CASE_STATUS = { open: "terbuka", in_review: "sedang ditinjau", decided: "diputuskan" };
const UNLABELLED = "belum berlabel";
const PLATFORMS = {};
const PROVINCES = {};

const text = (value) => (value === null || value === undefined ? "" : String(value));
const when = (iso) => (iso ? new Date(iso).toLocaleString("id-ID", { timeZone: "Asia/Jakarta" }) + " WIB" : "");
const wibToday = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
const daysBefore = (day, n) => new Date(Date.parse(day) - n * 86400000).toISOString().slice(0, 10);

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET" && session) headers["X-CSRF-Token"] = session.csrf_token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (response.status === 401 && path !== "/v1/sessions") showSignIn("Sesi berakhir; masuk lagi.");
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function problemText(error) {
  if (!(error instanceof ApiError)) return "Terjadi kesalahan; coba lagi.";
  const fields = ((error.problem && error.problem.errors) || []).map((e) => `${e.field}: ${e.message}`);
  return [error.message, ...fields].join(" — ");
}

function page(...nodes) {
  $("isi").replaceChildren(...nodes);
  $("isi").hidden = false;
}

function message(textValue, kind) {
  return element("p", { class: kind ? "pesan " + kind : "pesan", role: kind === "galat" ? "alert" : null }, textValue);
}

// --- signing in -------------------------------------------------------------------------------------

function showSignIn(note) {
  session = null;
  $("menu").hidden = true;
  $("isi").hidden = true;
  $("masuk").hidden = false;
  if (note) $("hasil-masuk").replaceChildren(message(note, "galat"));
  $("kunci").focus();
  return null;
}

async function onSignIn(event) {
  event.preventDefault();
  const key = $("kunci").value.trim();
  if (!key) return $("hasil-masuk").replaceChildren(message("Isi kunci API Anda.", "galat"));
  $("tombol-masuk").disabled = true;
  try {
    session = await api("POST", "/v1/sessions", { key });
    $("kunci").value = ""; // the key is not kept anywhere: the session cookie replaces it
    $("hasil-masuk").replaceChildren();
    start();
  } catch (error) {
    const why = error instanceof ApiError && error.status === 403
      ? "Kunci ini bukan untuk konsol: hanya kunci pemeriksa fakta, lembaga atau admin."
      : problemText(error);
    $("hasil-masuk").replaceChildren(message(why, "galat"));
  } finally {
    $("tombol-masuk").disabled = false;
  }
}

async function onSignOut() {
  try {
    await api("DELETE", "/v1/sessions");
  } finally {
    location.hash = "";
    showSignIn("Anda sudah keluar.");
  }
}

function start() {
  $("masuk").hidden = true;
  const menu = $("menu");
  menu.hidden = false;
  for (const link of menu.querySelectorAll("a[data-role]")) {
    link.hidden = !link.dataset.role.split(" ").some((role) => session.roles.includes(role));
  }
  const first = menu.querySelector("a[data-role]:not([hidden])");
  if (!location.hash || location.hash === "#/") location.hash = first.getAttribute("href");
  else route();
}

// --- the router -------------------------------------------------------------------------------------

async function route() {
  if (!session) return;
  const [, view, id] = location.hash.split("/");
  for (const link of $("menu").querySelectorAll("a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === "#/" + view);
    if (link.getAttribute("href") === "#/" + view) link.setAttribute("aria-current", "page");
  }
  const views = { antrean: queueView, kasus: caseView, klaim: claimsView, dasbor: dashboardView, kunci: keysView };
  page(message("Memuat…"));
  try {
    await (views[view] || queueView)(id ? decodeURIComponent(id) : undefined);
    document.title = "Konsol Saring — " + ($("isi").querySelector("h1") || { textContent: "" }).textContent;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) page(message(problemText(error), "galat"));
  }
}

// --- fact-checkers: the queue -----------------------------------------------------------------------

function priorityCell(priority) {
  const parts = priority.components.map((c) =>
    element("li", {}, `${c.name}: ${c.points} poin`, c.evidence.length ? element("ul", {}, c.evidence.map((e) => element("li", {}, e))) : null));
  return element("td", {}, element("span", { class: "skor" }, text(priority.total)),
    element("details", {}, element("summary", {}, "alasan"), element("ul", {}, parts)));
}

async function queueView() {
  const status = new URLSearchParams(location.hash.split("?")[1] || "").get("status") || "open";
  const found = await api("GET", `/v1/cases?status=${encodeURIComponent(status)}&limit=50`);
  const rows = found.cases.map((c) => element("tr", { "data-case": c.id },
    priorityCell(c.priority),
    element("td", {}, element("a", { href: `#/kasus/${c.id}` }, text(c.sample_text || c.sample_url || c.id).slice(0, 160))),
    element("td", { class: "angka" }, text(c.seen_count)),
    element("td", { class: "angka" }, text(c.public_complaints)),
    element("td", {}, CASE_STATUS[c.status] || c.status, c.reviewer ? ` (${c.reviewer})` : ""),
    element("td", {}, when(c.last_seen))));
  const tabs = element("p", {}, ["open", "in_review", "decided"].map((s) =>
    [element("a", { href: `#/antrean?status=${s}`, "aria-current": s === status ? "page" : null }, CASE_STATUS[s]), " "]));
  page(
    element("h1", {}, "Antrean tinjauan"),
    tabs,
    found.cases.length
      ? element("table", {}, element("thead", {}, element("tr", {},
          ["Prioritas", "Isi", "Laporan", "Aduan publik", "Status", "Terakhir"].map((h) => element("th", { scope: "col" }, h)))),
        element("tbody", {}, rows))
      : message("Tidak ada kasus di sini."),
  );
}

// --- fact-checkers: one case ------------------------------------------------------------------------

function counts(title, values, nameOf) {
  const entries = Object.entries(values).sort((a, b) => b[1] - a[1]);
  return element("div", {}, element("h3", {}, title),
    element("table", {}, element("tbody", {}, entries.map(([k, v]) => element("tr", {}, element("td", {}, nameOf(k)), element("td", { class: "angka" }, text(v)))))));
}

async function caseView(caseId) {
  const [found, reports] = await Promise.all([
    api("GET", `/v1/cases/${encodeURIComponent(caseId)}`),
    api("GET", `/v1/cases/${encodeURIComponent(caseId)}/reports?limit=100`),
  ]);
  const nodes = [element("h1", {}, "Kasus"), element("p", { class: "hint" }, found.id)];
  nodes.push(element("div", { class: "baris" },
    element("div", {},
      element("h2", {}, "Isi yang dilaporkan"),
      element("div", { class: "contoh", id: "isi-kasus" }, text(found.sample_text) || "(tanpa teks)"),
      found.sample_url ? element("p", {}, "Tautan: ", element("span", { class: "tautan", id: "tautan-kasus" }, found.sample_url)) : null,
      found.images.length ? element("div", { class: "gambar-kasus" }, found.images.map((img) => element("figure", {},
        img.link ? element("img", { src: img.link, alt: "Gambar laporan" }) : null,
        element("figcaption", {}, text(img.text_excerpt) || text(img.reason) || img.status)))) : null),
    element("div", {},
      element("h2", {}, "Status"),
      element("p", { class: "status", id: "status-kasus" }, CASE_STATUS[found.status] || found.status),
      element("p", {}, `${found.seen_count} laporan · ${found.public_complaints} aduan publik · prioritas ${found.priority.total}`),
      found.progress ? element("p", { id: "kemajuan" }, `Putusan versi ${found.progress.version}: ${found.progress.reports_updated} laporan diperbarui${found.progress.done ? " (selesai)" : "…"}`) : null)));
  nodes.push(element("div", { class: "baris" },
    counts("Per platform", found.platforms, (k) => PLATFORMS[k] || k),
    counts("Per provinsi", found.provinces, (k) => PROVINCES[k] || k)));
  if (found.suggestions.length) {
    nodes.push(element("h2", {}, "Saran klaim"), element("table", {}, element("tbody", {}, found.suggestions.map((s) =>
      element("tr", {}, element("td", {}, s.claim.title), element("td", {}, s.claim.label), element("td", { class: "angka" }, text(s.score)), element("td", {}, s.level))))));
  }
  if (found.history.length) {
    nodes.push(element("h2", {}, "Riwayat putusan"), element("ul", {}, found.history.map((h) =>
      element("li", {}, `v${h.version} ${h.label} oleh ${h.decided_by}, ${when(h.decided_at)}: ${h.summary}`))));
  }
  nodes.push(element("h2", {}, "Laporan"), element("table", { id: "laporan-kasus" },
    element("thead", {}, element("tr", {}, ["Laporan", "Diterima", "Platform", "Provinsi", "Status", "Label"].map((h) => element("th", { scope: "col" }, h)))),
    element("tbody", {}, reports.reports.map((r) => element("tr", { "data-report": r.id, "data-status": r.status },
      element("td", {}, r.id), element("td", {}, when(r.received_at)), element("td", {}, PLATFORMS[r.platform] || r.platform),
      element("td", {}, PROVINCES[r.province] || r.province), element("td", {}, STATUS[r.status] || r.status),
      element("td", {}, r.verdict && r.verdict.label ? r.verdict.label : ""))))));
  if (session.roles.includes("checker")) nodes.push(decisionPanel(found));
  page(...nodes);
}

function decisionPanel(found) {
  const panel = element("div", { class: "panel", id: "panel-putusan" }, element("h2", {}, "Putuskan"));
  if (found.status === "open") {
    const take = element("button", { type: "button", id: "tombol-ambil" }, "Ambil kasus ini");
    take.addEventListener("click", async () => {
      take.disabled = true;
      try {
        await api("POST", `/v1/cases/${found.id}/review`, { version: found.version });
        route();
      } catch (error) {
        panel.append(message(problemText(error), "galat"));
        take.disabled = false;
      }
    });
    panel.append(element("p", {}, "Ambil kasus dulu agar pemeriksa lain tahu Anda menanganinya."), take);
  }
  const claims = [element("option", { value: "" }, "Klaim baru dari kasus ini")].concat(
    found.suggestions.map((s) => element("option", { value: s.claim.id }, `${s.claim.title} (${s.claim.label})`)));
  const form = element("form", { id: "form-putusan", novalidate: true },
    element("label", { for: "label-putusan" }, "Label"),
    element("select", { id: "label-putusan", required: true }, LABELS.map((l) => element("option", { value: l }, l))),
    element("label", { for: "ringkasan" }, "Ringkasan untuk publik (bahasa Indonesia)"),
    element("textarea", { id: "ringkasan", rows: 3, minlength: 10, maxlength: 2000, required: true }),
    element("label", { for: "url-cek-fakta" }, "Tautan artikel cek fakta"),
    element("input", { type: "url", id: "url-cek-fakta", required: true }),
    element("label", { for: "klaim-putusan" }, "Klaim"),
    element("select", { id: "klaim-putusan" }, claims),
    element("div", { id: "klaim-baru" },
      element("label", { for: "judul-klaim" }, "Judul klaim baru"),
      element("input", { type: "text", id: "judul-klaim", maxlength: 1000 }),
      element("label", { for: "teks-klaim" }, "Teks hoaks (hapus nama, nomor dan alamat orang pribadi)"),
      element("textarea", { id: "teks-klaim", rows: 4, maxlength: 20000 })),
    element("button", { type: "submit", id: "tombol-putuskan" }, "Terbitkan putusan"));
  form.querySelector("#teks-klaim").value = text(found.sample_text);
  form.querySelector("#klaim-putusan").addEventListener("change", (e) => { form.querySelector("#klaim-baru").hidden = Boolean(e.target.value); });
  const result = element("div", { role: "status", "aria-live": "polite", id: "hasil-putusan" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const claimId = form.querySelector("#klaim-putusan").value;
    const body = {
      label: form.querySelector("#label-putusan").value,
      summary: form.querySelector("#ringkasan").value.trim(),
      fact_check_url: form.querySelector("#url-cek-fakta").value.trim(),
    };
    if (claimId) body.claim_id = claimId;
    else Object.assign(body, { title: form.querySelector("#judul-klaim").value.trim(), text: form.querySelector("#teks-klaim").value.trim() || undefined });
    try {
      body.version = (await api("GET", `/v1/cases/${found.id}`)).version; // as it is now: taken, or decided before
      await api("POST", `/v1/cases/${found.id}/verdict`, body);
      result.replaceChildren(message("Putusan diterbitkan; menyebar ke semua laporan kasus ini…"));
      await watchVerdict(found.id);
    } catch (error) {
      result.replaceChildren(message(problemText(error), "galat"));
    }
  });
  if (found.status !== "decided" || session.roles.includes("checker")) panel.append(form, result);
  return panel;
}

async function watchVerdict(caseId) {
  for (let tries = 0; tries < 60; tries++) {
    const found = await api("GET", `/v1/cases/${caseId}`);
    if (found.progress && found.progress.done) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await route();
}

// --- fact-checkers: claims --------------------------------------------------------------------------

async function claimsView() {
  const query = new URLSearchParams(location.hash.split("?")[1] || "").get("q") || "";
  const found = await api("GET", "/v1/claims?limit=30" + (query ? "&q=" + encodeURIComponent(query) : ""));
  const search = element("form", { id: "cari-klaim", role: "search" },
    element("label", { for: "q" }, "Cari klaim"), element("input", { type: "search", id: "q", value: query }),
    element("button", { type: "submit" }, "Cari"));
  search.addEventListener("submit", (e) => { e.preventDefault(); location.hash = "#/klaim?q=" + encodeURIComponent($("q").value.trim()); });
  const list = element("table", { id: "daftar-klaim" }, element("tbody", {}, found.claims.map((c) => {
    const edit = element("button", { type: "button", class: "tombol-kecil" }, "Ubah");
    edit.addEventListener("click", () => claimEditor(c));
    return element("tr", { "data-claim": c.id }, element("td", {}, c.title), element("td", {}, c.label), element("td", {}, text(c.date)), element("td", {}, edit));
  })));
  const create = element("button", { type: "button", id: "klaim-baru-tombol" }, "Klaim baru");
  create.addEventListener("click", () => claimEditor(null));
  page(element("h1", {}, "Klaim"), search, create, element("div", { id: "editor-klaim" }), list);
}

function claimEditor(claim) {
  const field = (id, label, value, tag = "input") => [element("label", { for: id }, label),
    tag === "textarea" ? element("textarea", { id, rows: 3 }) : element(tag, { id, type: "text" })].map((n) => {
    if (n.id === id) n.value = text(value);
    return n;
  });
  const form = element("form", { class: "panel", id: "form-klaim", novalidate: true },
    element("h2", {}, claim ? "Ubah klaim" : "Klaim baru"),
    claim ? null : field("ek-id", "ID sumber (external_id)", ""),
    field("ek-judul", "Judul", claim && claim.title),
    field("ek-teks", "Teks hoaks", claim && claim.text, "textarea"),
    element("label", { for: "ek-label" }, "Label"),
    element("select", { id: "ek-label" }, LABELS.map((l) => element("option", { value: l, selected: claim && claim.label === l }, l))),
    field("ek-ringkasan", "Ringkasan untuk publik", claim && claim.summary, "textarea"),
    field("ek-url", "Tautan artikel cek fakta", claim && claim.url),
    element("button", { type: "submit" }, "Simpan"),
    element("div", { role: "status", "aria-live": "polite" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (id) => form.querySelector("#" + id).value.trim() || null;
    const body = { title: value("ek-judul"), text: value("ek-teks"), label: value("ek-label"), summary: value("ek-ringkasan"), url: value("ek-url") };
    try {
      if (claim) await api("PATCH", `/v1/claims/${claim.id}`, body);
      else await api("POST", "/v1/claims", { ...body, external_id: value("ek-id") });
      form.lastChild.replaceChildren(message("Tersimpan."));
    } catch (error) {
      form.lastChild.replaceChildren(message(problemText(error), "galat"));
    }
  });
  $("editor-klaim").replaceChildren(form);
  form.querySelector("input, textarea").focus();
}

// --- agencies: the dashboard ------------------------------------------------------------------------

function numbersTable(caption, rows) {
  return element("table", { class: "angka-grafik" }, element("caption", {}, caption),
    element("tbody", {}, rows.map(([name, value]) => element("tr", {}, element("td", {}, name), element("td", { class: "angka" }, text(value))))));
}

async function dashboardView() {
  const to = wibToday();
  const from = daysBefore(to, 6);
  const [labels, provinces, platforms, trending] = await Promise.all(["label", "province", "platform"].map((group) =>
    api("GET", `/v1/stats/daily?from=${from}&to=${to}&group_by=${group}`)).concat([api("GET", "/v1/stats/trending")]));
  // Reports without a verdict yet have no label: they are their own series, so a day's bar is its total.
  const days = labels.days.map((d) => {
    const labelled = Object.values(d.counts).reduce((sum, v) => sum + v, 0);
    return { ...d, counts: { ...d.counts, [UNLABELLED]: Math.max(0, d.total - labelled) } };
  });
  const series = [...new Set(labels.days.flatMap((d) => Object.keys(d.counts))), UNLABELLED].sort();
  const sum = (stats) => {
    const totals = {};
    for (const day of stats.days) for (const [k, v] of Object.entries(day.counts)) totals[k] = (totals[k] || 0) + v;
    return Object.entries(totals).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  };
  const byProvince = sum(provinces).slice(0, 12);
  const byPlatform = sum(platforms);
  const grafik = (id, title, chart, extra) => element("figure", { class: "panel grafik", id }, element("h2", {}, title), chart, extra);
  page(
    element("h1", {}, `Dasbor ${from} – ${to} (WIB)`),
    grafik("grafik-label", "Laporan per hari menurut label", stackedBarChart(days, series, "Laporan per hari menurut label"),
      [legend(series), numbersTable("Jumlah per hari", labels.days.map((d) => [d.date, d.total]))]),
    element("div", { class: "baris" },
      grafik("grafik-provinsi", "Menurut provinsi", horizontalBarChart(byProvince, "Laporan menurut provinsi", (k) => PROVINCES[k] || k)),
      grafik("grafik-platform", "Menurut platform", horizontalBarChart(byPlatform, "Laporan menurut platform", (k) => PLATFORMS[k] || k))),
    element("h2", {}, "Kasus yang sedang naik"),
    trending.cases.length ? element("table", { id: "naik" }, element("thead", {}, element("tr", {},
      ["Isi", "24 jam terakhir", "24 jam sebelumnya", "Kenaikan"].map((h) => element("th", { scope: "col" }, h)))),
      element("tbody", {}, trending.cases.map((c) => element("tr", {},
        element("td", {}, text(c.sample_text || c.sample_url)), element("td", { class: "angka" }, text(c.reports_last_24h)),
        element("td", { class: "angka" }, text(c.reports_previous_24h)), element("td", { class: "angka" }, text(c.growth))))))
      : message("Belum ada kasus yang naik."),
    await exportPanel(to),
  );
}

async function exportPanel(day) {
  const panel = element("div", { class: "panel", id: "ekspor" }, element("h2", {}, `Ekspor harian ${day}`));
  let found = null;
  try {
    found = await api("GET", `/v1/exports/daily/${day}`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
  const build = element("button", { type: "button", id: "tombol-ekspor" }, found ? "Bangun ulang ekspor hari ini" : "Bangun ekspor hari ini");
  build.addEventListener("click", async () => {
    build.disabled = true;
    try {
      await api("POST", `/v1/exports/daily/${day}`, {});
      panel.replaceWith(await exportPanel(day));
    } catch (error) {
      panel.append(message(problemText(error), "galat"));
      build.disabled = false;
    }
  });
  if (!found) {
    panel.append(message("Ekspor hari ini belum dibangun."), build);
    return panel;
  }
  panel.append(
    element("p", {}, `${found.rows} laporan · ${found.complete ? "hari sudah lengkap" : "hari belum selesai"} · dibuat ${when(found.generated_at)} · tautan berlaku sampai ${when(found.urls_expire_at)}`),
    element("p", {}, element("a", { href: found.manifest_url, id: "tautan-manifest", rel: "noreferrer" }, "manifest.json"), " (SHA-256 setiap berkas)"),
    element("table", { id: "berkas-ekspor" }, element("tbody", {}, found.files.map((f) => element("tr", {},
      element("td", {}, element("a", { href: f.url, "data-sha256": f.sha256, rel: "noreferrer" }, f.name)),
      element("td", { class: "angka" }, `${f.rows} baris`), element("td", { class: "angka" }, `${f.bytes} bita`),
      element("td", {}, element("code", {}, f.sha256.slice(0, 16) + "…")))))),
    build);
  return panel;
}

// --- admins: keys -----------------------------------------------------------------------------------

async function keysView() {
  const found = await api("GET", "/v1/keys?limit=100");
  const roles = ["partner", "media", "agency", "checker", "admin"];
  const form = element("form", { class: "panel", id: "form-kunci", novalidate: true }, element("h2", {}, "Kunci baru"),
    element("label", { for: "kunci-mitra" }, "ID mitra (huruf kecil, angka, tanda hubung)"), element("input", { type: "text", id: "kunci-mitra" }),
    element("label", { for: "kunci-nama" }, "Nama"), element("input", { type: "text", id: "kunci-nama" }),
    element("fieldset", {}, element("legend", {}, "Peran"), roles.map((r) => element("label", {}, element("input", { type: "checkbox", value: r, name: "peran" }), " " + r))),
    element("button", { type: "submit" }, "Buat kunci"), element("div", { role: "status", "aria-live": "polite", id: "hasil-kunci" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { partner_id: $("kunci-mitra").value.trim(), name: $("kunci-nama").value.trim() || undefined,
      roles: [...form.querySelectorAll("input[name=peran]:checked")].map((c) => c.value) };
    try {
      const created = await api("POST", "/v1/keys", body);
      $("hasil-kunci").replaceChildren(message("Kunci dibuat. Salin sekarang: kunci ini tidak akan ditampilkan lagi."), element("p", { class: "kunci-baru" }, created.key));
    } catch (error) {
      $("hasil-kunci").replaceChildren(message(problemText(error), "galat"));
    }
  });
  const rows = found.keys.map((k) => {
    const revoke = element("button", { type: "button", class: "tombol-kecil", disabled: Boolean(k.revoked_at) }, k.revoked_at ? "dicabut" : "Cabut");
    revoke.addEventListener("click", async () => {
      if (!confirm(`Cabut kunci ${k.id} (${k.partner_id})? Sesi yang memakainya ikut berakhir.`)) return;
      await api("DELETE", `/v1/keys/${k.id}`);
      route();
    });
    return element("tr", { "data-key": k.id }, element("td", {}, k.id), element("td", {}, k.partner_id), element("td", {}, k.roles.join(", ")),
      element("td", {}, text(k.name)), element("td", {}, when(k.created_at)), element("td", {}, revoke));
  });
  page(element("h1", {}, "Kunci API"), form, element("table", {}, element("thead", {}, element("tr", {},
    ["ID", "Mitra", "Peran", "Nama", "Dibuat", ""].map((h) => element("th", { scope: "col" }, h)))), element("tbody", {}, rows)));
}

// --- start ------------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", async () => {
  $("form-masuk").addEventListener("submit", onSignIn);
  $("keluar").addEventListener("click", onSignOut);
  window.addEventListener("hashchange", route);
  try {
    const choices = await (await fetch("/choices.json", { credentials: "omit" })).json();
    for (const [value, names] of choices.platforms) PLATFORMS[value] = names[0];
    for (const [code, name] of choices.provinces) PROVINCES[code] = name;
  } catch (error) {
    // names fall back to codes
  }
  try {
    const response = await fetch("/v1/sessions", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return showSignIn();
    session = await response.json();
    start();
  } catch (error) {
    showSignIn();
  }
});
