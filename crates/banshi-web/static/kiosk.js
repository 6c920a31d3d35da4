// The hall's ticket machine: the page of a ticket just taken goes back to the start by itself, so
// the next person never sees (or opens) the previous one's ticket.
(function () {
  var body = document.body;
  var target = body.getAttribute('data-back-to');
  if (!target) return;
  var seconds = parseInt(body.getAttribute('data-back-after'), 10) || 30;
  setTimeout(function () { window.location.replace(target); }, seconds * 1000);
})();
