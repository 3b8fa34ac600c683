// Copy buttons: <button data-copy="ID" hidden> copies the text of the element #ID.
// The buttons start hidden and are shown here, so without JavaScript the text is still there
// to select by hand. One delegated listener also covers content swapped in by htmx.
(function () {
  function reveal() {
    var buttons = document.querySelectorAll('button[data-copy]');
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
  }

  // Fallback for non-secure contexts (plain http on a LAN), where navigator.clipboard is missing.
  function copyBySelection(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) {}
    return ok;
  }

  function show(btn, text) {
    var label = btn.getAttribute('data-label') || btn.textContent;
    btn.setAttribute('data-label', label);
    btn.textContent = text;
    clearTimeout(btn._copyTimer);
    btn._copyTimer = setTimeout(function () { btn.textContent = label; }, 2000);
  }

  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('button[data-copy]');
    if (!btn) return;
    var el = document.getElementById(btn.getAttribute('data-copy'));
    if (!el) return;
    var text = el.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { show(btn, 'Copied'); },
        function () { show(btn, copyBySelection(el) ? 'Copied' : 'Select and copy'); }
      );
    } else {
      show(btn, copyBySelection(el) ? 'Copied' : 'Select and copy');
    }
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', reveal);
  else reveal();
  document.addEventListener('htmx:afterSwap', reveal);
})();
