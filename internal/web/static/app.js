// usersync admin UI: small progressive enhancements. Every page works
// without this script except the Advanced UPN Sync Settings dialog.
"use strict";

(function () {
  const main = document.getElementById("main");
  const csrf = main ? main.dataset.csrf || "" : "";

  // Forms with data-confirm ask before posting.
  document.querySelectorAll("form[data-confirm]").forEach((f) => {
    f.addEventListener("submit", (ev) => {
      if (!window.confirm(f.dataset.confirm)) ev.preventDefault();
    });
  });

  // "Skip TLS verification" turns red when on.
  const skip = document.getElementById("tlsSkipVerify");
  if (skip) {
    const label = document.getElementById("skip-label");
    const warn = document.querySelector(".warn-skip");
    const sync = () => {
      label.classList.toggle("danger-text", skip.checked);
      if (warn) warn.hidden = !skip.checked;
    };
    skip.addEventListener("change", sync);
    sync();
  }

  // After a failed Add, Update or Preview the page comes back with a summary
  // at its top; focus moves to the first control in error. After a Preview
  // it moves to the results. After a successful Update the page returns to
  // the place the administrator was at.
  const summary = document.getElementById("form-summary");
  const previewSummary = document.getElementById("preview-summary");
  const placeKey = "usersync-place:" + location.pathname;
  if (summary) {
    const first = document.querySelector('main [aria-invalid="true"]');
    (first || summary).focus();
  } else if (previewSummary) {
    document.getElementById("preview").focus();
  } else if (document.querySelector('main .alert.ok[role="status"]')) {
    const y = Number(sessionStorage.getItem(placeKey));
    if (y > 0) window.scrollTo(0, y);
  }
  sessionStorage.removeItem(placeKey);

  // Edit Directory marks unsaved changes, and it and the Add form warn
  // before leaving them. The form as the page shows it after a failed
  // Update, Add or a Preview is not saved either.
  const editForm = document.getElementById("edit-form") || document.getElementById("add-form");
  if (editForm) {
    const marker = document.getElementById("unsaved-marker");
    const snapshot = () => {
      const data = new FormData(editForm);
      data.delete("csrf");
      return new URLSearchParams(data).toString();
    };
    const initial = snapshot();
    const unsavedAtLoad = !!(summary || previewSummary);
    let leaving = false;
    const dirty = () => unsavedAtLoad || snapshot() !== initial;
    const mark = () => {
      const d = dirty();
      if (marker) marker.hidden = !d;
      editForm.classList.toggle("unsaved", d);
    };
    editForm.addEventListener("input", mark);
    editForm.addEventListener("change", mark);
    mark();
    // Any form the page posts (Update, Preview, Delete) leaves on purpose;
    // a form whose own handler cancelled the submit does not.
    document.addEventListener("submit", (ev) => {
      if (ev.defaultPrevented) return;
      leaving = true;
      sessionStorage.setItem(placeKey, String(window.scrollY));
    });
    window.addEventListener("beforeunload", (ev) => {
      if (leaving || !dirty()) return;
      ev.preventDefault();
      ev.returnValue = "";
    });
  }

  // Add: confirm the system addition in a dialog before posting.
  const addForm = document.getElementById("add-form");
  const confirmDlg = document.getElementById("confirm-add");
  if (addForm && confirmDlg && confirmDlg.showModal) {
    let confirmed = false;
    addForm.addEventListener("submit", (ev) => {
      if (confirmed) return;
      ev.preventDefault();
      document.getElementById("confirm-name").textContent =
        addForm.elements.friendlyName.value || addForm.elements.name.value;
      document.getElementById("confirm-server").textContent =
        addForm.elements.dnsName.value + ":" + addForm.elements.port.value;
      confirmDlg.showModal();
      document.getElementById("confirm-yes").focus();
    });
    document.getElementById("confirm-yes").addEventListener("click", () => {
      confirmed = true;
      confirmDlg.close();
      addForm.requestSubmit();
    });
    document.getElementById("confirm-no").addEventListener("click", () => confirmDlg.close());
  }

  // Check connection: call the API and show the result inline.
  document.querySelectorAll("form.check-form").forEach((f) => {
    f.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const name = f.dataset.name;
      const out = document.getElementById("check-" + name);
      const button = f.querySelector("button");
      button.disabled = true;
      out.replaceChildren(el("div", "alert", "Checking " + name + "…"));
      try {
        const resp = await fetch("/api/v1/connections/" + encodeURIComponent(name) + "/check", {
          method: "POST",
          headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
          credentials: "same-origin",
        });
        const body = await resp.json();
        out.replaceChildren(checkResult(body, resp.ok));
      } catch (err) {
        out.replaceChildren(el("div", "alert error", "Check failed: " + err));
      } finally {
        button.disabled = false;
      }
    });
  });

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function checkResult(body, ok) {
    if (!ok) {
      const d = el("div", "alert error");
      d.append(el("strong", "", "Check failed" + (body.field ? " (" + body.field + ")" : "") + ": "));
      d.append(document.createTextNode(body.message || "unknown error"));
      return d;
    }
    const d = el("div", "alert ok");
    d.append(el("strong", "", "Connected and operational: "));
    d.append(document.createTextNode(body.flavor + (body.vendor ? " (" + body.vendor + ")" : "") +
      ", " + body.entries + " entries match the search."));
    const ul = el("ul");
    (body.steps || []).forEach((s) => ul.append(el("li", "", s)));
    d.append(ul);
    return d;
  }

  // Live progress of a running sync: poll every 500 ms until it is done.
  const prog = document.getElementById("progress");
  if (prog && prog.dataset.done === "false") {
    const id = prog.dataset.run;
    const bar = document.getElementById("p-bar");
    const set = (id, v) => { const e = document.getElementById(id); if (e) e.textContent = v; };
    const tick = async () => {
      try {
        const resp = await fetch("/api/v1/runs/" + id + "/progress", { credentials: "same-origin" });
        if (!resp.ok) return setTimeout(tick, 2000);
        const p = await resp.json();
        if (p.expected > 0) {
          bar.max = p.expected;
          bar.value = Math.min(p.entriesRead, p.expected);
        }
        set("p-read", p.entriesRead);
        set("p-applied", p.applied);
        set("p-rate", Math.round(p.ratePerSecond));
        set("p-created", p.created);
        set("p-updated", p.updated);
        set("p-deactivated", p.deactivated);
        set("p-duration", (p.durationMs / 1000).toFixed(1) + "s");
        set("p-status", p.status);
        if (p.done) {
          window.location.reload();
          return;
        }
      } catch (err) {
        // The server may be restarting: keep trying, more slowly.
        return setTimeout(tick, 2000);
      }
      setTimeout(tick, 500);
    };
    setTimeout(tick, 500);
  }
})();

// The Menu button opens and closes the navigation on narrow screens.
(function () {
  const btn = document.querySelector(".nav-toggle");
  const nav = document.getElementById("main-nav");
  if (!btn || !nav) return;
  btn.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    btn.setAttribute("aria-expanded", String(open));
  });
})();

// A region that scrolls sideways (a wide table on a phone) can be reached
// and scrolled with the keyboard.
(function () {
  const mark = () => {
    document.querySelectorAll("main table, main .scroll").forEach((el) => {
      if (el.closest(".scroll") && !el.classList.contains("scroll")) return;
      if (el.scrollWidth > el.clientWidth + 1) {
        el.tabIndex = 0;
      } else if (el.tabIndex === 0 && !el.matches("a, button, input, select, textarea")) {
        el.removeAttribute("tabindex");
      }
    });
  };
  mark();
  window.addEventListener("resize", mark);
})();
