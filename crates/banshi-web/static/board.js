// The display board: shows each call large and speaks it in Mandarin (「请A012号到3号窗口办理」),
// again on a recall; keeps the waiting counts current. Live over server-sent events.
// `/board?kiosk=1` is the unattended board: it speaks from the start, with no button to press —
// in a browser started to allow that (docs/operations.md: --autoplay-policy=no-user-gesture-required).
(function () {
  var body = document.body;
  var current = document.getElementById('current-calls');
  var recent = document.getElementById('recent-calls');
  var unattended = new URLSearchParams(window.location.search).get('kiosk') === '1';
  var soundOn = unattended;
  if (unattended) document.getElementById('enable-sound').parentNode.hidden = true;

  function speak(text) {
    if (!soundOn || !window.speechSynthesis) return;
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = 'zh-CN';
    utterance.rate = 0.85;
    window.speechSynthesis.speak(utterance);
  }

  function item(call) {
    var li = document.createElement('li');
    li.className = 'fresh';
    var num = document.createElement('span'); num.className = 'num'; num.textContent = call.number;
    var arrow = document.createElement('span'); arrow.className = 'arrow'; arrow.textContent = '→';
    var win = document.createElement('span'); win.className = 'win'; win.textContent = call.window + '号窗口';
    li.appendChild(num); li.appendChild(arrow); li.appendChild(win);
    return li;
  }

  // A recall moves the call back to the top: it is never shown twice.
  function forget(number) {
    [current, recent].forEach(function (list) {
      Array.prototype.slice.call(list.children).forEach(function (li) {
        var shown = li.querySelector('.num') ? li.querySelector('.num').textContent : li.getAttribute('data-number');
        if (shown === number) list.removeChild(li);
      });
    });
  }

  function showCall(call) {
    forget(call.number);
    current.insertBefore(item(call), current.firstChild);
    while (current.children.length > 3) {
      var moved = current.lastElementChild;
      current.removeChild(moved);
      var line = document.createElement('li');
      line.setAttribute('data-number', moved.querySelector('.num').textContent);
      line.textContent = moved.querySelector('.num').textContent + ' → ' + moved.querySelector('.win').textContent;
      recent.insertBefore(line, recent.firstChild);
    }
    while (recent.children.length > 5) recent.removeChild(recent.lastElementChild);
    speak(call.text);
    speak(call.text);
  }

  function showCounts(queues) {
    queues.forEach(function (q) {
      var row = document.querySelector('tr[data-queue="' + q.prefix + '"] .count');
      if (row) row.textContent = q.waiting;
    });
  }

  // The server pushes the counts at most once a second; only after a gap in the stream does
  // the board ask for the whole hall again.
  function refreshAll() {
    fetch(body.getAttribute('data-snapshot')).then(function (r) { return r.json(); })
      .then(function (snapshot) { showCounts(snapshot.queues); }).catch(function () {});
  }

  var source = new EventSource(body.getAttribute('data-events'));
  source.addEventListener('call', function (e) { showCall(JSON.parse(e.data)); });
  source.addEventListener('counts', function (e) {
    var data = JSON.parse(e.data);
    if (data.queues) showCounts(data.queues); else refreshAll();
  });
  source.addEventListener('open', refreshAll);

  document.getElementById('enable-sound').addEventListener('click', function (e) {
    soundOn = true;
    e.target.parentNode.hidden = true;
    speak('语音播报已开启');
  });

  function tick() {
    var now = new Date();
    document.getElementById('clock').textContent = now.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' });
  }
  tick();
  setInterval(tick, 10000);
})();
