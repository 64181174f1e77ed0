// Saring's public page: check a message, complain about it, follow the complaint.
// No framework, no cookies, nothing from other sites; everything the API says is shown as text.
"use strict";

const TEXTS = {
  id: {
    skip: "Langsung ke isi",
    title: "Cek dulu sebelum sebar",
    lead: "Tempel pesan atau tautan yang Anda terima, atau pilih tangkapan layarnya. Saring mencocokkannya dengan cek fakta yang sudah terbit.",
    "check.heading": "Cek pesan",
    "check.label": "Pesan atau tautan",
    "check.placeholder": "Tempel di sini…",
    "check.picture": "Tangkapan layar (boleh dikosongkan)",
    "check.pictureHint": "JPEG, PNG atau WebP, paling besar 10 MB.",
    "check.submit": "Cek",
    "check.empty": "Tempel pesan atau tautan, atau pilih tangkapan layar dulu.",
    "check.working": "Sedang memeriksa…",
    "check.uploading": "Mengirim gambar…",
    "check.badPicture": "Gambar harus JPEG, PNG atau WebP dan paling besar 10 MB.",
    "check.match": "Sudah diperiksa",
    "check.suggest": "Mungkin terkait",
    "check.read": "Baca cek fakta",
    "check.none": "Belum diperiksa. Pesan ini belum cocok dengan cek fakta mana pun.",
    "check.complain": "Kirim sebagai aduan",
    "complaint.heading": "Kirim aduan",
    "complaint.intro": "Pesan ini belum diperiksa. Kirimkan sebagai aduan agar pemeriksa fakta menelitinya. Anda tidak perlu memberi data pribadi.",
    "complaint.platform": "Di mana Anda melihatnya?",
    "complaint.province": "Provinsi Anda",
    "complaint.choose": "Pilih provinsi…",
    "complaint.contact": "Nomor HP atau e-mail untuk kabar aduan (boleh dikosongkan)",
    "complaint.consent": "Saya setuju kontak ini disimpan terenkripsi dan hanya dipakai untuk mengabarkan aduan ini, lalu dihapus setelah 90 hari (UU PDP).",
    "complaint.submit": "Kirim aduan",
    "complaint.needProvince": "Pilih provinsi Anda.",
    "complaint.needConsent": "Centang persetujuan jika ingin memberi kontak, atau kosongkan kontak.",
    "complaint.working": "Menyiapkan pengiriman aman…",
    "complaint.done": "Aduan diterima. Simpan kode ini untuk melacaknya:",
    "complaint.track": "Lacak aduan ini",
    "track.heading": "Lacak aduan",
    "track.label": "Kode aduan",
    "track.submit": "Lacak",
    "track.unknown": "Kode aduan tidak ditemukan. Periksa lagi penulisannya.",
    "track.received": "Aduan diterima dan menunggu pemeriksaan otomatis.",
    "track.checking": "Aduan sedang diperiksa.",
    "track.needs_review": "Aduan menunggu pemeriksa fakta.",
    "track.matched": "Aduan sudah dijawab oleh cek fakta.",
    "track.reviewed": "Pemeriksa fakta sudah memutuskan.",
    "track.since": "Diterima",
    "footer": "Saring tidak memakai cookie dan tidak memuat apa pun dari pihak lain. Aduan juga bisa dikirim lewat e-mail.",
    error: "Maaf, terjadi kesalahan. Coba lagi.",
    busy: "Terlalu banyak permintaan. Coba lagi dalam {s} detik.",
    switchTo: "English",
    switchLabel: "Switch to English",
  },
  en: {
    skip: "Skip to content",
    title: "Check before you share",
    lead: "Paste a message or link you received, or pick a screenshot of it. Saring matches it against published fact-checks.",
    "check.heading": "Check a message",
    "check.label": "Message or link",
    "check.placeholder": "Paste here…",
    "check.picture": "Screenshot (optional)",
    "check.pictureHint": "JPEG, PNG or WebP, at most 10 MB.",
    "check.submit": "Check",
    "check.empty": "Paste a message or link, or pick a screenshot first.",
    "check.working": "Checking…",
    "check.uploading": "Sending the picture…",
    "check.badPicture": "The picture must be JPEG, PNG or WebP and at most 10 MB.",
    "check.match": "Already checked",
    "check.suggest": "May be related",
    "check.read": "Read the fact-check",
    "check.none": "Not checked yet. This message matches no fact-check so far.",
    "check.complain": "Send it as a complaint",
    "complaint.heading": "Send a complaint",
    "complaint.intro": "This message has not been checked. Send it as a complaint so fact-checkers look into it. You need not give any personal data.",
    "complaint.platform": "Where did you see it?",
    "complaint.province": "Your province",
    "complaint.choose": "Choose a province…",
    "complaint.contact": "Phone number or e-mail for news of the complaint (optional)",
    "complaint.consent": "I agree that this contact is kept encrypted, used only to tell me about this complaint, and deleted after 90 days (Indonesia's personal data law).",
    "complaint.submit": "Send complaint",
    "complaint.needProvince": "Choose your province.",
    "complaint.needConsent": "Tick the consent box to give a contact, or leave the contact empty.",
    "complaint.working": "Preparing a safe submission…",
    "complaint.done": "Complaint received. Keep this code to follow it:",
    "complaint.track": "Follow this complaint",
    "track.heading": "Follow a complaint",
    "track.label": "Complaint code",
    "track.submit": "Follow",
    "track.unknown": "No complaint has this code. Check how it is written.",
    "track.received": "Received; waiting for the automatic check.",
    "track.checking": "Being checked.",
    "track.needs_review": "Waiting for a fact-checker.",
    "track.matched": "Answered by a fact-check.",
    "track.reviewed": "A fact-checker has decided.",
    "track.since": "Received",
    "footer": "Saring uses no cookies and loads nothing from other sites. Complaints can also be sent by e-mail.",
    error: "Sorry, something went wrong. Please try again.",
    busy: "Too many requests. Try again in {s} seconds.",
    switchTo: "Indonesia",
    switchLabel: "Ganti ke Bahasa Indonesia",
  },
};

const LABELS = {
  HOAKS: ["Hoaks", "Hoax"],
  DISINFORMASI: ["Disinformasi", "Disinformation"],
  MISINFORMASI: ["Misinformasi", "Misinformation"],
  MALINFORMASI: ["Malinformasi", "Malinformation"],
  MENYESATKAN: ["Menyesatkan", "Misleading"],
  PENIPUAN: ["Penipuan", "Scam"],
  SATIRE: ["Satire", "Satire"],
  BENAR: ["Benar", "True"],
  BELUM_TERBUKTI: ["Belum terbukti", "Unproven"],
};
const PICTURE_TYPES = ["image/jpeg", "image/png", "image/webp"];
const MAX_PICTURE_BYTES = 10 * 1024 * 1024;

let language = "id";
let lastContent = null; // what was checked last: sent as the complaint
const t = (key) => TEXTS[language][key] || TEXTS.id[key] || key;

function show(target, ...nodes) {
  target.replaceChildren(...nodes);
}

function message(text, kind) {
  return element("p", { class: kind ? "pesan " + kind : "pesan" }, text);
}

function applyLanguage() {
  document.documentElement.lang = language;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  const button = $("bahasa");
  button.textContent = t("switchTo");
  button.setAttribute("aria-label", t("switchLabel"));
  button.lang = language === "id" ? "en" : "id";
  document.title = "Saring — " + t("title");
}

// --- the API ---------------------------------------------------------------------------------------

async function api(method, path, body) {
  const options = { method, headers: { Accept: "application/json" }, credentials: "omit" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data, Number(response.headers.get("Retry-After") || 0));
  return data;
}

function failure(error) {
  if (error instanceof ApiError && error.status === 429) return message(t("busy").replace("{s}", error.retryAfter || 60), "galat");
  if (error instanceof ApiError && error.problem && error.problem.detail && error.status < 500) {
    return message(error.problem.detail, "galat"); // the API's own words (Indonesian first)
  }
  return message(t("error"), "galat");
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function uploadPicture(file) {
  const ticket = await api("POST", "/v1/public/uploads", { content_type: file.type, size: file.size });
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
  form.append("file", file);
  const sent = await fetch(ticket.url, { method: "POST", body: form, credentials: "omit" });
  if (!sent.ok) throw new ApiError(sent.status, null, 0);
  return ticket.upload_id;
}

async function checkContent(content) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api("POST", "/v1/public/check", content);
    } catch (error) {
      // A picture is read by its own worker: wait for it a little, as the API says.
      if (!(error instanceof ApiError) || error.status !== 409 || attempt >= 10) throw error;
      await pause(1000 * (error.retryAfter || 2));
    }
  }
}

// --- checking --------------------------------------------------------------------------------------

function contentOf(raw) {
  const text = raw.trim();
  const link = text.match(/https?:\/\/[^\s<>"]+/);
  if (/^https?:\/\/\S+$/.test(text)) return { url: text };
  const content = {};
  if (text) content.text = text;
  if (link) content.url = link[0];
  return content;
}

function verdictCard(claim, level) {
  const sure = level !== "suggest";
  const kind = claim.label === "BENAR" ? "kartu benar" : sure ? "kartu" : "kartu mungkin";
  const name = LABELS[claim.label] ? LABELS[claim.label][language === "id" ? 0 : 1] : claim.label;
  const card = element(
    "article",
    { class: kind },
    element("p", {}, element("span", { class: "label" }, name), " ", sure ? t("check.match") : t("check.suggest")),
    element("h3", {}, claim.title),
  );
  if (claim.summary) card.append(element("p", {}, claim.summary));
  const source = [claim.publisher, claim.date].filter(Boolean).join(", ");
  if (source) card.append(element("p", { class: "hint" }, source));
  if (claim.url && /^https?:\/\//.test(claim.url)) {
    card.append(element("p", {}, element("a", { href: claim.url, rel: "noopener noreferrer", target: "_blank" }, t("check.read"))));
  }
  return card;
}

async function onCheck(event) {
  event.preventDefault();
  const result = $("hasil");
  const file = $("gambar").files[0];
  const content = contentOf($("pesan").value);
  if (!content.text && !content.url && !file) return show(result, message(t("check.empty"), "galat"));
  if (file && (!PICTURE_TYPES.includes(file.type) || file.size > MAX_PICTURE_BYTES)) {
    return show(result, message(t("check.badPicture"), "galat"));
  }
  const button = $("tombol-cek");
  button.disabled = true;
  $("bagian-aduan").hidden = true;
  try {
    if (file) {
      show(result, message(t("check.uploading")));
      content.images = [await uploadPicture(file)];
    }
    show(result, message(t("check.working")));
    const found = await checkContent(content);
    lastContent = content;
    if (found.matches.length && found.matches[0].level === "match") {
      show(result, ...found.matches.map((m) => verdictCard(m.claim, m.level)));
    } else {
      const complain = element("button", { type: "button", id: "tombol-ke-aduan" }, t("check.complain"));
      complain.addEventListener("click", openComplaint);
      show(result, message(t("check.none")), complain, ...found.matches.map((m) => verdictCard(m.claim, m.level)));
    }
  } catch (error) {
    show(result, failure(error));
  } finally {
    button.disabled = false;
  }
}

// --- complaining -----------------------------------------------------------------------------------

function openComplaint() {
  const section = $("bagian-aduan");
  section.hidden = false;
  show($("hasil-aduan"));
  $("platform").focus();
}

// SHA-256 of a short ASCII string (FIPS 180-4), synchronous: the proof of work calls it ~65k times.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const W = new Uint32Array(64);

function sha256Words(ascii) {
  const blocks = ((ascii.length + 8) >> 6) + 1;
  const words = new Uint32Array(blocks * 16);
  for (let i = 0; i < ascii.length; i++) words[i >> 2] |= (ascii.charCodeAt(i) & 0xff) << (24 - (i % 4) * 8);
  words[ascii.length >> 2] |= 0x80 << (24 - (ascii.length % 4) * 8);
  words[blocks * 16 - 1] = ascii.length * 8;
  let h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a;
  let h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
  for (let block = 0; block < blocks; block++) {
    for (let i = 0; i < 64; i++) {
      if (i < 16) W[i] = words[block * 16 + i];
      else {
        const a = W[i - 15], b = W[i - 2];
        const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
        const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
      }
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
  }
  return [h0, h1, h2, h3, h4, h5, h6, h7];
}

function leadingZeroBits(words) {
  let bits = 0;
  for (const word of words) {
    if (word === 0) { bits += 32; continue; }
    return bits + Math.clz32(word);
  }
  return bits;
}

async function solve(challenge, difficulty) {
  for (let nonce = 0; ; nonce++) {
    if (leadingZeroBits(sha256Words(challenge + nonce)) >= difficulty) return String(nonce);
    if (nonce % 4096 === 4095) await pause(0); // let the page breathe
  }
}

async function onComplaint(event) {
  event.preventDefault();
  const result = $("hasil-aduan");
  const province = $("provinsi").value;
  const contact = $("kontak").value.trim();
  if (!province) return show(result, message(t("complaint.needProvince"), "galat"));
  if (contact && !$("setuju").checked) return show(result, message(t("complaint.needConsent"), "galat"));
  if (!lastContent) return show(result, message(t("check.empty"), "galat"));
  const button = $("tombol-aduan");
  button.disabled = true;
  try {
    show(result, message(t("complaint.working")));
    const { challenge, difficulty } = await api("GET", "/v1/public/challenge");
    const nonce = await solve(challenge, difficulty);
    const body = { ...lastContent, platform: $("platform").value, province, challenge, nonce };
    if (contact) Object.assign(body, { contact, consent: true });
    const accepted = await api("POST", "/v1/public/reports", body);
    const link = element("a", { href: "/?kode=" + encodeURIComponent(accepted.tracking_code) }, t("complaint.track"));
    link.addEventListener("click", (clicked) => {
      clicked.preventDefault();
      track(accepted.tracking_code);
    });
    show(result, message(t("complaint.done")), element("p", { class: "kode", id: "kode-aduan" }, accepted.tracking_code), element("p", {}, link));
  } catch (error) {
    show(result, failure(error));
  } finally {
    button.disabled = false;
  }
}

// --- tracking --------------------------------------------------------------------------------------

async function track(code) {
  $("kode").value = code;
  const result = $("hasil-lacak");
  try {
    const found = await api("GET", "/v1/public/reports/" + encodeURIComponent(code.trim()));
    const since = new Date(found.received_at).toLocaleString(language === "id" ? "id-ID" : "en-GB");
    const nodes = [
      element("p", { class: "kode" }, found.tracking_code),
      message(t("track." + found.status)),
      element("p", { class: "hint" }, t("track.since") + ": " + since),
    ];
    if (found.verdict && found.verdict.label) {
      const claim = found.verdict.claim || { title: found.verdict.reason, label: found.verdict.label };
      const card = verdictCard({ ...claim, label: found.verdict.label }, "match");
      if (found.verdict.claim && found.verdict.reason !== claim.summary) card.append(element("p", {}, found.verdict.reason));
      nodes.push(card);
    }
    show(result, ...nodes);
  } catch (error) {
    show(result, error instanceof ApiError && error.status === 404 ? message(t("track.unknown"), "galat") : failure(error));
  }
  $("lacak-judul").scrollIntoView();
}

function onTrack(event) {
  event.preventDefault();
  const code = $("kode").value.trim();
  if (code) track(code);
}

// --- start -----------------------------------------------------------------------------------------

async function loadChoices() {
  const choices = await (await fetch("/choices.json", { credentials: "omit" })).json();
  const platforms = $("platform");
  for (const [value, names] of choices.platforms) platforms.append(element("option", { value }, names[0]));
  const provinces = $("provinsi");
  for (const [code, name] of choices.provinces) provinces.append(element("option", { value: code }, name));
}

document.addEventListener("DOMContentLoaded", () => {
  $("cek").addEventListener("submit", onCheck);
  $("aduan").addEventListener("submit", onComplaint);
  $("lacak").addEventListener("submit", onTrack);
  $("bahasa").addEventListener("click", () => {
    language = language === "id" ? "en" : "id";
    applyLanguage();
  });
  loadChoices().catch(() => show($("hasil-aduan"), message(t("error"), "galat")));
  const code = new URLSearchParams(location.search).get("kode");
  if (code) track(code);
});
