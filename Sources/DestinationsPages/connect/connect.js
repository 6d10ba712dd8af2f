// The hosted connect page: draws the form the server describes for the link's destination type, checks
// it with the server's own rules and messages, and submits it; the server tests the connection before it
// saves anything. OAuth types go through the provider's consent and come back to /callback. When framed,
// it tells the parent (on the origins the server allows) that it loaded and how the flow ended.
(() => {
  "use strict";
  const path = location.pathname.split("/").filter(Boolean);
  const key = path[1] || "";
  const base = "/connect/" + encodeURIComponent(key);
  const returning = path[2] === "callback";
  const saved = "connect-fields:" + key;
  const byId = (id) => document.getElementById(id);
  let spec = null;

  function tellParent(message, data) {
    if (window.parent === window || !spec) return;
    for (const origin of spec.frame_origins) window.parent.postMessage(data ? { message, data } : { message }, origin);
  }

  function showStatus(text, kind) {
    const status = byId("status");
    status.textContent = text;
    status.className = kind || "";
    status.hidden = !text;
  }

  function settle() { byId("page").setAttribute("aria-busy", "false"); }

  function fieldInput(field) {
    let input;
    if (field.choices) {
      input = document.createElement("select");
      const none = document.createElement("option");
      none.value = "";
      none.textContent = field.required ? "Choose…" : "(none)";
      input.appendChild(none);
      for (const choice of field.choices) {
        const option = document.createElement("option");
        option.value = choice;
        option.textContent = choice;
        input.appendChild(option);
      }
    } else if (field.input_type === "key_values") {
      // One "Name: value" a line, sent as an object.
      input = document.createElement("textarea");
      input.rows = 3;
      input.placeholder = field.placeholder || "Name: value";
    } else {
      input = document.createElement("input");
      input.type = field.secret ? "password" : field.input_type;
      input.autocomplete = field.secret ? "new-password" : "off";
      input.spellcheck = false;
      if (field.placeholder) input.placeholder = field.placeholder;
    }
    input.id = "field-" + field.id;
    input.name = field.id;
    if (field.required) input.required = true;
    return input;
  }

  function drawFields(fields) {
    const container = byId("fields");
    container.textContent = "";
    for (const field of fields) {
      const wrapper = document.createElement("div");
      wrapper.className = "field";
      const label = document.createElement("label");
      label.htmlFor = "field-" + field.id;
      label.textContent = field.label;
      if (!field.required) {
        const optional = document.createElement("span");
        optional.className = "optional";
        optional.textContent = " (optional)";
        label.appendChild(optional);
      }
      const input = fieldInput(field);
      const described = [];
      wrapper.append(label, input);
      if (field.hint) {
        const hint = document.createElement("div");
        hint.className = "hint";
        hint.id = "hint-" + field.id;
        hint.textContent = field.hint;
        wrapper.appendChild(hint);
        described.push(hint.id);
      }
      const error = document.createElement("div");
      error.className = "error";
      error.id = "error-" + field.id;
      error.hidden = true;
      wrapper.appendChild(error);
      described.push(error.id);
      input.setAttribute("aria-describedby", described.join(" "));
      container.appendChild(wrapper);
    }
  }

  function markInvalid(id, message) {
    const input = byId("field-" + id);
    const error = byId("error-" + id);
    if (!input || !error) return false;
    input.setAttribute("aria-invalid", "true");
    error.textContent = message;
    error.hidden = false;
    return true;
  }

  function clearInvalid() {
    for (const input of document.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    for (const error of document.querySelectorAll(".error")) { error.hidden = true; error.textContent = ""; }
  }

  // The server's rules, in its words: a required field present, a value in its format.
  function collect() {
    clearInvalid();
    const credentials = {};
    let firstProblem = null;
    for (const field of spec.fields) {
      const value = byId("field-" + field.id).value;
      let problem = null;
      if (!/\S/.test(value)) {
        if (field.required) problem = field.required_message;
      } else if (field.pattern && !new RegExp(field.pattern, "u").test(value)) {
        problem = field.format_message;
      } else if (field.input_type === "key_values") {
        credentials[field.id] = Object.fromEntries(
          value.split("\n").filter((line) => line.includes(":")).map((line) => {
            const colon = line.indexOf(":");
            return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
          }));
      } else {
        credentials[field.id] = value;
      }
      if (problem) {
        markInvalid(field.id, problem);
        firstProblem = firstProblem || { field, problem };
      }
    }
    if (firstProblem) {
      showStatus(firstProblem.problem);
      byId("field-" + firstProblem.field.id).focus();
      return null;
    }
    return credentials;
  }

  function drawSteps(steps) {
    const container = byId("steps");
    container.textContent = "";
    if (!steps || !steps.length) { container.hidden = true; return; }
    const list = document.createElement("ul");
    for (const step of steps) {
      const item = document.createElement("li");
      item.className = step.status;
      item.textContent = step.step + ": " + step.status + (step.error ? " (" + step.error.message + ")" : "");
      list.appendChild(item);
    }
    container.appendChild(list);
    container.hidden = false;
  }

  async function submit(credentials) {
    const button = byId("submit");
    button.disabled = true;
    showStatus("Testing the connection…", "info");
    let response, body;
    try {
      response = await fetch(base, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": spec.csrf_token },
        body: JSON.stringify({ credentials }),
      });
      body = await response.json();
    } catch (error) {
      showStatus("The server could not be reached: " + error.message);
      button.disabled = false;
      return;
    }
    if (response.status === 201) {
      sessionStorage.removeItem(saved);
      showStatus("");
      byId("form").hidden = true;
      const done = byId("done");
      done.textContent = "Connected " + body.data.name + ".";
      done.hidden = false;
      tellParent("EXITED_CONNECT_FLOW", { status: "created", details: { id: body.data.id, name: body.data.name } });
      if (body.redirect) location.assign(body.redirect);
      return;
    }
    showStatus(body.message || "Something went wrong (" + response.status + ")");
    drawSteps(body.steps);
    const named = /credentials\.([A-Za-z0-9_]+)/.exec(body.message || "");
    if (named) markInvalid(named[1], body.message);
    byId("form").hidden = false;
    button.disabled = false;
  }

  async function load() {
    let response, body;
    try {
      response = await fetch(base + "/form", { headers: { Accept: "application/json" } });
      body = await response.json();
    } catch (error) {
      showStatus("The server could not be reached: " + error.message);
      settle();
      return;
    }
    if (!response.ok) {
      showStatus(body.message || "This link cannot be used");
      settle();
      return;
    }
    spec = body;
    document.title = "Connect " + spec.label;
    byId("title").textContent = (spec.reauthorizes ? "Reconnect " : "Connect ") + spec.label;
    tellParent("LOADED");
    drawFields(spec.fields);
    const form = byId("form");
    const oauth = spec.auth_method === "oauth";
    byId("submit").textContent = oauth ? "Continue to " + spec.label : "Test and save";
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const credentials = collect();
      if (!credentials) return;
      if (!oauth) { submit(credentials); return; }
      // The fields wait in this tab while the provider asks for consent; only a Zendesk-style domain,
      // which the consent page's address needs, goes with the browser (never a secret).
      sessionStorage.setItem(saved, JSON.stringify(credentials));
      const domain = credentials.domain ? "?domain=" + encodeURIComponent(credentials.domain) : "";
      location.assign(base + "/authorize" + domain);
    });
    settle();
    if (returning) {
      const query = new URLSearchParams(location.search);
      if (query.get("error")) {
        form.hidden = false;
        showStatus(spec.label + " did not authorise the connection: " + (query.get("error_description") || query.get("error")));
        return;
      }
      const credentials = JSON.parse(sessionStorage.getItem(saved) || "{}");
      credentials.oauth_code = query.get("code") || "";
      if (query.get("state")) credentials.state = query.get("state");
      history.replaceState(null, "", base);
      await submit(credentials);
      return;
    }
    form.hidden = false;
    byId("field-" + (spec.fields[0] || {}).id)?.focus();
  }

  load();
})();
