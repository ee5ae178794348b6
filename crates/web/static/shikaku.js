// shikaku-web: the only script. Progressive enhancement; every screen works
// without it except 《テキストでコピー》, opening the print dialog and Enter on
// [パスワード変更] (《変更》 opens its confirmation either way).
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

  // パスコード: <input data-passcode>. The server accepts what a Japanese input mode
  // or a paste gives (full-width digits 「００８２１４」, the halves apart as
  // Authenticator apps show them, "123 456"), so the field has no pattern that
  // would block them; on submit the value is written as the six ASCII digits it
  // means. Anything else is sent as typed, for the server's own message.
  function normalisePasscode(text) {
    var ascii = text.replace(/[\uFF10-\uFF19]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 0x30);
    }).replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
    var halves = /^(\d{3})[ \u3000](\d{3})$/.exec(ascii);
    if (halves) return halves[1] + halves[2];
    return /^\d{6}$/.test(ascii) ? ascii : text;
  }

  document.querySelectorAll('input[data-passcode]').forEach(function (input) {
    if (!input.form) return;
    input.form.addEventListener('submit', function () {
      input.value = normalisePasscode(input.value);
    });
  });

  // [パスワード変更]: <form data-confirm="POPOVER-ID">. Enter in a field opens the
  // same confirmation as 《変更》 (without this script, Enter does nothing: the
  // form's first submit button is disabled, so the passwords are only ever sent
  // through the confirmation's 《OK》). Enter that ends an IME composition is left
  // to the input method.
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    var popover = document.getElementById(form.dataset.confirm || '');
    if (!popover || typeof popover.showPopover !== 'function') return;
    form.addEventListener('keydown', function (event) {
      if (event.key !== 'Enter' || event.isComposing || event.keyCode === 229) return;
      var target = event.target;
      if (!(target instanceof HTMLInputElement) || popover.contains(target)) return;
      event.preventDefault();
      if (!popover.matches(':popover-open')) popover.showPopover();
      var ok = popover.querySelector('button[type="submit"]');
      if (ok) ok.focus();
    });
  });

  // 《印刷》 on a page of ours: <button type="button" data-print hidden>.
  document.querySelectorAll('button[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });
})();
