// The search page: load Pagefind's UI from the site's own bundle and run the query in ?q=.
// Results show the paper's brief (Pagefind meta "brief"), then where the terms matched.
(function () {
  "use strict";
  var root = document.getElementById("pb-search");
  if (!root) {
    return;
  }
  var bundle = root.getAttribute("data-bundle") || "../pagefind/";
  var openFilters = [];
  try {
    openFilters = JSON.parse(root.getAttribute("data-open-filters") || "[]") || [];
  } catch (error) {
    openFilters = [];
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function missing() {
    var note = document.createElement("p");
    note.className = "pb-search__missing";
    note.textContent = root.getAttribute("data-missing") || "Search index missing.";
    root.replaceChildren(note);
  }

  function start() {
    if (typeof window.PagefindUI !== "function") {
      missing();
      return;
    }
    var ui = new window.PagefindUI({
      element: root,
      bundlePath: bundle,
      showImages: false,
      showSubResults: false,
      pageSize: 10,
      excerptLength: 24,
      openFilters: openFilters,
      showEmptyFilters: false,
      processResult: function (result) {
        // Meta values are plain text (Pagefind decodes entities): escape before the UI inserts
        // them as HTML. Pagefind's own excerpt is already escaped, with <mark> around matches.
        var brief = result.meta && result.meta.brief;
        if (brief) {
          result.excerpt =
            '<span class="pb-search__brief">' + escapeHtml(brief) + "</span>" +
            '<span class="pb-search__match">' + (result.excerpt || "") + "</span>";
          // Shown once, as the excerpt: the UI would list it again as a metadata tag.
          delete result.meta.brief;
        }
        return result;
      },
    });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      // A Pagefind search counts filter values only over the filter chunks loaded when it runs,
      // and the UI keeps the first counts it gets: a search that beats the UI's own loading of
      // the filters (a slow machine, a slow link) loses whole filter groups for good. So load
      // every filter chunk first, into the same module instance the UI uses, then search.
      import(new URL(bundle + "pagefind.js", document.baseURI).href)
        .then(function (pagefind) {
          return pagefind.filters();
        })
        .catch(function () {
          return null; // the UI reports a missing bundle itself
        })
        .then(function () {
          ui.triggerSearch(query);
        });
    }
  }

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = bundle + "pagefind-ui.css";
  document.head.appendChild(style);
  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onload = start;
  script.onerror = missing;
  document.head.appendChild(script);
})();
