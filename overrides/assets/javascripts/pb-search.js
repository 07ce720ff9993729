// The search page: a search box, filters and results built on Pagefind's JS API (pagefind.js from
// the site's own pagefind/ bundle, written by `paperbrief build`). No framework, no other host.
//
// Why not Pagefind's own UI: it cannot list a filter's papers without a query, and it hands the
// query to Pagefind as typed. Pagefind's browser code splits Chinese with Intl.Segmenter (ICU's
// dictionary: 华为 becomes 华|为 in Chromium), while the index was split by jieba's at build
// time, so a query word may be no index word's start and the paper is missed. Each paper page
// therefore carries its Chinese text and names one character a word (hidden;
// generator/site/search_terms.py), and this page writes a query the same way before searching:
// every CJK character is then a word of the index whatever either dictionary does. Two searches
// run: the query as a quoted phrase (the pages holding it as written, listed first) and its
// words anywhere (listed after, under their own heading).
//
// Every text from the index (titles, briefs, filter values) is inserted with textContent only.
(function () {
  "use strict";
  var root = document.getElementById("pb-search");
  if (!root) {
    return;
  }
  var bundle = root.getAttribute("data-bundle") || "../pagefind/";
  var EVERY_PAPER = "pbeverypaper";
  var PAGE = 10; // results shown at a time (each loads its fragment, about 3 KB)
  // Han (extension A, compatibility ideographs, the supplementary planes) and kana: the ranges of
  // search_terms._CJK. Hangul and the rest are written with spaces.
  var CJK = /([\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}])/gu;
  // CJK and full-width punctuation, and quotation marks: no part of a word.
  var PUNCT = /[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"\u201c\u201d]/g;

  function json(name, fallback) {
    try {
      return JSON.parse(root.getAttribute(name) || "null") || fallback;
    } catch (error) {
      return fallback;
    }
  }
  var text = json("data-text", {});
  var openFilters = json("data-open-filters", []);
  var groupOrder = json("data-filter-order", []);
  var factGroups = json("data-fact-groups", []);

  function say(key, values) {
    var template = text[key] || key;
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? String(values[name]) : all;
    });
  }

  // The query as the index holds the page's hidden search text: Latin diacritics folded
  // (search_terms.fold: Pagefind's own folding breaks its quoted search), CJK one character a word.
  function normalise(query) {
    return query
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .normalize("NFC")
      .replace(PUNCT, " ")
      .replace(CJK, " $1 ")
      .split(/\s+/)
      .filter(Boolean)
      .join(" ");
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content !== undefined && content !== null) {
      node.textContent = String(content);
    }
    return node;
  }

  var pagefind = null;
  var siteRoot = new URL(bundle + "../", document.baseURI).pathname;
  var seq = 0;
  var timer = null;
  var chosen = {}; // group -> [values]
  var groups = {}; // group -> {details, boxes: {value: {input, count}}}
  var shown = { exact: [], loose: [], rendered: 0 };

  // ---- the page's parts ------------------------------------------------------------------------
  var form = el("form", "pb-search__form");
  form.setAttribute("role", "search");
  form.setAttribute("action", "");
  var label = el("label", "pb-search__label", say("label"));
  label.htmlFor = "pb-search-input";
  var input = el("input", "pb-search__input");
  input.id = "pb-search-input";
  input.type = "search";
  input.name = "q";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.placeholder = say("placeholder");
  form.append(label, input);

  var filterBox = el("div", "pb-search__filters");
  filterBox.setAttribute("role", "group");
  filterBox.setAttribute("aria-label", say("filters"));
  var clear = el("button", "pb-search__clear md-button", say("clear"));
  clear.type = "button";
  clear.hidden = true;

  var resultsBox = el("div", "pb-search__results");
  var status = el("p", "pb-search__status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  var list = el("div", "pb-search__list");
  var exactList = el("ol", "pb-search__exact");
  var othersHeading = el("h2", "pb-search__others", say("others"));
  othersHeading.hidden = true;
  var looseList = el("ol", "pb-search__loose");
  list.append(exactList, othersHeading, looseList);
  var more = el("button", "pb-search__more md-button", say("more"));
  more.type = "button";
  more.hidden = true;
  resultsBox.append(status, list, more);

  var layout = el("div", "pb-search__layout");
  layout.append(filterBox, resultsBox);

  function missing() {
    root.replaceChildren(el("p", "pb-search__missing", root.getAttribute("data-missing") || ""));
    root.setAttribute("data-ready", "missing");
  }

  // ---- searching ---------------------------------------------------------------------------------
  function filterQuery() {
    var filters = {};
    Object.keys(chosen).forEach(function (group) {
      if (chosen[group].length) {
        // any of the values chosen in a group; every group that has one
        filters[group] = { any: chosen[group].slice() };
      }
    });
    return filters;
  }

  // Return {exact, loose, counts}: Pagefind results holding the query as written, the others
  // holding its words, and the filter counts of the search.
  async function find(query, filters) {
    var words = normalise(query);
    if (!words) {
      if (!Object.keys(filters).length) {
        return { exact: [], loose: [], counts: null };
      }
      // Not search(null): Pagefind 1.5 then loads every index chunk (5.9 MiB at 10,000 papers).
      // Every paper page holds this word (search_terms.EVERY_PAPER): one chunk, about 18 KiB.
      var all = await pagefind.search('"' + EVERY_PAPER + '"', { filters: filters });
      return { exact: [], loose: all.results, counts: all.filters };
    }
    var found = await Promise.all([
      pagefind.search('"' + words + '"', { filters: filters }),
      pagefind.search(words, { filters: filters }),
    ]);
    var exact = found[0].results;
    var ids = new Set(
      exact.map(function (r) {
        return r.id;
      })
    );
    var loose = found[1].results.filter(function (r) {
      return !ids.has(r.id);
    });
    return { exact: exact, loose: loose, counts: found[1].filters };
  }

  // A test hook and a console tool: the query's results as [{url, exact}], exact ones first.
  root.pbFind = async function (query) {
    var got = await find(query, {});
    var pages = got.exact.concat(got.loose);
    var data = await Promise.all(
      pages.map(function (r) {
        return r.data();
      })
    );
    return data.map(function (d, i) {
      return { url: d.url, exact: i < got.exact.length };
    });
  };

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  }

  async function run() {
    clearTimeout(timer);
    var mine = ++seq;
    var query = input.value.trim();
    var filters = filterQuery();
    remember(query);
    clear.hidden = !Object.keys(filters).length;
    if (!normalise(query) && !Object.keys(filters).length) {
      shown = { exact: [], loose: [], rendered: 0 };
      exactList.replaceChildren();
      looseList.replaceChildren();
      othersHeading.hidden = true;
      more.hidden = true;
      status.textContent = say("prompt");
      counts(null);
      root.removeAttribute("aria-busy");
      return;
    }
    root.setAttribute("aria-busy", "true");
    var got;
    try {
      got = await find(query, filters);
    } catch (error) {
      if (mine === seq) {
        status.textContent = say("failed");
        root.removeAttribute("aria-busy");
      }
      throw error;
    }
    if (mine !== seq) {
      return; // a newer search is under way
    }
    shown = { exact: got.exact, loose: got.loose, rendered: 0 };
    exactList.replaceChildren();
    looseList.replaceChildren();
    othersHeading.hidden = true;
    counts(got.counts);
    await showMore(mine);
    if (mine !== seq) {
      return;
    }
    var total = got.exact.length + got.loose.length;
    if (!total) {
      status.textContent = say("none");
    } else if (got.exact.length && got.loose.length) {
      status.textContent = say("split", { exact: got.exact.length, loose: got.loose.length });
    } else {
      status.textContent = say(total === 1 ? "one" : "count", { n: total });
    }
    root.removeAttribute("aria-busy");
  }

  async function showMore(mine) {
    var all = shown.exact.concat(shown.loose);
    var start = shown.rendered;
    var batch = all.slice(start, start + PAGE);
    var data = await Promise.all(
      batch.map(function (r) {
        return r.data();
      })
    );
    if (mine !== seq) {
      return;
    }
    data.forEach(function (d, i) {
      var item = result(d);
      if (start + i < shown.exact.length) {
        exactList.appendChild(item);
      } else {
        if (shown.exact.length) {
          othersHeading.hidden = false;
        }
        looseList.appendChild(item);
      }
    });
    shown.rendered = start + batch.length;
    more.hidden = shown.rendered >= all.length;
  }

  function result(d) {
    var item = el("li", "pb-search__result");
    var link = el("a", "pb-search__result-link", (d.meta && d.meta.title) || d.url);
    link.href = d.url;
    var heading = el("h3", "pb-search__title");
    heading.appendChild(link);
    item.appendChild(heading);
    if (d.meta && d.meta.brief) {
      item.appendChild(el("p", "pb-search__brief", d.meta.brief));
    }
    var facts = [];
    var f = d.filters || {};
    factGroups.forEach(function (group) {
      (f[group] || []).forEach(function (value) {
        facts.push(value);
      });
    });
    if (facts.length) {
      item.appendChild(el("p", "pb-search__facts", facts.join(" · ")));
    }
    return item;
  }

  // ---- filters -------------------------------------------------------------------------------------
  function sortedGroups(all) {
    var names = Object.keys(all);
    return names.sort(function (a, b) {
      var ia = groupOrder.indexOf(a);
      var ib = groupOrder.indexOf(b);
      return (ia < 0 ? names.length : ia) - (ib < 0 ? names.length : ib) || (a < b ? -1 : 1);
    });
  }

  function buildFilters(all) {
    var year = root.getAttribute("data-year-group") || "";
    sortedGroups(all).forEach(function (group, g) {
      var values = Object.keys(all[group]);
      if (!values.length) {
        return;
      }
      // years newest first; other values in the order of their names
      values.sort(function (a, b) {
        return group === year ? (a < b ? 1 : -1) : a.localeCompare(b);
      });
      var details = el("details", "pb-search__filter");
      // Groups named open in the page's front matter start open where there is room beside
      // the results; on a phone they would push the results a screen down.
      var roomy = window.matchMedia("(min-width: 45em)").matches;
      details.open = (roomy && openFilters.indexOf(group) >= 0) || (chosen[group] || []).length > 0;
      var summary = el("summary", "pb-search__filter-summary");
      summary.appendChild(el("span", "pb-search__filter-name", group));
      var picked = el("span", "pb-search__filter-picked");
      summary.appendChild(picked);
      var fieldset = el("fieldset", "pb-search__filter-values");
      fieldset.appendChild(el("legend", "pb-search__hidden", group));
      var boxes = {};
      values.forEach(function (value, v) {
        var row = el("label", "pb-search__filter-label");
        var box = el("input");
        box.type = "checkbox";
        box.value = value;
        box.id = "pb-filter-" + g + "-" + v;
        box.checked = (chosen[group] || []).indexOf(value) >= 0;
        box.addEventListener("change", function () {
          var now = (chosen[group] || []).filter(function (x) {
            return x !== value;
          });
          if (box.checked) {
            now.push(value);
          }
          chosen[group] = now;
          picked.textContent = now.length ? " (" + now.length + ")" : "";
          run();
        });
        var count = el("span", "pb-search__filter-count", all[group][value]);
        row.append(box, el("span", "pb-search__filter-value", value), count);
        fieldset.appendChild(row);
        boxes[value] = { input: box, count: count, row: row };
      });
      picked.textContent = (chosen[group] || []).length ? " (" + chosen[group].length + ")" : "";
      details.append(summary, fieldset);
      filterBox.appendChild(details);
      groups[group] = { details: details, boxes: boxes, total: all[group], picked: picked };
    });
    filterBox.appendChild(clear);
  }

  // Show each value's count under the current search (none given: every paper's); a value no
  // result carries is left out unless it is chosen, and so is a group left with none.
  function counts(current) {
    Object.keys(groups).forEach(function (group) {
      var boxes = groups[group].boxes;
      var source = current && current[group] ? current[group] : groups[group].total;
      var shownValues = 0;
      Object.keys(boxes).forEach(function (value) {
        var n = source[value] || 0;
        boxes[value].count.textContent = String(n);
        boxes[value].row.hidden = n === 0 && !boxes[value].input.checked;
        shownValues += boxes[value].row.hidden ? 0 : 1;
      });
      groups[group].details.hidden = shownValues === 0;
    });
  }

  clear.addEventListener("click", function () {
    chosen = {};
    Object.keys(groups).forEach(function (group) {
      groups[group].picked.textContent = "";
      Object.keys(groups[group].boxes).forEach(function (value) {
        groups[group].boxes[value].input.checked = false;
      });
    });
    run();
    input.focus();
  });

  // ---- the address: ?q=...&<group>=<value>, so a search can be linked and reloaded ------------------
  function remember(query) {
    var params = new URLSearchParams();
    if (query) {
      params.set("q", query);
    }
    Object.keys(chosen).forEach(function (group) {
      chosen[group].forEach(function (value) {
        params.append(group, value);
      });
    });
    var search = params.toString();
    var url = window.location.pathname + (search ? "?" + search : "") + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.replaceState(null, "", url);
    }
  }

  function recall(all) {
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    Object.keys(all).forEach(function (group) {
      var values = params.getAll(group).filter(function (v) {
        return Object.prototype.hasOwnProperty.call(all[group], v);
      });
      if (values.length) {
        chosen[group] = values;
      }
    });
  }

  // ---- start --------------------------------------------------------------------------------------
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  input.addEventListener("input", schedule);
  more.addEventListener("click", function () {
    var next = exactList.children.length + looseList.children.length;
    more.disabled = true; // one batch at a time
    showMore(seq).then(function () {
      more.disabled = false;
      var items = list.querySelectorAll(".pb-search__result-link");
      if (items[next]) {
        items[next].focus(); // keyboard users land on the first new result
      }
    });
  });

  import(new URL(bundle + "pagefind.js", document.baseURI).href)
    .then(async function (module) {
      pagefind = module;
      await pagefind.options({ basePath: bundle, baseUrl: siteRoot, exactDiacritics: true });
      // Pagefind counts filter values only over the filter chunks loaded when a search runs:
      // load them all before the first one.
      var all = await pagefind.filters();
      recall(all);
      root.replaceChildren(form, layout);
      buildFilters(all);
      await run();
      root.setAttribute("data-ready", "");
    })
    .catch(function (error) {
      if (pagefind === null) {
        missing(); // no bundle: a plain `mkdocs serve`, or the build not run
      } else {
        throw error;
      }
    });
})();
