// usersync admin UI: the mappings as a table. The JSON box stays the
// document that is saved (and is shown as the advanced view); the table
// reads it, and every edit in the table writes it back.
"use strict";

(function () {
  const box = document.getElementById("mappings");
  const holder = document.getElementById("mapping-table");
  if (!box || !holder) return;
  const main = document.getElementById("main");
  const csrf = main ? main.dataset.csrf || "" : "";
  const conn = holder.dataset.connection;
  const tbody = holder.querySelector("tbody");
  const note = document.getElementById("mapping-table-note");
  let rows = [];

  const isExpression = (s) => /[(\["]/.test(s);
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };

  const write = () => {
    box.value = JSON.stringify(rows, null, 2);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };

  const select = (id, label, value, options, onChange) => {
    const s = el("select", { id: id, "aria-label": label });
    for (const [v, text] of options) {
      const o = el("option", { value: v }, text);
      if (v === (value || "")) o.selected = true;
      s.appendChild(o);
    }
    s.addEventListener("change", () => onChange(s.value));
    return s;
  };

  const render = () => {
    tbody.textContent = "";
    rows.forEach((m, i) => {
      const tr = el("tr", { class: "mapping-row", "data-target": m.target || "" });
      const what = m.expression !== undefined ? m.expression : (m.source || "");
      const src = el("input", { id: "map-src-" + i, list: "attr-names", value: what, "aria-label": "Source attribute or expression of row " + (i + 1), class: "mono" });
      src.addEventListener("change", () => {
        const v = src.value.trim();
        delete m.source; delete m.expression;
        if (v !== "") { if (isExpression(v)) m.expression = v; else m.source = v; }
        write();
      });
      const tgt = el("input", { id: "map-target-" + i, list: "target-names", value: m.target || "", "aria-label": "Target field of row " + (i + 1) });
      tgt.addEventListener("change", () => { m.target = tgt.value.trim(); tr.dataset.target = m.target; write(); });
      const policy = el("td", { class: "policy" });
      for (const p of ["create", "update", "delete"]) {
        const lab = el("label", { class: "switch" });
        const cb = el("input", { type: "checkbox", role: "switch", id: "map-" + p + "-" + i });
        const pol = m.policy || {};
        cb.checked = pol[p] !== undefined ? pol[p] : p !== "delete";
        cb.addEventListener("change", () => { m.policy = Object.assign({}, m.policy || {}, { [p]: cb.checked }); write(); });
        lab.appendChild(cb);
        lab.appendChild(document.createTextNode(" " + p));
        policy.appendChild(lab);
      }
      const strength = select("map-strength-" + i, "Strength of row " + (i + 1), m.strength, [["", "always"], ["keepExisting", "keep existing"]],
        (v) => { if (v) m.strength = v; else delete m.strength; write(); });
      const type = select("map-type-" + i, "Type of row " + (i + 1), m.type, [["", "by target"], ["text", "text"], ["email", "email"], ["phone", "phone"], ["language", "language"], ["timeZone", "time zone"]],
        (v) => { if (v) m.type = v; else delete m.type; write(); });
      const remove = el("button", { type: "button", class: "link", "aria-label": "Remove row " + (i + 1) }, "Remove");
      remove.addEventListener("click", () => { rows.splice(i, 1); write(); render(); });
      const cells = [src, tgt, policy, strength, type];
      for (const c of cells) {
        if (c.tagName === "TD") tr.appendChild(c); else { const td = el("td"); td.appendChild(c); tr.appendChild(td); }
      }
      tr.appendChild(el("td", { class: "old" }));
      tr.appendChild(el("td", { class: "new" }));
      const td = el("td"); td.appendChild(remove); tr.appendChild(td);
      tbody.appendChild(tr);
    });
  };

  const load = () => {
    try {
      const parsed = JSON.parse(box.value || "[]");
      if (!Array.isArray(parsed)) throw new Error("not a list");
      rows = parsed;
      holder.hidden = false;
      note.hidden = true;
      render();
    } catch (e) {
      holder.hidden = true;
      note.hidden = false;
    }
  };
  box.addEventListener("change", load);
  document.getElementById("map-add").addEventListener("click", () => {
    rows.push({ source: "", target: "" });
    write();
    render();
    document.getElementById("map-src-" + (rows.length - 1)).focus();
  });

  // Test the mappings against one user: each row's expression is evaluated
  // on the user's directory entry (nothing is written), beside the value
  // the stored user has now.
  const testBtn = document.getElementById("map-test");
  const who = document.getElementById("map-test-user");
  const status = document.getElementById("map-test-status");
  testBtn.addEventListener("click", async () => {
    const user = who.value.trim();
    if (!user) { status.textContent = "Type a user to test with."; who.focus(); return; }
    status.textContent = "Testing…";
    const post = (body) => fetch("/api/v1/connections/" + encodeURIComponent(conn) + "/mappings/test", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body)
    }).then((r) => r.json().then((j) => ({ ok: r.ok, j: j })));
    let stored = {};
    try {
      const r = await fetch("/api/v1/users?limit=5&connection=" + encodeURIComponent(conn) + "&search=" + encodeURIComponent(user));
      const list = (await r.json()).items || [];
      const u = list.find((x) => (x.userId || "").toLowerCase() === user.toLowerCase()) || (list.length === 1 ? list[0] : null);
      if (u) stored = Object.assign({}, u.fields || {}, { userId: u.userId });
    } catch (e) { /* no stored user: old values stay empty */ }
    const trs = tbody.querySelectorAll("tr");
    let failed = "";
    for (let i = 0; i < rows.length; i++) {
      const m = rows[i];
      const expression = m.expression !== undefined ? m.expression : (m.source ? "[" + m.source + "]" : "");
      const oldCell = trs[i].querySelector(".old"), newCell = trs[i].querySelector(".new");
      oldCell.textContent = stored[m.target] || "";
      if (!expression) { newCell.textContent = ""; continue; }
      const res = await post({ user: user, expression: expression });
      if (!res.ok) { failed = res.j.message || "the test failed"; break; }
      newCell.textContent = res.j.error ? "error: " + res.j.error : (res.j.null ? "(none)" : (res.j.values || []).join("; "));
      newCell.classList.toggle("changed", newCell.textContent !== oldCell.textContent);
    }
    status.textContent = failed ? failed : "Tested against " + user + ": old is the stored value, new what these mappings give. Nothing was written.";
  });

  load();
})();

// The scoping filter as clauses: attribute, operator, value, AND-ed. The
// Scope JSON box stays the document; the builder reads and writes its
// "clauses" and leaves its groups and users as they are.
(function () {
  const box = document.getElementById("scope");
  const holder = document.getElementById("scope-builder");
  if (!box || !holder) return;
  const list = holder.querySelector("tbody");
  const ops = ["EQUALS", "NOT EQUALS", "IS TRUE", "IS FALSE", "IS NULL", "IS NOT NULL", "REGEX MATCH", "NOT REGEX MATCH",
    "Greater_Than", "Greater_Than_OR_EQUALS", "Includes", "ENDS_WITH"];
  const noValue = (op) => op.startsWith("IS ");
  let doc = {};
  const write = () => {
    const clean = Object.assign({}, doc);
    if (!clean.clauses || clean.clauses.length === 0) delete clean.clauses;
    box.value = Object.keys(clean).length ? JSON.stringify(clean, null, 2) : "";
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const render = () => {
    list.textContent = "";
    (doc.clauses || []).forEach((c, i) => {
      const tr = document.createElement("tr");
      tr.className = "scope-clause";
      const attr = document.createElement("input");
      attr.id = "scope-attr-" + i; attr.value = c.attribute || ""; attr.setAttribute("list", "attr-names");
      attr.setAttribute("aria-label", "Attribute of clause " + (i + 1));
      attr.addEventListener("change", () => { c.attribute = attr.value.trim(); write(); });
      const op = document.createElement("select");
      op.id = "scope-op-" + i; op.setAttribute("aria-label", "Operator of clause " + (i + 1));
      for (const o of ops) { const opt = document.createElement("option"); opt.value = o; opt.textContent = o; if (o === c.operator) opt.selected = true; op.appendChild(opt); }
      const val = document.createElement("input");
      val.id = "scope-value-" + i; val.value = c.value || ""; val.setAttribute("aria-label", "Value of clause " + (i + 1));
      val.disabled = noValue(op.value);
      op.addEventListener("change", () => { c.operator = op.value; val.disabled = noValue(op.value); if (val.disabled) { delete c.value; val.value = ""; } write(); });
      val.addEventListener("change", () => { c.value = val.value; write(); });
      const rm = document.createElement("button");
      rm.type = "button"; rm.className = "link"; rm.textContent = "Remove"; rm.setAttribute("aria-label", "Remove clause " + (i + 1));
      rm.addEventListener("click", () => { doc.clauses.splice(i, 1); write(); render(); });
      for (const el of [attr, op, val, rm]) { const td = document.createElement("td"); td.appendChild(el); tr.appendChild(td); }
      list.appendChild(tr);
    });
    holder.querySelector("table").hidden = !(doc.clauses || []).length;
  };
  const load = () => {
    try {
      doc = box.value.trim() ? JSON.parse(box.value) : {};
      if (typeof doc !== "object" || Array.isArray(doc) || doc === null) throw new Error("not an object");
      holder.hidden = false;
      render();
    } catch (e) {
      holder.hidden = true;
    }
  };
  box.addEventListener("change", load);
  document.getElementById("scope-add").addEventListener("click", () => {
    doc.clauses = doc.clauses || [];
    doc.clauses.push({ attribute: "", operator: "EQUALS", value: "" });
    write();
    render();
    document.getElementById("scope-attr-" + (doc.clauses.length - 1)).focus();
  });
  load();
})();
