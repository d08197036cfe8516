/*
 * Web chat client: renders the conversation, sends what the user types or taps to
 * POST /api/chat, polls GET /api/inbox for messages the bot sends on its own, and keeps the
 * view in sessionStorage so a reload does not lose it. Plain ES2020, no dependencies.
 *
 * Bot text is always set with textContent (never innerHTML); line breaks are kept by CSS.
 */
"use strict";

(() => {
  // Fixed Vietnamese texts of the page, kept in one place (see the note in index.html).
  const TEXT = {
    sendFailed: "Không gửi được, bạn thử lại nhé.",
    phoneHint: "Bạn hãy nhập số điện thoại vào ô bên dưới, ví dụ: 0912345678",
    locationHint: "Bạn hãy nhập địa chỉ vào ô bên dưới (thôn/tổ, phường/xã), "
      + "ví dụ: Thôn 3, xã Tân Lập",
    documentFallback: "Tải tệp về",
    imageAlt: "Hình ảnh từ trợ lý",
    typing: "Đang trả lời…",
    fileTooBig: "Tệp lớn quá, bạn gửi tệp dưới 1,4 MB nhé.",
    fileSent: "📎 ",
  };
  // The server takes bodies up to 2 MB; a file travels base64-encoded (4/3 of its size).
  const MAX_UPLOAD_BYTES = 1400 * 1024;

  const KEYS = {
    clientId: "giamngheo.webchat.client_id",
    history: "giamngheo.webchat.history",
  };
  const POLL_MS = 10000;
  const REQUEST_TIMEOUT_MS = 30000;
  const MAX_HISTORY = 200;
  const SAFE_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$/;

  const els = {
    messages: document.getElementById("messages"),
    form: document.getElementById("composer"),
    input: document.getElementById("input"),
    send: document.getElementById("send"),
    error: document.getElementById("error"),
    errorText: document.getElementById("error-text"),
    retry: document.getElementById("retry"),
    attach: document.getElementById("attach"),
    file: document.getElementById("file"),
  };

  let busy = false;
  let retryAction = null;
  let pollTimer = null;
  let polling = false;

  // --- ids and storage -------------------------------------------------------------------

  function newId() {
    if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
    // randomUUID exists only in secure contexts; a plain-http trial server still needs ids.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    const part = (from, to) => h.slice(from, to);
    return [part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20)].join("-");
  }

  function loadClientId() {
    let id = null;
    try {
      id = localStorage.getItem(KEYS.clientId);
    } catch (_) {
      // Storage blocked (private mode): the id then lives as long as the page.
    }
    if (!id) {
      id = newId();
      try {
        localStorage.setItem(KEYS.clientId, id);
      } catch (_) { /* see above */ }
    }
    return id;
  }

  function loadHistory() {
    try {
      const parsed = JSON.parse(sessionStorage.getItem(KEYS.history) || "[]");
      return Array.isArray(parsed) ? parsed : [];
    } catch (_) {
      return [];
    }
  }

  function saveHistory() {
    if (history.length > MAX_HISTORY) history.splice(0, history.length - MAX_HISTORY);
    try {
      sessionStorage.setItem(KEYS.history, JSON.stringify(history));
    } catch (_) {
      // Over quota: images and files are the heavy part; keep the words.
      history.forEach((e) => { e.image = null; e.document = null; });
      try {
        sessionStorage.setItem(KEYS.history, JSON.stringify(history));
      } catch (_) { /* the live view still works */ }
    }
  }

  const clientId = loadClientId();
  const history = loadHistory();

  // --- rendering -------------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function isNearBottom() {
    const m = els.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 80;
  }

  function scrollToBottom() {
    els.messages.scrollTop = els.messages.scrollHeight;
  }

  function safeDocumentUrl(url) {
    return typeof url === "string" && /^(data:|https?:|\/)/i.test(url) && !/^\/\//.test(url);
  }

  function renderUser(entry) {
    const wrap = el("div", "msg user");
    wrap.appendChild(el("div", "bubble", entry.text));
    els.messages.appendChild(wrap);
    scrollToBottom();
    return wrap;
  }

  function renderBot(entry, scroll = true) {
    const wrap = el("div", "msg bot");
    if (entry.text) wrap.appendChild(el("div", "bubble", entry.text));
    if (entry.image && SAFE_IMAGE.test(entry.image)) {
      const img = el("img");
      img.alt = TEXT.imageAlt;
      img.addEventListener("load", () => { if (isNearBottom()) scrollToBottom(); });
      img.src = entry.image;
      wrap.appendChild(img);
    }
    if (entry.document && safeDocumentUrl(entry.document.url)) {
      const link = el("a", "doc", entry.document.file_name || TEXT.documentFallback);
      link.href = entry.document.url;
      link.download = entry.document.file_name || "";
      link.rel = "noopener";
      wrap.appendChild(link);
    }
    if (entry.request === "phone") wrap.appendChild(el("div", "hint", TEXT.phoneHint));
    if (entry.request === "location") wrap.appendChild(el("div", "hint", TEXT.locationHint));
    if (entry.choices.length) wrap.appendChild(renderChoices(entry));
    els.messages.appendChild(wrap);
    if (scroll) scrollToBottom();
    return wrap;
  }

  /** Several bubbles at once (a result in parts): the first new one at the top, so the person
   * reads from its beginning instead of landing on the last. */
  function scrollToFirst(node) {
    const m = els.messages;
    m.scrollTop = Math.min(node.offsetTop - m.offsetTop - 8, m.scrollHeight);
  }

  /** After the person's data was deleted: nothing of the conversation stays on the device. */
  function forgetTranscript() {
    history.splice(0, history.length);
    els.messages.querySelectorAll(".msg").forEach((node) => node.remove());
    try {
      sessionStorage.removeItem(KEYS.history);
    } catch (_) { /* storage blocked: nothing was kept there either */ }
  }

  function renderChoices(entry) {
    const box = el("div", "choices");
    entry.choices.forEach((choice) => {
      const button = el("button", "", choice.label);
      button.type = "button";
      button.addEventListener("click", () => sendChoice(entry, box, choice));
      box.appendChild(button);
    });
    markChoices(entry, box);
    return box;
  }

  function markChoices(entry, box) {
    Array.from(box.children).forEach((button, i) => {
      button.disabled = entry.used;
      button.classList.toggle("chosen", entry.used && entry.chosen === i);
    });
  }

  function showTyping() {
    const wrap = el("div", "msg bot typing");
    wrap.setAttribute("aria-hidden", "true");
    wrap.appendChild(el("div", "bubble", TEXT.typing));
    els.messages.appendChild(wrap);
    scrollToBottom();
    return wrap;
  }

  // --- replies from the server -----------------------------------------------------------

  function normaliseReply(raw) {
    const r = raw && typeof raw === "object" ? raw : {};
    const choices = Array.isArray(r.choices)
      ? r.choices
        .filter((c) => c && typeof c.label === "string" && typeof c.payload === "string")
        .map((c) => ({ label: c.label, payload: c.payload }))
      : [];
    const doc = r.document && typeof r.document === "object" ? r.document : null;
    return {
      who: "bot",
      text: typeof r.text === "string" ? r.text : "",
      choices,
      request: r.request === "phone" || r.request === "location" ? r.request : null,
      image: typeof r.image === "string" ? r.image : null,
      document: doc
        ? { file_name: String(doc.file_name || ""), url: String(doc.url || "") }
        : null,
      used: false,
      chosen: null,
      forget: r.forget === true,
    };
  }

  function addBotReplies(replies) {
    const entries = replies.map(normaliseReply);
    if (entries.some((entry) => entry.forget)) forgetTranscript();
    const nodes = entries.map((entry) => {
      delete entry.forget;
      history.push(entry);
      return renderBot(entry, false);
    });
    if (nodes.length > 1) {
      scrollToFirst(nodes[0]);
    } else if (nodes.length) {
      scrollToBottom();
    }
    if (entries.length) {
      // A phone request opens the number pad on phones.
      els.input.inputMode = entries[entries.length - 1].request === "phone" ? "tel" : "text";
    }
    saveHistory();
  }

  // --- talking to the server -------------------------------------------------------------

  async function fetchReplies(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(url, { ...options, signal: controller.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      if (!data || !Array.isArray(data.replies)) throw new Error("bad answer");
      return data.replies;
    } finally {
      clearTimeout(timer);
    }
  }

  function postChat(body) {
    return fetchReplies("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_id: clientId, ...body }),
    });
  }

  function setBusy(value) {
    busy = value;
    els.send.disabled = value;
    els.messages.setAttribute("aria-busy", String(value));
  }

  function showError(retry) {
    retryAction = retry;
    els.errorText.textContent = TEXT.sendFailed;
    els.error.hidden = false;
  }

  function hideError() {
    retryAction = null;
    els.error.hidden = true;
  }

  /** Sends one message; shows `echo` as the user's bubble. Resolves to true when answered. */
  async function exchange(body, echo, retry) {
    setBusy(true);
    hideError();
    let userEntry = null;
    let userNode = null;
    if (echo) {
      userEntry = { who: "user", text: echo };
      history.push(userEntry);
      userNode = renderUser(userEntry);
      userNode.classList.add("pending");
    }
    const typing = showTyping();
    try {
      const replies = await postChat(body);
      typing.remove();
      if (userNode) userNode.classList.remove("pending");
      addBotReplies(replies);
      return true;
    } catch (_) {
      typing.remove();
      if (userNode) {
        userNode.remove();
        history.splice(history.indexOf(userEntry), 1);
      }
      saveHistory();
      showError(retry);
      return false;
    } finally {
      setBusy(false);
    }
  }

  // The same message_id on a retry lets the server drop a message it already handled.
  async function sendText(text, messageId = newId()) {
    if (busy) return;
    if (els.input.value.trim() === text) setInput("");
    const retry = () => sendText(text, messageId);
    const ok = await exchange({ message_id: messageId, text }, text, retry);
    // Never lose what was typed: put it back unless the user has started something new.
    if (!ok && els.input.value.trim() === "") setInput(text);
  }

  async function sendChoice(entry, box, choice, messageId = newId()) {
    if (busy || entry.used) return;
    entry.used = true;
    entry.chosen = entry.choices.indexOf(choice);
    markChoices(entry, box);
    saveHistory();
    const ok = await exchange(
      { message_id: messageId, choice: choice.payload },
      choice.label,
      () => sendChoice(entry, box, choice, messageId),
    );
    if (!ok) {
      entry.used = false;
      entry.chosen = null;
      markChoices(entry, box);
      saveHistory();
    }
  }

  /** A photo or a file (an officer's Excel list): sent as the same neutral event kinds as on
   * Telegram (photo, document), base64 in the JSON body. */
  function readAsBase64(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  async function sendFile(file, messageId = newId()) {
    if (busy || !file) return;
    if (file.size > MAX_UPLOAD_BYTES) {
      els.errorText.textContent = TEXT.fileTooBig;
      els.error.hidden = false;
      retryAction = null;
      return;
    }
    const data = await readAsBase64(file);
    const body = {
      message_id: messageId,
      file: { name: file.name, type: file.type || "application/octet-stream", data },
    };
    await exchange(body, TEXT.fileSent + file.name, () => sendFile(file, messageId));
  }

  function onFileChosen() {
    const file = els.file.files && els.file.files[0];
    els.file.value = "";
    if (file) sendFile(file);
  }

  async function sendStart(messageId = newId()) {
    await exchange({ message_id: messageId, text: "/start" }, null, () => sendStart(messageId));
  }

  // --- inbox polling ---------------------------------------------------------------------

  function schedulePoll() {
    clearTimeout(pollTimer);
    if (document.visibilityState === "visible") pollTimer = setTimeout(pollInbox, POLL_MS);
  }

  async function pollInbox() {
    if (polling) return;
    polling = true;
    try {
      const url = `/api/inbox?client_id=${encodeURIComponent(clientId)}`;
      addBotReplies(await fetchReplies(url, { method: "GET" }));
    } catch (_) {
      // A missed poll is retried on the next tick; nothing the user must act on.
    } finally {
      polling = false;
      schedulePoll();
    }
  }

  // --- composer --------------------------------------------------------------------------

  function setInput(value) {
    els.input.value = value;
    fitInput();
  }

  function fitInput() {
    els.input.style.height = "auto";
    els.input.style.height = `${els.input.scrollHeight + 3}px`;
  }

  function onSubmit(event) {
    event.preventDefault();
    const text = els.input.value.trim();
    if (text) sendText(text);
  }

  function onKeyDown(event) {
    // Enter sends, Shift+Enter breaks the line; never while a Vietnamese IME is composing.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) {
      return;
    }
    event.preventDefault();
    els.form.requestSubmit();
  }

  function start() {
    history.forEach((entry) => {
      if (entry.who === "user") {
        renderUser(entry);
      } else {
        renderBot(entry);
      }
    });
    els.form.addEventListener("submit", onSubmit);
    els.input.addEventListener("keydown", onKeyDown);
    els.input.addEventListener("input", fitInput);
    els.retry.addEventListener("click", () => { if (retryAction && !busy) retryAction(); });
    if (els.attach && els.file) {
      els.attach.addEventListener("click", () => els.file.click());
      els.file.addEventListener("change", onFileChosen);
    }
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        pollInbox();
      } else {
        clearTimeout(pollTimer);
      }
    });
    if (!history.length) sendStart();
    schedulePoll();
  }

  start();
})();
