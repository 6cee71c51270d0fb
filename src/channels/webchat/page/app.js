// The web chat page. Plain JavaScript with no build step and no libraries, so
// the whole page stays a few kilobytes on a cheap phone. API: see ../API.md.
(function () {
  'use strict';

  var API = '/api/webchat/messages';
  var HISTORY_PAGE = 100;
  var KEEP = 300; // transcript entries kept on the phone
  var KEY = { id: 'vv.conversationId', transcript: 'vv.transcript', pending: 'vv.pending' };
  var ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

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
    entries: [], // { from: 'user', text } or { from: 'bot', text, buttons, links, dir, locale }
    lastSeq: 0,
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
    }
    var pending = readJson(KEY.pending);
    if (pending && pending.conversationId === state.conversationId) state.pending = pending;
  }

  function save() {
    try {
      storage.setItem(KEY.transcript, JSON.stringify({
        conversationId: state.conversationId,
        lastSeq: state.lastSeq,
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
      // Discreet mode: a reply marked clearBefore wipes the transcript (screen and storage) before it.
      if (entry.clearBefore) {
        state.entries = [];
        log.textContent = '';
        first = null;
      }
      state.entries.push(entry);
      var el = renderEntry(entry);
      log.appendChild(el);
      if (!first) first = el;
    });
    return first;
  }

  function botEntry(m) {
    var entry = { from: 'bot', text: String(m.text), buttons: m.buttons || [], links: m.links || [], dir: m.dir, locale: m.locale };
    if (m.clearBefore === true) entry.clearBefore = true;
    return entry;
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
          var first = append(r.data.replies.map(botEntry));
          if (typeof r.data.lastSeq === 'number') state.lastSeq = Math.max(state.lastSeq, r.data.lastSeq);
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

  // Replies this page has not shown: an answer that arrived while the page was closed, or the whole
  // conversation when the phone's storage was cleared.
  function catchUp() {
    var url = API + '?conversationId=' + encodeURIComponent(state.conversationId) + '&after=' + state.lastSeq;
    return fetch(url, { cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) throw new Error('history ' + res.status);
        return res.json();
      })
      .then(function (data) {
        var first = append(data.messages.map(botEntry));
        state.lastSeq = data.lastSeq;
        save();
        reveal(first);
        if (data.messages.length >= HISTORY_PAGE) return catchUp();
        return undefined;
      });
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
        return catchUp().catch(function () {
          // History only adds what this page missed; the chat works without it.
        });
      })
      .then(function () {
        // A first visit opens with the bot's welcome and menu rather than an empty page: people
        // can start by tapping, without knowing what to type or typing in English.
        if (state.entries.length === 0 && !state.pending) return send({ payload: 'cmd.menu' }, null);
        return undefined;
      })
      .then(refreshControls);
  }

  start();
})();
