// paperbrief: the Cite button of a paper page copies the BibTeX shown beside it.
// One listener on the document, so it keeps working when Material swaps page content
// (instant navigation) and needs no inline handler. When the clipboard refuses (no permission,
// insecure context), the entry is selected so the reader can copy it by hand.
(function () {
  "use strict";

  function select(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function report(button, ok, source) {
    var status = button.parentNode.querySelector(".pb-cite__status");
    var message = button.getAttribute(ok ? "data-pb-copied" : "data-pb-failed") || "";
    button.setAttribute("data-pb-state", ok ? "copied" : "failed");
    if (status) {
      status.textContent = message;
    }
    if (!ok) {
      select(source);
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("button[data-pb-cite]") : null;
    if (!button) {
      return;
    }
    // The entry sits beside the button. Not looked up by id: Material renames the ids of
    // code blocks (__code_...) when it mounts them.
    var block = button.closest(".pb-cite");
    var source = block ? block.querySelector(".pb-bibtex code") : null;
    if (!source) {
      return;
    }
    var text = source.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { report(button, true, source); },
        function () { report(button, false, source); }
      );
    } else {
      report(button, false, source);
    }
  });
})();
