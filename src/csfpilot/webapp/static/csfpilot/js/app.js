/*
 * Small progressive enhancements. Every page works without this file; it lives
 * here (not inline) so that a strict Content-Security-Policy can forbid inline
 * scripts and event handlers.
 */
(function () {
  "use strict";

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // "/" jumps to the search box, as on many documentation sites.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(document.activeElement)) return;
    var box = document.querySelector("[data-shortcut='/']");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // Expand / collapse every <details> of a tree.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tree-toggle]");
    if (!button) return;
    var tree = document.querySelector(button.getAttribute("data-tree-target"));
    if (!tree) return;
    var open = button.getAttribute("data-tree-toggle") === "open";
    tree.querySelectorAll("details").forEach(function (d) {
      d.open = open;
    });
  });

  // A link to #GV.OC-01 inside a collapsed branch opens that branch first.
  function revealHash() {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    target.scrollIntoView();
  }
  window.addEventListener("hashchange", revealHash);

  // An open menu (<details data-menu> or the account menu) closes on a click elsewhere
  // or on Escape, as menus do; without this file it closes on its own summary.
  function openMenus() {
    return document.querySelectorAll("details[data-menu][open], details.user-menu[open]");
  }
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      if (!menu.open) return;
      menu.open = false;
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) summary.focus();
    });
  });

  // Live search and filters change the address without a page load; switching
  // the language must come back to that address, not to the one first loaded.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    document.querySelectorAll(".lang-switch input[name='next']").forEach(function (input) {
      input.value = location.pathname + location.search;
    });
  });
  // What only works with this file shows up; what stands in for it without (a Save
  // button beside an answer that saves itself) goes, also in content HTMX brings in.
  function enhance(root) {
    root.querySelectorAll("[data-requires-js]").forEach(function (el) {
      el.hidden = false;
    });
    root.querySelectorAll("[data-without-js]").forEach(function (el) {
      el.hidden = true;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    revealHash();
    enhance(document);
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) enhance(event.target);
  });
})();
