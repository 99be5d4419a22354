/*
 * Profile pages: the questionnaire's keyboard shortcuts and its "saved" state.
 *
 * Everything works without this file: levels are radio buttons, moving is a
 * link, and a form without HTMX posts and reloads. It lives in a static file
 * (no inline script, no inline handlers) so that a strict Content-Security-
 * Policy can forbid both.
 *
 * Shortcuts (documented on the page, "?" shows them):
 *   a level's key  Current level of the outcome in focus: the key printed beside each
 *                  level, the same as in `csfpilot assess` and the Excel Scale sheet
 *                  (n p l f a for implementation status, 0-5 and a for maturity)
 *   Shift+key      the same for the Target level
 *   Delete     back to "not assessed" (Shift+Delete: the target)
 *   j / →      next outcome          k / ←   previous outcome
 *   ?          show or hide the list of shortcuts
 */
(function () {
  "use strict";

  function typingIn(el) {
    if (!el) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    var type = (el.getAttribute("type") || "text").toLowerCase();
    return ["radio", "checkbox", "button", "submit", "reset"].indexOf(type) === -1;
  }

  function onChoice(el) {
    if (!el || el.tagName !== "INPUT") return false;
    var type = (el.getAttribute("type") || "").toLowerCase();
    return type === "radio" || type === "checkbox";
  }

  function questionnaire() {
    return document.querySelector("[data-questionnaire]");
  }

  // The outcome the keys act on: the one holding focus, else the first on the page.
  function activeOutcome(root) {
    var focused = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("[data-outcome]")
      : null;
    return focused || root.querySelector("[data-outcome]");
  }

  // The key pressed, as the levels' keys are written: by its place on the keyboard
  // (so Shift+n still reads "n" and Shift+3 still "3"), else the character it typed.
  function levelKey(event) {
    var code = event.code || "";
    var letter = /^Key([A-Z])$/.exec(code);
    if (letter) return letter[1].toLowerCase();
    var digit = /^(?:Digit|Numpad)([0-9])$/.exec(code);
    if (digit) return digit[1];
    return event.key && event.key.length === 1 ? event.key.toLowerCase() : "";
  }

  function hasLevel(outcome, key) {
    return Array.prototype.some.call(
      outcome.querySelectorAll("input[type=radio][data-hotkey]"),
      function (radio) {
        return radio.getAttribute("data-hotkey") === key;
      }
    );
  }

  function pickLevel(outcome, side, hotkey) {
    var radio = outcome.querySelector(
      "input[type=radio][data-side='" + side + "'][data-hotkey='" + hotkey + "']"
    );
    if (!radio || radio.disabled) return false;
    if (!radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("input", { bubbles: true }));
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    radio.focus();
    return true;
  }

  function move(root, step) {
    var outcomes = Array.prototype.slice.call(root.querySelectorAll("[data-outcome]"));
    if (outcomes.length > 1) {
      // A Category at a time: move focus between the outcomes on the page.
      var i = outcomes.indexOf(activeOutcome(root));
      var next = outcomes[i + step];
      if (next) {
        next.scrollIntoView({ block: "start" });
        var first = next.querySelector("input[type=radio]:checked, input[type=radio]");
        (first || next).focus();
        return true;
      }
    }
    // One outcome at a time (or the ends of a Category): follow the page's own link.
    var link = root.querySelector(step > 0 ? "[data-nav=next]" : "[data-nav=prev]");
    if (link) {
      link.click();
      return true;
    }
    return false;
  }

  // The outcome list scrolls on its own: bring the outcome being answered into its view.
  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.querySelector(".assess-nav");
    var here = nav && nav.querySelector("[aria-current]");
    if (here) nav.scrollTop = here.offsetTop - nav.clientHeight / 3;
  });

  function toggleHelp(root) {
    var help = root.querySelector("[data-shortcuts]");
    if (help) help.open = !help.open;
  }

  document.addEventListener("keydown", function (event) {
    var root = questionnaire();
    if (!root || event.ctrlKey || event.metaKey || event.altKey) return;
    var el = document.activeElement;
    if (typingIn(el)) {
      // Esc leaves a text field so that the shortcuts work again (focus stays on its card).
      if (event.key === "Escape" && el.closest("[data-outcome]")) {
        var card = el.closest("[data-outcome]");
        var radio = card.querySelector("input[type=radio]:checked") || card;
        el.blur();
        if (radio.focus) radio.focus();
      }
      return;
    }
    var handled = false;
    var side = event.shiftKey ? "target" : "current";
    var here = activeOutcome(root);
    // A Community Profile asks for targets only: plain keys set the target there.
    if (here && !here.querySelector("input[data-side='current']")) side = "target";
    var key = levelKey(event);
    if (key && here && hasLevel(here, key)) {
      handled = pickLevel(here, side, key);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      var current = activeOutcome(root);
      if (current) handled = pickLevel(current, side, "clear");
    } else if (event.key === "j" || (event.key === "ArrowRight" && !onChoice(el))) {
      handled = move(root, 1);
    } else if (event.key === "k" || (event.key === "ArrowLeft" && !onChoice(el))) {
      handled = move(root, -1);
    } else if (event.key === "?" || (event.key === "/" && event.shiftKey)) {
      toggleHelp(root);
      handled = true;
    }
    if (handled) event.preventDefault();
  });

  // The save state a person sees next to each answer: saving…, saved, or not saved.
  function statusOf(form) {
    var id = form.getAttribute("data-status");
    return id ? document.getElementById(id) : null;
  }

  function setStatus(form, state, text) {
    var box = statusOf(form);
    if (!box) return;
    box.setAttribute("data-state", state);
    var label = box.getAttribute("data-" + state + "-text");
    box.textContent = text || label || "";
  }

  function formOf(event) {
    return event.target.closest ? event.target.closest("form[data-status]") : null;
  }

  // Typing marks the answer as not yet saved; the save clears the mark.
  document.addEventListener("input", function (event) {
    var form = formOf(event);
    if (form) {
      form.setAttribute("data-dirty", "1");
      setStatus(form, "pending");
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = formOf(event);
    if (form) {
      form.removeAttribute("data-dirty");
      setStatus(form, "saving");
    }
  });

  // A save that returns while the person kept typing has not saved the latest words:
  // show "not saved yet" again until the next save carries them.
  document.addEventListener("htmx:afterSettle", function (event) {
    var form = formOf(event);
    if (form && form.hasAttribute("data-dirty")) setStatus(form, "pending");
  });

  function dirtyForms() {
    return document.querySelectorAll("form[data-status][data-dirty]");
  }

  // Leaving the outcome within the autosave delay would drop the last words typed:
  // save first, then follow the link.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-nav], a[data-flush]");
    var forms = dirtyForms();
    if (!link || !forms.length || !window.htmx) return;
    event.preventDefault();
    var waiting = forms.length;
    var href = link.href;
    forms.forEach(function (form) {
      form.addEventListener(
        "htmx:afterRequest",
        function () {
          waiting -= 1;
          if (waiting === 0 && !dirtyForms().length) window.location.href = href;
        },
        { once: true }
      );
      window.htmx.trigger(form, "submit");
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirtyForms().length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var form = formOf(event);
    if (form && event.detail.xhr.status !== 409 && event.detail.xhr.status !== 400) {
      form.setAttribute("data-dirty", "1");
      setStatus(form, "failed");
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var form = formOf(event);
    if (form) {
      form.setAttribute("data-dirty", "1");
      setStatus(form, "failed");
    }
  });

  // A conflict answer (409) still carries the message to show: let HTMX swap it in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 409 || event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
