/* The review page from the keyboard: j/k or arrows move between requirements, 1–5 pick a
   proposal, a/r accept or reject it, u undoes, e opens "change", ? shows the help.
   Each key presses the same button a mouse would, so the page works the same without
   this script (plain forms) and with it (HTMX swaps the decided requirement). */
(function () {
  "use strict";

  var currentId = null;
  var advanceAfterSwap = false;

  function list() {
    return document.querySelector("[data-review]");
  }

  function rows(root) {
    return Array.prototype.slice.call(root.querySelectorAll("[data-req]"));
  }

  function typingIn(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || el.isContentEditable;
  }

  function pairs(row) {
    return Array.prototype.slice.call(row.querySelectorAll("[data-pair]"));
  }

  function picked(row) {
    return row.querySelector("[data-pair].is-picked") || pairs(row)[0] || null;
  }

  function pick(row, n) {
    var all = pairs(row);
    if (n < 1 || n > all.length) return false;
    all.forEach(function (p, i) {
      p.classList.toggle("is-picked", i === n - 1);
    });
    row.setAttribute("data-pick", String(n));
    return true;
  }

  function setCurrent(row, scroll) {
    var root = list();
    if (!root || !row) return;
    rows(root).forEach(function (r) {
      r.classList.remove("is-current");
    });
    row.classList.add("is-current");
    currentId = row.id;
    var n = parseInt(row.getAttribute("data-pick") || "0", 10);
    if (!n) {
      // The first proposal nobody decided yet, else the first.
      var all = pairs(row);
      var open = all.findIndex(function (p) {
        return p.classList.contains("rv-proposed");
      });
      n = open >= 0 ? open + 1 : 1;
    }
    pick(row, n);
    row.focus({ preventScroll: true });
    if (scroll !== false) row.scrollIntoView({ block: "nearest" });
  }

  function current(root) {
    return (currentId && document.getElementById(currentId)) || rows(root)[0] || null;
  }

  function move(root, step) {
    var all = rows(root);
    var here = all.indexOf(current(root));
    var next = all[Math.min(all.length - 1, Math.max(0, here + step))];
    if (next) setCurrent(next);
    return !!next;
  }

  function press(row, action) {
    var pair = picked(row);
    if (!pair) return false;
    var button = pair.querySelector("form[data-decide] button[data-action='" + action + "']");
    if (!button) return false;
    button.click();
    return true;
  }

  function openChange(row) {
    var pair = picked(row);
    var box = pair && pair.querySelector("details[data-change]");
    if (!box) return false;
    box.open = true;
    var input = box.querySelector("input[name='target']");
    if (input) {
      input.focus();
      input.select();
    }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    var root = list();
    if (!root || event.ctrlKey || event.metaKey || event.altKey) return;
    var el = document.activeElement;
    if (typingIn(el)) {
      if (event.key === "Escape") {
        var row = el.closest("[data-req]");
        el.blur();
        if (row) setCurrent(row, false);
      }
      return;
    }
    var here = current(root);
    var handled = false;
    var key = event.key;
    if (key === "j" || key === "ArrowDown") {
      handled = move(root, 1);
    } else if (key === "k" || key === "ArrowUp") {
      handled = move(root, -1);
    } else if (/^[1-9]$/.test(key) && here) {
      if (!here.classList.contains("is-current")) setCurrent(here);
      handled = pick(here, parseInt(key, 10));
    } else if (key === "a" && here) {
      advanceAfterSwap = true;
      handled = press(here, "accept");
    } else if (key === "r" && here) {
      handled = press(here, "reject");
    } else if (key === "u" && here) {
      handled = press(here, "reset");
    } else if (key === "e" && here) {
      handled = openChange(here);
    } else if (key === "?") {
      var help = document.querySelector("[data-shortcuts]");
      if (help) {
        help.open = !help.open;
        handled = true;
      }
    }
    if (handled) event.preventDefault();
  });

  // A click anywhere in a requirement makes it the current one.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("[data-req]");
    if (row && list()) {
      var pair = event.target.closest("[data-pair]");
      if (pair) row.setAttribute("data-pick", String(pairs(row).indexOf(pair) + 1));
      setCurrent(row, false);
    }
    var confirmable = event.target.closest && event.target.closest("[data-confirm]");
    if (confirmable && !window.confirm(confirmable.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // After HTMX swapped the decided requirement: keep it current, or go on after an accept.
  document.addEventListener("htmx:afterSettle", function () {
    var root = list();
    if (!root || !currentId) return;
    var row = document.getElementById(currentId);
    if (!row) return;
    var failed = row.querySelector(".error");
    if (advanceAfterSwap && !failed) {
      advanceAfterSwap = false;
      setCurrent(row, false);
      move(root, 1);
    } else {
      advanceAfterSwap = false;
      setCurrent(row, false);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var root = list();
    if (!root) return;
    var first = (location.hash && document.getElementById(location.hash.slice(1))) || null;
    if (first && first.hasAttribute("data-req")) setCurrent(first);
    else if (rows(root)[0]) setCurrent(rows(root)[0], false);
  });
})();
