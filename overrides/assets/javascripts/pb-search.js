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
// A long query is searched in part. Pagefind loads one index chunk per distinct word, 20 to 53 KiB
// each at 10,000 papers, on top of about 350 KiB that every search pays (pagefind.js, its worker
// and WebAssembly, the metadata, the filter files, ten result fragments): an 11-character phrase
// from a brief cost 687 KiB. So a query whose words fall into more than MAX_CHUNKS chunks is
// searched by its best window, the longest run of consecutive words within that many chunks
// (ties go to the rarer words: see windowOf), and every candidate is then checked against its
// own fragment (the page's indexed text, loaded anyway to show the result): the whole query as
// written makes it a phrase match, every word somewhere a word match, anything else drops out. A page holding the phrase holds the window too, so none is lost. The
// checks run as results are shown, a few pages at a time, and until every candidate is checked
// the status line says how many are (docs/scale.md, "Search").
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
  var PAGE = 10; // results shown at a time (each loads its fragment, about 1.7 KiB at 10,000 papers)
  // Index chunks one search may load. The two largest at 10,000 papers (52.7 + 52.4 KiB), the
  // 350 KiB every search pays and ten more fragments checked (17 KiB) make 472 KiB, under 500 KB
  // (488 KiB); a third chunk could pass it.
  var MAX_CHUNKS = 2;
  // Candidates checked (fragments loaded) at most per batch of results shown, when a search ran
  // on a window of the query; the next batch continues with "show more".
  var CHECK = 2 * PAGE;
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

  // ---- long queries: which index chunks a word needs, the window to search, the check ------------
  // The chunk table of Pagefind's metadata file ([from, to, hash] per chunk, sorted by word).
  // Pagefind has just fetched that file, so the browser's cache holds it (same URL, no bytes on
  // the wire but a 304 at most); read only for a query with more distinct words than MAX_CHUNKS.
  var chunkTable = null;

  function cbor(bytes) {
    var pos = 0;
    function head() {
      var first = bytes[pos++];
      var info = first & 31;
      var value = info;
      if (info >= 24 && info <= 27) {
        var size = 1 << (info - 24);
        value = 0;
        for (var i = 0; i < size; i++) {
          value = value * 256 + bytes[pos++];
        }
      } else if (info > 27) {
        throw new Error("unsupported CBOR item");
      }
      return [first >> 5, value];
    }
    function item() {
      var h = head();
      var major = h[0];
      var value = h[1];
      if (major === 0) {
        return value;
      }
      if (major === 1) {
        return -1 - value;
      }
      if (major === 2 || major === 3) {
        var raw = bytes.subarray(pos, pos + value);
        pos += value;
        return major === 3 ? new TextDecoder().decode(raw) : raw;
      }
      if (major === 4) {
        var out = [];
        for (var i = 0; i < value; i++) {
          out.push(item());
        }
        return out;
      }
      throw new Error("unsupported CBOR item");
    }
    return item();
  }

  async function loadChunkTable() {
    if (chunkTable) {
      return chunkTable;
    }
    // The entry file as fresh as Pagefind reads it (it names the metadata file of this build).
    var entry = await (await fetch(bundle + "pagefind-entry.json?ts=" + Date.now())).json();
    var language = Object.keys(entry.languages)[0];
    var response = await fetch(bundle + "pagefind." + entry.languages[language].hash + ".pf_meta");
    var stream = response.body.pipeThrough(new DecompressionStream("gzip"));
    var bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    // "pagefind_dcd", then [version, pages, chunks, filters, sorts, meta fields]
    chunkTable = cbor(bytes.subarray(12))[2];
    return chunkTable;
  }

  // The chunk Pagefind loads for a word (the first whose range holds it), and whether the word
  // may be a common one: Pagefind fills a chunk word by word until it holds 20,000 locations,
  // so a word with more than that ends its chunk (the chunk's last word starts with it), while
  // the words inside a range are rarer.
  function chunkOf(word) {
    for (var i = 0; i < chunkTable.length; i++) {
      var c = chunkTable[i];
      if (word >= c[0] && word <= c[1]) {
        return { key: c[2], common: word.startsWith(c[1]) };
      }
    }
    return { key: "?" + word, common: true }; // none holds it: counted as a chunk all the same
  }

  // The longest run of consecutive query words within `limit` chunks, or null when the whole
  // query fits. Ties go to the fewest chunks, then the rarest words: a word inside its chunk's
  // range scores 1, a number or Latin word 2 more (a name, 36, HydraLite9258: on 150 clauses of
  // the 10,000 synthetic briefs, the median window then has 565 candidates instead of 812, and
  // 44 % of them hold the whole clause instead of 12 %).
  function windowOf(words, limit) {
    var info = words.map(chunkOf);
    var keys = info.map(function (x) {
      return x.key;
    });
    if (new Set(keys).size <= limit) {
      return null;
    }
    var best = null;
    for (var start = 0; start < words.length; start++) {
      var held = new Set();
      var rare = 0;
      for (var end = start; end < words.length; end++) {
        if (!held.has(keys[end])) {
          if (held.size === limit) {
            break;
          }
          held.add(keys[end]);
        }
        rare += (info[end].common ? 0 : 1) + (words[end].match(CJK) ? 0 : 2);
        var score = [end - start + 1, -held.size, rare];
        if (!best || better(score, best.score)) {
          best = { start: start, end: end + 1, score: score };
        }
      }
    }
    return words.slice(best.start, best.end);
  }

  function better(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        return a[i] > b[i];
      }
    }
    return false;
  }

  // Text as the check compares it: words folded and in lower case, joined across a decimal point
  // or an apostrophe (as a browser keeps 2.5 and Noah's one word, which Pagefind reads as 25 and
  // noahs), split at other punctuation and symbols (6-55%: 6 55), CJK one character a word.
  function terms(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .normalize("NFC")
      .toLocaleLowerCase()
      .replace(/(\p{N})[.,'\u2019](?=\p{N})/gu, "$1")
      .replace(/(\p{L})[.:'\u2019\u00b7](?=\p{L})/gu, "$1")
      .replace(/[\p{P}\p{S}]/gu, " ")
      .replace(CJK, " $1 ")
      .split(/\s+/)
      .filter(Boolean);
  }

  // The page's words in order, from its fragment's text (Pagefind puts U+200B between the words
  // it indexed; the text's own spaces and CJK characters still separate them without it).
  function pageWords(d) {
    var text = (d.raw_content || d.content || "").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
    return terms(text.replace(/\u200b/g, ""));
  }

  // "exact" when the page holds the query's words consecutively, "loose" when it holds each
  // (Pagefind matches a word as a prefix of a page's word), else null.
  function check(words, d) {
    var page = pageWords(d);
    for (var i = 0; i + words.length <= page.length; i++) {
      var j = 0;
      while (j < words.length && page[i + j] === words[j]) {
        j++;
      }
      if (j === words.length) {
        return "exact";
      }
    }
    var all = words.every(function (w) {
      return page.some(function (p) {
        return p.startsWith(w);
      });
    });
    return all ? "loose" : null;
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
  var shown = fresh({ exact: [], loose: [], check: null });

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

  // Return {exact, loose, counts, check}: Pagefind results holding the query as written, the
  // others holding its words, and the filter counts of the search. `check` is null when the whole
  // query was searched; else the query's words, which every result still has to be checked for
  // (see the top of this file), and the counts are those of the window searched.
  async function find(query, filters, limit) {
    var words = normalise(query);
    if (!words) {
      if (!Object.keys(filters).length) {
        return { exact: [], loose: [], counts: null, check: null };
      }
      // Not search(null): Pagefind 1.5 then loads every index chunk (5.9 MiB at 10,000 papers).
      // Every paper page holds this word (search_terms.EVERY_PAPER): one chunk, about 18 KiB.
      var all = await pagefind.search('"' + EVERY_PAPER + '"', { filters: filters });
      return { exact: [], loose: all.results, counts: all.filters, check: null };
    }
    var list = words.split(" ");
    var part = null;
    if (new Set(list).size > limit) {
      try {
        await loadChunkTable();
        part = windowOf(list, limit);
      } catch (error) {
        // no table: count every distinct word as a chunk of its own
        chunkTable = [];
        part = windowOf(list, limit);
      }
    }
    var searched = part ? part.join(" ") : words;
    var found = await Promise.all([
      pagefind.search('"' + searched + '"', { filters: filters }),
      pagefind.search(searched, { filters: filters }),
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
    return {
      exact: exact,
      loose: loose,
      counts: found[1].filters,
      check: part ? terms(words) : null,
    };
  }

  // MAX_CHUNKS, or the page's data-max-chunks (tests: a small site has few chunks).
  function chunkLimit() {
    return Number(root.getAttribute("data-max-chunks")) || MAX_CHUNKS;
  }

  // Test hooks and console tools. pbPlan: the words a query is searched by when not all of them
  // (null: all). pbFind: the query's results as [{url, exact}], exact ones first, every candidate
  // checked. `chunks` stands for MAX_CHUNKS in both.
  root.pbPlan = async function (query, chunks) {
    var list = normalise(query).split(" ").filter(Boolean);
    if (new Set(list).size <= (chunks || chunkLimit())) {
      return null;
    }
    await loadChunkTable();
    return windowOf(list, chunks || chunkLimit());
  };

  root.pbFind = async function (query, chunks) {
    var got = await find(query, {}, chunks || chunkLimit());
    var pages = got.exact.concat(got.loose);
    var data = await Promise.all(
      pages.map(function (r) {
        return r.data();
      })
    );
    var out = data.map(function (d, i) {
      var kind = got.check ? check(got.check, d) : i < got.exact.length ? "exact" : "loose";
      return { url: d.url, exact: kind === "exact", kind: kind };
    });
    return out
      .filter(function (r) {
        return r.kind !== null;
      })
      .sort(function (a, b) {
        return (b.exact ? 1 : 0) - (a.exact ? 1 : 0); // stable: Pagefind's order within each
      })
      .map(function (r) {
        return { url: r.url, exact: r.exact };
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
      shown = fresh({ exact: [], loose: [], check: null });
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
      got = await find(query, filters, chunkLimit());
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
    shown = fresh(got);
    exactList.replaceChildren();
    looseList.replaceChildren();
    othersHeading.hidden = true;
    counts(got.counts);
    await showMore(mine);
    if (mine !== seq) {
      return;
    }
    tell();
    root.removeAttribute("aria-busy");
  }

  // What a search found, in the order it is shown: phrase matches first.
  function fresh(got) {
    return {
      all: got.exact.concat(got.loose),
      exact: got.exact.length, // of `all`, the phrase matches (unless checked one by one)
      check: got.check,
      next: 0, // the next candidate to show (or check)
      shownExact: 0,
      shownLoose: 0,
    };
  }

  function tell() {
    var total = shown.all.length;
    if (shown.check && shown.next < total) {
      status.textContent = say("checking", {
        checked: shown.next,
        total: total,
        exact: shown.shownExact,
        loose: shown.shownLoose,
      });
      return;
    }
    var exact = shown.check ? shown.shownExact : shown.exact;
    var loose = shown.check ? shown.shownLoose : total - shown.exact;
    if (!exact && !loose) {
      status.textContent = say("none");
    } else if (exact && loose) {
      status.textContent = say("split", { exact: exact, loose: loose });
    } else {
      status.textContent = say(exact + loose === 1 ? "one" : "count", { n: exact + loose });
    }
  }

  // Show the next PAGE results. Candidates of a search on a window of the query are checked
  // first, and dropped when they fail; at most CHECK fragments are loaded per call.
  async function showMore(mine) {
    var added = 0;
    var loaded = 0;
    var limit = shown.check ? CHECK : PAGE;
    while (shown.next < shown.all.length && added < PAGE && loaded < limit) {
      var start = shown.next;
      var batch = shown.all.slice(start, start + Math.min(PAGE - added, limit - loaded));
      var data = await Promise.all(
        batch.map(function (r) {
          return r.data();
        })
      );
      if (mine !== seq) {
        return;
      }
      data.forEach(function (d, i) {
        var kind = shown.check
          ? check(shown.check, d)
          : start + i < shown.exact
            ? "exact"
            : "loose";
        if (kind === "exact") {
          exactList.appendChild(result(d));
          shown.shownExact++;
          added++;
        } else if (kind === "loose") {
          looseList.appendChild(result(d));
          shown.shownLoose++;
          added++;
        }
      });
      shown.next = start + batch.length;
      loaded += batch.length;
    }
    othersHeading.hidden = !(exactList.children.length && looseList.children.length);
    more.hidden = shown.next >= shown.all.length;
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
    var before = new Set(list.querySelectorAll(".pb-search__result-link"));
    more.disabled = true; // one batch at a time
    showMore(seq).then(function () {
      more.disabled = false;
      tell();
      // keyboard users land on the first new result (checked ones may join the phrase matches)
      var items = Array.from(list.querySelectorAll(".pb-search__result-link"));
      var first = items.find(function (a) {
        return !before.has(a);
      });
      if (first) {
        first.focus();
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
