// The web chat page. Plain JavaScript with no build step and no libraries, so
// the whole page stays a few kilobytes on a cheap phone. API: see ../API.md.
(function () {
  'use strict';

  var API = '/api/webchat/messages';
  var HISTORY_PAGE = 100;
  var KEEP = 300; // transcript entries kept on the phone
  var KEY = { id: 'vv.conversationId', transcript: 'vv.transcript', pending: 'vv.pending' };
  var ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
  // How often the page asks for replies written from elsewhere (a caseworker's). Fast while the person
  // is looking, slower when they have not touched the page for a while, slowest behind another app: a
  // cheap phone's battery and data plan pay for every request. Coming back asks at once.
  var POLL = {
    active: 3000,
    idle: 10000,
    idleAfter: 5 * 60 * 1000,
    hidden: 30000,
    maxBackoff: 2 * 60 * 1000, // after failures: 6, 12, 24 … seconds, up to this
    timeout: 20000, // a request still unanswered then is given up, so one stuck request stops nothing
  };

  var log = document.getElementById('log');
  var form = document.getElementById('composer');
  var input = document.getElementById('text');
  var sendButton = document.getElementById('send');
  var typing = document.getElementById('typing');
  var statusBox = document.getElementById('status');
  var statusText = document.getElementById('status-text');
  var retryButton = document.getElementById('retry');

  var storage = openStorage();
  var state = {
    conversationId: conversationId(),
    entries: [], // { from: 'user', text } or { from: 'bot', text, buttons, links, dir, locale, seq }
    lastSeq: 0, // every reply up to this position in the history has been shown
    ahead: [], // positions after lastSeq already shown by the answer to a message
    pending: null, // the request body of a message not yet answered
    busy: false,
  };

  document.documentElement.lang = navigator.language || 'en';

  // Private browsing or full storage throws on write; the chat still works for this visit.
  function openStorage() {
    try {
      var probe = 'vv.probe';
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      var memory = {};
      return {
        getItem: function (k) { return Object.prototype.hasOwnProperty.call(memory, k) ? memory[k] : null; },
        setItem: function (k, v) { memory[k] = String(v); },
        removeItem: function (k) { delete memory[k]; },
      };
    }
  }

  // crypto.randomUUID exists only on https and localhost, not on a LAN address used for testing on a phone.
  function newId() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join('-');
  }

  function conversationId() {
    var id = storage.getItem(KEY.id);
    if (id && ID_PATTERN.test(id)) return id;
    id = newId();
    storage.setItem(KEY.id, id);
    return id;
  }

  function readJson(key) {
    try {
      return JSON.parse(storage.getItem(key) || 'null');
    } catch (e) {
      return null;
    }
  }

  function restore() {
    var saved = readJson(KEY.transcript);
    if (saved && saved.conversationId === state.conversationId && Array.isArray(saved.entries)) {
      state.entries = saved.entries;
      state.lastSeq = typeof saved.lastSeq === 'number' ? saved.lastSeq : 0;
      state.ahead = Array.isArray(saved.ahead) ? saved.ahead.filter(function (s) { return typeof s === 'number'; }) : [];
    }
    var pending = readJson(KEY.pending);
    if (pending && pending.conversationId === state.conversationId) state.pending = pending;
  }

  function save() {
    try {
      storage.setItem(KEY.transcript, JSON.stringify({
        conversationId: state.conversationId,
        lastSeq: state.lastSeq,
        ahead: state.ahead,
        entries: state.entries.slice(-KEEP),
      }));
      if (state.pending) storage.setItem(KEY.pending, JSON.stringify(state.pending));
      else storage.removeItem(KEY.pending);
    } catch (e) {
      // A full storage loses the transcript after a reload, not the conversation.
    }
  }

  // ---- rendering: every text goes in as text, never as HTML ----

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function safeUrl(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function renderEntry(entry) {
    var el = element('div', 'msg ' + (entry.from === 'user' ? 'user' : 'bot'));
    el.tabIndex = -1;
    el.appendChild(element('span', 'sr-only', entry.from === 'user' ? 'You: ' : 'Virtual Volunteer: '));
    var text = element('p', 'text', entry.text);
    if (entry.from === 'bot') {
      el.dir = entry.dir === 'rtl' ? 'rtl' : 'ltr';
      if (entry.locale) el.lang = entry.locale;
    }
    el.appendChild(text);

    if (entry.buttons && entry.buttons.length) {
      var group = element('div', 'choices');
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', 'Choices');
      entry.buttons.forEach(function (b) {
        var button = element('button', 'choice', b.label);
        button.type = 'button';
        button.addEventListener('click', function () {
          send({ payload: b.payload }, b.label);
        });
        group.appendChild(button);
      });
      el.appendChild(group);
    }

    var links = (entry.links || []).filter(function (l) { return safeUrl(l.url); });
    if (links.length) {
      var list = element('ul', 'links');
      links.forEach(function (l) {
        var a = element('a', '', l.label);
        a.href = safeUrl(l.url);
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        var item = element('li');
        item.appendChild(a);
        list.appendChild(item);
      });
      el.appendChild(list);
    }
    return el;
  }

  // Only the choices of the bot's latest answer can be pressed; older ones stay visible, greyed.
  function refreshControls() {
    var waiting = state.busy || state.pending !== null;
    var lastUser = -1;
    state.entries.forEach(function (e, i) { if (e.from === 'user') lastUser = i; });
    Array.prototype.forEach.call(log.querySelectorAll('.msg'), function (el, i) {
      Array.prototype.forEach.call(el.querySelectorAll('.choice'), function (button) {
        button.disabled = waiting || i < lastUser;
      });
    });
    sendButton.disabled = waiting;
    input.readOnly = state.busy; // readOnly, not disabled: a disabled field drops focus and closes the phone's keyboard
    log.setAttribute('aria-busy', state.busy ? 'true' : 'false');
    typing.hidden = !state.busy;
  }

  function append(entries) {
    var first = null;
    entries.forEach(function (entry) {
      var el = place(entry);
      // The earliest of the new messages still shown: reading starts there.
      if (el && (!first || !log.contains(first) || el.compareDocumentPosition(first) & window.Node.DOCUMENT_POSITION_FOLLOWING)) first = el;
    });
    return first;
  }

  // Replies come in order of their seq, but the answer to a message and the history can each bring a reply
  // before the other's: a caseworker's reply written just before the person's message is read by the next
  // poll, after the answer is shown. It goes before the first reply written after it.
  function place(entry) {
    var at = state.entries.length;
    if (typeof entry.seq === 'number') {
      var head = state.entries[0];
      // Written before a clear that is already shown: the person asked for it to be gone.
      if (head && head.clearBefore && typeof head.seq === 'number' && entry.seq < head.seq) return null;
      for (var i = state.entries.length - 1; i >= 0; i--) {
        var seq = state.entries[i].seq;
        if (typeof seq !== 'number') continue;
        if (seq < entry.seq) break;
        at = i;
      }
    }
    var shown = log.querySelectorAll('.msg');
    // Discreet mode: a reply marked clearBefore wipes the transcript (screen and storage) before it.
    if (entry.clearBefore) {
      for (var j = 0; j < at; j++) log.removeChild(shown[j]);
      state.entries.splice(0, at);
      at = 0;
      shown = log.querySelectorAll('.msg');
    }
    state.entries.splice(at, 0, entry);
    var el = renderEntry(entry);
    log.insertBefore(el, shown[at] || null);
    return el;
  }

  function botEntry(m) {
    var entry = { from: 'bot', text: String(m.text), buttons: m.buttons || [], links: m.links || [], dir: m.dir, locale: m.locale };
    if (typeof m.seq === 'number') entry.seq = m.seq;
    if (m.clearBefore === true) entry.clearBefore = true;
    return entry;
  }

  // Whether this page has not shown the reply yet; one without a seq cannot be matched and is always new.
  function unseen(m) {
    return typeof m.seq !== 'number' || (m.seq > state.lastSeq && state.ahead.indexOf(m.seq) < 0);
  }

  // Long answers are read from their start, so new replies scroll to their top rather than to the bottom.
  function reveal(el) {
    if (el) el.scrollIntoView({ block: 'start' });
  }

  function showError(message, canRetry) {
    statusText.textContent = message;
    retryButton.hidden = !canRetry;
    statusBox.hidden = false;
    // The bar takes room from the list; keep the message that failed in sight above it.
    log.scrollTop = log.scrollHeight;
    if (canRetry) retryButton.focus({ preventScroll: true });
  }

  function hideError() {
    statusBox.hidden = true;
  }

  // ---- talking to the server ----

  function send(fields, shownAs) {
    if (state.busy || state.pending) return Promise.resolve();
    var body = { conversationId: state.conversationId, messageId: newId() };
    if (navigator.language) body.locale = navigator.language;
    Object.keys(fields).forEach(function (k) { body[k] = fields[k]; });
    state.pending = body;
    if (shownAs !== null) reveal(append([{ from: 'user', text: shownAs }]));
    save();
    return deliver();
  }

  // Sends the pending message. A retry sends the same messageId, so the server answers it once.
  function deliver() {
    var fromButton = document.activeElement && document.activeElement.classList.contains('choice');
    state.busy = true;
    hideError();
    refreshControls();
    return fetch(API, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(state.pending),
    })
      .then(function (res) {
        return res.json().then(
          function (data) { return { res: res, data: data }; },
          function () { return { res: res, data: null }; }
        );
      })
      .then(function (r) {
        if (r.res.ok && r.data && Array.isArray(r.data.replies)) {
          state.pending = null;
          // Some may be shown already, by a poll that read them first or by an earlier try of this message.
          var fresh = r.data.replies.filter(unseen);
          var first = append(fresh.map(botEntry));
          // lastSeq only moves with the history: a reply written just before these may not be shown yet.
          fresh.forEach(function (m) { if (typeof m.seq === 'number') state.ahead.push(m.seq); });
          // A server without seqs on its replies (an older version, during an update) gives only lastSeq.
          var seqless = r.data.replies.every(function (m) { return typeof m.seq !== 'number'; });
          if (seqless && typeof r.data.lastSeq === 'number') state.lastSeq = Math.max(state.lastSeq, r.data.lastSeq);
          save();
          reveal(first);
          if (fromButton && first) first.focus({ preventScroll: true });
        } else if (r.res.status >= 400 && r.res.status < 500 && r.data && r.data.error) {
          // The server refused this message; sending it again would be refused again.
          state.pending = null;
          save();
          showError('This message was not accepted: ' + r.data.error.message, false);
        } else {
          showError('The Virtual Volunteer is not answering right now. Please try again.', true);
        }
      })
      .catch(function () {
        showError('The Virtual Volunteer could not be reached. Check your connection and try again.', true);
      })
      .then(function () {
        state.busy = false;
        refreshControls();
      });
  }

  // On a bad network a request can hang for minutes; it is given up so that the next one can go.
  function getJson(url) {
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, POLL.timeout) : null;
    return fetch(url, { cache: 'no-store', signal: controller ? controller.signal : undefined })
      .then(function (res) {
        if (!res.ok) throw new Error('history ' + res.status);
        return res.json();
      })
      .then(
        function (data) { clearTimeout(timer); return data; },
        function (err) { clearTimeout(timer); throw err; }
      );
  }

  function nearEnd() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }

  // Replies this page has not shown: written while it was open (a caseworker's reply, a case closed) or
  // closed, or the whole conversation when the phone's storage was cleared. New replies scroll into view
  // when `follow` is set or the person is at the end of the conversation, not while they read further up.
  function catchUp(follow) {
    var url = API + '?conversationId=' + encodeURIComponent(state.conversationId) + '&after=' + state.lastSeq;
    return getJson(url).then(function (data) {
      if (!data || !Array.isArray(data.messages) || typeof data.lastSeq !== 'number') throw new Error('history: unexpected answer');
      var atEnd = follow || nearEnd();
      var first = append(data.messages.filter(unseen).map(botEntry));
      var lastSeq = Math.max(state.lastSeq, data.lastSeq);
      // Most polls bring nothing: storage is written only when something changed.
      if (first || lastSeq !== state.lastSeq) {
        state.lastSeq = lastSeq;
        state.ahead = state.ahead.filter(function (s) { return s > lastSeq; });
        save();
      }
      if (first) {
        refreshControls();
        if (atEnd) reveal(first);
      }
      if (data.messages.length >= HISTORY_PAGE) return catchUp(follow);
      return undefined;
    });
  }

  // ---- new replies without reloading: polling the history ----
  // Polling rather than a connection held open: it goes through every proxy and flaky mobile network,
  // needs nothing from the server but the history it already keeps, and costs the phone nothing between
  // requests. One request at a time: the one in flight schedules the next when it ends.

  var poller = { timer: null, inFlight: false, failures: 0, started: 0, touched: Date.now() };

  function pollDelay() {
    var delay = document.hidden ? POLL.hidden : Date.now() - poller.touched > POLL.idleAfter ? POLL.idle : POLL.active;
    if (poller.failures > 0) delay = Math.max(delay, Math.min(POLL.active * Math.pow(2, poller.failures), POLL.maxBackoff));
    return delay;
  }

  function schedule(delay) {
    clearTimeout(poller.timer);
    poller.timer = setTimeout(poll, delay);
  }

  function poll() {
    poller.timer = null;
    if (poller.inFlight) return;
    // A message is on its way: its answer brings the replies, and the next poll any others.
    if (state.busy) {
      schedule(POLL.active);
      return;
    }
    poller.inFlight = true;
    poller.started = Date.now();
    catchUp(false)
      .then(
        function () { poller.failures = 0; },
        function () { poller.failures += 1; }
      )
      .then(function () {
        poller.inFlight = false;
        schedule(pollDelay());
      });
  }

  // Asks now instead of at the next tick, but never more often than the fastest pace.
  function pollSoon() {
    if (poller.inFlight) return;
    schedule(Math.max(0, poller.started + POLL.active - Date.now()));
  }

  // The person is using the page: back to the fast pace, asking at once if it had slowed down.
  function touched() {
    var slow = pollDelay() > POLL.active;
    poller.touched = Date.now();
    if (slow) pollSoon();
  }

  function startPolling() {
    ['pointerdown', 'touchstart', 'keydown'].forEach(function (type) {
      document.addEventListener(type, touched, { capture: true, passive: true });
    });
    window.addEventListener('focus', touched);
    window.addEventListener('online', pollSoon);
    document.addEventListener('visibilitychange', function () {
      if (document.hidden) return;
      poller.touched = Date.now();
      pollSoon();
    });
    schedule(pollDelay());
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = input.value;
    if (text.trim() === '' || state.busy || state.pending) return;
    input.value = '';
    send({ text: text }, text);
  });

  retryButton.addEventListener('click', function () {
    if (state.pending && !state.busy) deliver();
  });

  function start() {
    restore();
    var lastUser = -1;
    state.entries.forEach(function (e, i) { if (e.from === 'user') lastUser = i; });
    var lastTurn = null;
    state.entries.forEach(function (entry, i) {
      var el = renderEntry(entry);
      log.appendChild(el);
      if (i === lastUser + 1) lastTurn = el;
    });
    reveal(lastTurn);
    refreshControls();

    var ready = state.pending ? deliver() : Promise.resolve();
    ready
      .then(function () {
        if (state.pending) return undefined; // the server is not answering; the error and retry are shown
        return catchUp(true).catch(function () {
          // History only adds what this page missed; the chat works without it.
        });
      })
      .then(function () {
        // A first visit opens with the bot's welcome and menu rather than an empty page: people
        // can start by tapping, without knowing what to type or typing in English.
        if (state.entries.length === 0 && !state.pending) return send({ payload: 'cmd.menu' }, null);
        return undefined;
      })
      .then(function () {
        refreshControls();
        startPolling();
      });
  }

  start();
})();
