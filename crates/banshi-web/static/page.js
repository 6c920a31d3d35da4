// Every page: the text size a visitor chose (关怀版, kept in this browser across pages), and an
// error, when the page shows one, focused so that a screen reader reads it and the eye finds it.
(function () {
  var root = document.documentElement;
  var large = false;
  try { large = window.localStorage.getItem('banshi-text-size') === 'large'; } catch (e) { /* storage off */ }
  if (large) root.classList.add('large-text');

  document.addEventListener('DOMContentLoaded', function () {
    var toggle = document.getElementById('text-size');
    if (toggle) {
      var show = function () {
        var on = root.classList.contains('large-text');
        toggle.setAttribute('aria-pressed', on ? 'true' : 'false');
        toggle.textContent = toggle.getAttribute(on ? 'data-standard' : 'data-large');
      };
      toggle.hidden = false;
      show();
      toggle.addEventListener('click', function () {
        var on = root.classList.toggle('large-text');
        try { window.localStorage.setItem('banshi-text-size', on ? 'large' : 'standard'); } catch (e) { /* storage off */ }
        show();
      });
    }
    var alert = document.querySelector('[role=alert]');
    if (alert) alert.focus();
  });
})();
