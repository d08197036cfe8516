/*
 * Demo banner and role switcher (`giamngheo run --demo`). Outside a demo GET /api/demo answers
 * 404 and this script does nothing. In a demo it shows the server's banner and one button per
 * role; a tap asks POST /api/demo/role to give this browser's user that role, then sends /menu
 * through the chat's own form, so the new role's menu appears in the conversation.
 * Texts come from the server (the bot's catalog). Plain ES2020, no dependencies.
 */
"use strict";

(() => {
  const CLIENT_ID_KEY = "giamngheo.webchat.client_id"; // the id chat.js keeps (see chat.js KEYS)

  function clientId() {
    try {
      return localStorage.getItem(CLIENT_ID_KEY);
    } catch (_) {
      return null;
    }
  }

  function sendThroughChat(text) {
    const input = document.getElementById("input");
    const form = document.getElementById("composer");
    input.value = text;
    form.requestSubmit();
  }

  async function choose(role, buttons, button) {
    const id = clientId();
    if (!id) return;
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const response = await fetch("/api/demo/role", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_id: id, role }),
      });
      if (!response.ok) return;
      buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      sendThroughChat("/menu");
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  async function start() {
    let info;
    try {
      const id = clientId();
      const response = await fetch(id ? `/api/demo?client_id=${encodeURIComponent(id)}`
        : "/api/demo");
      if (!response.ok) return;
      info = await response.json();
    } catch (_) {
      return;
    }
    const bar = document.createElement("section");
    bar.className = "demo";
    bar.id = "demo";
    bar.setAttribute("aria-label", info.switch);
    const note = document.createElement("p");
    note.className = "demo-note";
    note.textContent = info.banner;
    const label = document.createElement("span");
    label.className = "demo-switch";
    label.textContent = info.switch;
    bar.append(note, label);
    const buttons = info.roles.map((role) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.role = role.id;
      button.textContent = role.label;
      button.setAttribute("aria-pressed", String(role.id === (info.current || "household")));
      return button;
    });
    buttons.forEach((button) => {
      button.addEventListener("click", () => choose(button.dataset.role, buttons, button));
      bar.append(button);
    });
    document.querySelector("header.top").after(bar);
  }

  start();
})();
