// The Advanced UPN Sync Settings dialog. It reads the
// ConfigureTwo field when it opens, and Save writes the JSON document back
// into that field (Update on the page persists it; Cancel discards). The
// document's keys are written in the schema's order, so the result is
// byte for byte the worked examples.
"use strict";

(function () {
  const openBtn = document.getElementById("advanced-settings");
  const dlg = document.getElementById("upn-dialog");
  const field = document.getElementById("configureTwo");
  if (!openBtn || !dlg || !field) return;

  const $ = (id) => document.getElementById(id);
  const mail = $("upn-mail-fallback"), sync = $("upn-sync-enabled"), group = $("upn-sync-fields");
  const target = $("upn-target"), multi = $("upn-multi"), prefixed = $("upn-format-prefixed"), plain = $("upn-format-plain");
  const prefixRow = $("upn-prefix-row"), prefix = $("upn-prefix"), lower = $("upn-lowercase");
  const skip = $("upn-skip-present"), variants = $("upn-prefix-variants"), onFail = $("upn-on-failure");

  // defaults is the document with both toggles off.
  function defaults() {
    return {
      schemaVersion: 1,
      mailFallbackOnMissingUpn: { enabled: false },
      syncUpnToAdAttribute: {
        enabled: false, targetAttribute: "proxyAddresses", multiValued: true, valueFormat: "prefixed",
        prefix: "smtp", lowercase: true, skipIfAlreadyPresent: true, treatPrefixVariantsAsDuplicates: true,
        onWriteFailure: "warn",
      },
    };
  }

  // read returns the document in the field, with defaults for what is
  // missing or unreadable.
  function read() {
    const d = defaults();
    let doc = {};
    try { doc = field.value.trim() ? JSON.parse(field.value) : {}; } catch (e) { doc = {}; }
    if (doc && typeof doc === "object") {
      Object.assign(d.mailFallbackOnMissingUpn, doc.mailFallbackOnMissingUpn || {});
      Object.assign(d.syncUpnToAdAttribute, doc.syncUpnToAdAttribute || {});
    }
    return d;
  }

  function refresh() {
    group.disabled = !sync.checked;
    prefixRow.hidden = !prefixed.checked;
  }

  function fill(d) {
    const s = d.syncUpnToAdAttribute;
    mail.checked = !!d.mailFallbackOnMissingUpn.enabled;
    sync.checked = !!s.enabled;
    target.value = s.targetAttribute;
    multi.checked = !!s.multiValued;
    prefixed.checked = s.valueFormat !== "plain";
    plain.checked = s.valueFormat === "plain";
    prefix.value = s.prefix;
    lower.checked = !!s.lowercase;
    skip.checked = !!s.skipIfAlreadyPresent;
    variants.checked = !!s.treatPrefixVariantsAsDuplicates;
    onFail.value = s.onWriteFailure;
    showError("upn-target-error", "");
    showError("upn-prefix-error", "");
    refresh();
  }

  function showError(id, msg) {
    const e = $(id);
    e.textContent = msg;
    e.hidden = !msg;
    const input = id === "upn-target-error" ? target : prefix;
    if (msg) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  // collect builds the document in the schema's key order.
  function collect() {
    return {
      schemaVersion: 1,
      mailFallbackOnMissingUpn: { enabled: mail.checked },
      syncUpnToAdAttribute: {
        enabled: sync.checked,
        targetAttribute: target.value.trim(),
        multiValued: multi.checked,
        valueFormat: plain.checked ? "plain" : "prefixed",
        prefix: prefix.value.trim(),
        lowercase: lower.checked,
        skipIfAlreadyPresent: skip.checked,
        treatPrefixVariantsAsDuplicates: variants.checked,
        onWriteFailure: onFail.value,
      },
    };
  }

  // validate mirrors upn.Validate for what the dialog can get wrong.
  function validate(d) {
    const s = d.syncUpnToAdAttribute;
    let ok = true;
    const attr = /^([A-Za-z][A-Za-z0-9-]*|[1-9][0-9]*(\.(0|[1-9][0-9]*))+|0(\.(0|[1-9][0-9]*))+)$/;
    if (s.enabled && !s.targetAttribute) { showError("upn-target-error", "Enter the attribute to write."); ok = false; }
    else if (s.targetAttribute && !attr.test(s.targetAttribute)) { showError("upn-target-error", "Not a valid LDAP attribute name."); ok = false; }
    else showError("upn-target-error", "");
    if (s.enabled && s.valueFormat === "prefixed" && !s.prefix) { showError("upn-prefix-error", "Enter a prefix, such as smtp."); ok = false; }
    else if (s.prefix.includes(":")) { showError("upn-prefix-error", "Leave out the ':' (it is added when writing)."); ok = false; }
    else showError("upn-prefix-error", "");
    return ok;
  }

  openBtn.addEventListener("click", () => {
    fill(read());
    dlg.showModal();
    mail.focus();
  });
  sync.addEventListener("change", refresh);
  prefixed.addEventListener("change", refresh);
  plain.addEventListener("change", refresh);
  $("upn-save").addEventListener("click", () => {
    const d = collect();
    if (!validate(d)) return;
    field.value = JSON.stringify(d);
    field.dispatchEvent(new Event("change", { bubbles: true }));
    dlg.close("save");
    openBtn.focus();
  });
  $("upn-cancel").addEventListener("click", () => {
    dlg.close("cancel");
    openBtn.focus();
  });
})();
