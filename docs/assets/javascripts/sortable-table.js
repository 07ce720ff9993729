// paperbrief: sort a table inside .pb-sortable (the comparison table of a technique page) by
// any column; the class is on a wrapper, as Material styles only tables without a class. Each heading becomes a button; pressing it (click, Enter or Space) sorts the rows
// by that column, ascending, and pressing it again reverses the order. The sorted heading
// carries aria-sort. Without this script the table is a plain table in its first order.
// A cell's data-sort, when present, is the value sorted by; an empty one (a part the brief does
// not give, an unknown year) sorts last in both directions. Numbers compare as numbers and
// Chinese text by the page language's collation.
(function () {
  "use strict";

  var collator = new Intl.Collator(document.documentElement.lang || undefined, {
    numeric: true,
    sensitivity: "base",
  });

  function valueOf(row, column) {
    var cell = row.cells[column];
    if (!cell) {
      return "";
    }
    var given = cell.getAttribute("data-sort");
    return (given !== null ? given : cell.textContent || "").trim();
  }

  function sortBy(table, column) {
    var body = table.tBodies[0];
    var headers = table.tHead.rows[0].cells;
    var header = headers[column];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    // the first order breaks ties, so equal values keep their order in both directions
    var rows = Array.prototype.map.call(body.rows, function (row, index) {
      return {
        row: row,
        value: valueOf(row, column),
        index: Number(row.getAttribute("data-pb-order") || index),
      };
    });
    rows.sort(function (a, b) {
      if (!a.value || !b.value) {
        if (a.value || b.value) {
          return a.value ? -1 : 1;
        }
        return a.index - b.index;
      }
      var order = collator.compare(a.value, b.value);
      if (order === 0) {
        return a.index - b.index;
      }
      return ascending ? order : -order;
    });
    rows.forEach(function (item) {
      body.appendChild(item.row);
    });
    Array.prototype.forEach.call(headers, function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function enable(table) {
    if (table.hasAttribute("data-pb-sortable") || !table.tHead || !table.tBodies.length) {
      return;
    }
    table.setAttribute("data-pb-sortable", "");
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row, index) {
      row.setAttribute("data-pb-order", String(index));
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "pb-sortable__button";
      while (th.firstChild) {
        button.appendChild(th.firstChild);
      }
      th.appendChild(button);
      button.addEventListener("click", function () {
        sortBy(table, column);
      });
    });
  }

  function enableAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".pb-sortable table"), enable);
  }

  enableAll();
  // Material's instant navigation, when switched on, swaps the page content without a load.
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(enableAll);
  }
})();
