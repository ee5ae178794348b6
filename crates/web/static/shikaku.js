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
  // The browser opens the print page in a new window by itself; this window
  // then goes back to [Authenticator 登録], as the manual describes.
  document.querySelectorAll('a[data-print-window]').forEach(function (link) {
    link.addEventListener('click', function () {
      var back = link.dataset.returnUrl;
      if (back) {
        window.setTimeout(function () { window.location.assign(back); }, 300);
      }
    });
  });

  // 《印刷》 on a print page: <button type="button" data-print hidden>.
  document.querySelectorAll('button[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });

  // A print page marked <html data-auto-print> opens the print dialog once loaded.
  if (document.documentElement.hasAttribute('data-auto-print')) {
    window.addEventListener('load', function () { window.print(); }, { once: true });
  }
})();
