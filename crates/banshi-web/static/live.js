// Keeps a page current over the hall's event stream (a call, a ticket taken or finished).
// A page whose holder names parts in `data-refresh` (CSS selectors, comma-separated) has those
// parts fetched again and swapped in place — only when they changed, so a button about to be
// clicked stays put; any other page with a holder is reloaded, unless someone is typing in it.
// Pages work without this script; it only saves a refresh. Loaded by every page with `defer`, so
// it runs after the page (and its data-events holder) is parsed.
(function () {
  var holder = document.querySelector('[data-events]');
  if (!holder || !window.EventSource) return;
  var parts = (holder.getAttribute('data-refresh') || '').split(',').map(function (s) { return s.trim(); }).filter(Boolean);
  var pending = null;

  function typing() {
    var active = document.activeElement;
    return active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
  }

  function swapParts() {
    fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        parts.forEach(function (selector) {
          var now = document.querySelector(selector), next = fresh.querySelector(selector);
          if (now && next && now.innerHTML !== next.innerHTML && !now.contains(document.activeElement)) now.replaceWith(next);
        });
      })
      .catch(function () { /* the next event tries again */ });
  }

  function refreshSoon() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      if (parts.length) { swapParts(); return; }
      if (typing()) { refreshSoon(); return; }
      window.location.reload();
    }, 800);
  }
  var source = new EventSource(holder.getAttribute('data-events'));
  source.addEventListener('call', refreshSoon);
  source.addEventListener('counts', refreshSoon);
})();
