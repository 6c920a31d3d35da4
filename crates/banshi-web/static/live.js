// Keeps a page current: when the hall changes (a call, a ticket taken or finished), reload the
// page — unless someone is typing in it. Pages work without this script; it only saves a refresh.
// Loaded by every page with `defer`, so it runs after the page (and its data-events holder) is parsed.
(function () {
  var holder = document.querySelector('[data-events]');
  if (!holder || !window.EventSource) return;
  var pending = null;
  function reloadSoon() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      var active = document.activeElement;
      if (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) { reloadSoon(); return; }
      window.location.reload();
    }, 800);
  }
  var source = new EventSource(holder.getAttribute('data-events'));
  source.addEventListener('call', reloadSoon);
  source.addEventListener('counts', reloadSoon);
})();
