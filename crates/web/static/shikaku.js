// shikaku-web: the only script. Progressive enhancement; every screen works
// without it except 《テキストでコピー》 and opening the print dialog.
// Loaded as an external file (the CSP allows no inline script). All texts come
// from data-* attributes rendered by the server.
(function () {
  'use strict';

  // 《テキストでコピー》: <button data-copy="KEY" data-copied="…" data-copy-failed="…"
  // aria-describedby="STATUS-ID" hidden>. Shown only when this script runs.
  function legacyCopy(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'visually-hidden';
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand('copy');
    } catch (e) {
      ok = false;
    }
    area.remove();
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return legacyCopy(text); }
      );
    }
    return Promise.resolve(legacyCopy(text));
  }

  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var status = document.getElementById(button.getAttribute('aria-describedby') || '');
      copyText(button.dataset.copy || '').then(function (ok) {
        if (!status) return;
        // Clear first so a repeated message is announced again.
        status.textContent = '';
        status.classList.toggle('copy-status--error', !ok);
        window.setTimeout(function () {
          status.textContent = ok ? button.dataset.copied : button.dataset.copyFailed;
        }, 50);
      });
    });
  });

  // 「印刷する」: <a href="PRINT" target="_blank" data-print-window data-return-url="…">.
  // Opens the print page (a full HTML page without scripts) in a new window,
  // opens the print dialog there once it has loaded, then brings this window
  // back to [Authenticator 登録], as the manual describes. Without this script
  // the link still opens the page in a new window, to print with Ctrl+P.
  document.querySelectorAll('a[data-print-window]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      var win = window.open(link.href, '_blank');
      if (!win) return; // blocked: let the link open the page itself
      event.preventDefault();
      var back = link.dataset.returnUrl;
      win.addEventListener('load', function () {
        try {
          win.focus();
          win.print();
        } finally {
          if (back) window.location.assign(back);
        }
      }, { once: true });
    });
  });

  // 《印刷》 on a page of ours: <button type="button" data-print hidden>.
  document.querySelectorAll('button[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });
})();
