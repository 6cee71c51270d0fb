// One case: its facts, transcript, notes and transfers, and what a caseworker can do with it.
(function (C) {
  'use strict';

  var STATUSES = C.STATUSES, AUTHORS = C.AUTHORS;
  var $ = C.$, state = C.state, el = C.el, clear = C.clear, show = C.show;
  var formatTime = C.formatTime, timeElement = C.timeElement, languageName = C.languageName;
  var countryName = C.countryName, categoryName = C.categoryName, assignee = C.assignee;
  var ApiError = C.ApiError, api = C.api, notice = C.notice;
  var problem = C.problem, clearMessages = C.clearMessages, busy = C.busy;

  function loadCase(focus) {
    var id = state.caseId;
    if (!id) return Promise.resolve();
    return api('GET', '/cases/' + encodeURIComponent(id)).then(
      function (view) {
        if (id !== state.caseId) return;
        delete state.fresh[id];
        state.view = view;
        renderCase();
        if (focus) $('case-title').focus();
      },
      function (err) {
        if (id !== state.caseId || !(err instanceof ApiError) || err.status === 401) return;
        state.view = null;
        renderCase();
        if (err.status === 404) problem('This case is not in your organisation\'s inbox (it may have been transferred).');
        else problem('The case could not be loaded: ' + err.message);
      }
    );
  }

  function fact(list, term, value) {
    if (value === null || value === undefined || value === '') return;
    list.appendChild(el('dt', '', term));
    var dd = el('dd');
    if (typeof value === 'object' && value.nodeType === 1) dd.appendChild(value);
    else dd.textContent = String(value);
    list.appendChild(dd);
  }

  /** The tracing request of an RFL case, as the person gave it: every field as text. */
  function tracingText(tracing) {
    if (tracing === null || tracing === undefined) return null;
    if (typeof tracing !== 'object') return String(tracing);
    return Object.keys(tracing).map(function (k) {
      var v = tracing[k];
      return k + ': ' + (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
    }).join('\n');
  }

  function renderCase() {
    var view = state.view;
    show($('case-none'), !state.caseId);
    show($('case'), Boolean(view));
    Array.prototype.forEach.call(document.querySelectorAll('#queue .case-link'), function (link) {
      if (link.parentNode.dataset.caseId === state.caseId) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    });
    if (!view) return;
    var c = view.case;
    var closed = c.status === 'closed';
    var who = assignee(c);
    var mine = who !== null && who.id === state.user.id;

    $('case-title').textContent = categoryName(c.category) + ' case';
    var badges = $('case-badges');
    clear(badges);
    if (c.priority === 'urgent') badges.appendChild(el('span', 'badge urgent', 'Urgent'));
    if (c.alert) badges.appendChild(el('span', 'badge overdue', 'Overdue'));
    badges.appendChild(el('span', 'badge status-' + c.status, STATUSES[c.status] || c.status));

    var facts = $('case-facts');
    clear(facts);
    fact(facts, 'Assigned to', who ? (mine ? 'You' : who.name) : 'Nobody yet');
    fact(facts, 'Language', languageName(c.locale));
    fact(facts, 'Now in', c.country && countryName(c.country.current));
    fact(facts, 'From', c.country && countryName(c.country.origin));
    fact(facts, 'Channel', c.channel || (c.ref && c.ref.channel));
    fact(facts, 'Opened', timeElement(c.createdAt));
    if (c.consent) fact(facts, 'Consent', 'given ' + formatTime(c.consent.at) + ' in ' + languageName(c.consent.locale));
    if (closed) fact(facts, 'Closed', c.closedAt ? formatTime(c.closedAt) + (c.closedBy === 'person' ? ' by the person' : '') : 'yes');
    var tracing = tracingText(c.tracing);
    if (tracing) fact(facts, 'Tracing request', el('span', 'pre', tracing));
    fact(facts, 'Case number', c.id);

    // Another caseworker's case: only they reply (the server refuses others), everyone may note, transfer or close.
    var theirs = who !== null && !mine;
    show($('claim'), !closed && who === null);
    show($('close'), !closed && $('close-confirm').hidden);
    show($('reply-form'), !closed && !theirs);
    $('held-by').textContent = theirs ? who.name + ' has claimed this case: only they can reply.' : '';
    show($('held-by'), !closed && theirs);
    show($('note-form'), true);
    show($('transfer-form'), !closed);

    renderTranscript(view.messages || []);
    renderNotes(view.notes || []);
    renderTransfers(view.transfers || []);
    renderTargets();
  }

  function deliveryLine(m) {
    if (m.author !== 'caseworker' || !m.delivery) return null;
    if (m.delivery === 'delivered') return el('p', 'delivery ok', 'Delivered');
    if (m.delivery === 'pending') return el('p', 'delivery pending', 'Sending…');
    return el('p', 'delivery failed', 'Not delivered' + (m.deliveryError ? ': ' + m.deliveryError : '') + '.');
  }

  function renderTranscript(messages) {
    var list = $('transcript');
    clear(list);
    messages.forEach(function (m) {
      var item = el('li', 'line-item from-' + m.author);
      item.dataset.author = m.author;
      var head = el('p', 'head');
      var who = AUTHORS[m.author] || m.author;
      if (m.author === 'caseworker' && m.userName) who = m.userName;
      head.appendChild(el('span', 'author', who));
      if (m.author === 'person' && m.locale) head.appendChild(el('span', 'lang', languageName(m.locale)));
      head.appendChild(timeElement(m.createdAt));
      item.appendChild(head);
      var text = el('p', 'text', m.text);
      // The person's script decides the direction (Urdu reads right to left), not the console's.
      text.dir = 'auto';
      if (m.locale) text.lang = m.locale;
      item.appendChild(text);
      var delivery = deliveryLine(m);
      if (delivery) {
        item.appendChild(delivery);
        if (m.delivery === 'failed') item.classList.add('undelivered');
      }
      list.appendChild(item);
    });
    if (messages.length === 0) list.appendChild(el('li', 'empty', 'No messages yet.'));
  }

  function renderNotes(notes) {
    var list = $('notes');
    clear(list);
    notes.forEach(function (n) {
      var item = el('li', 'note');
      var head = el('p', 'head');
      head.appendChild(el('span', 'author', n.userName || 'A caseworker'));
      head.appendChild(timeElement(n.createdAt));
      item.appendChild(head);
      var text = el('p', 'text', n.text);
      text.dir = 'auto';
      item.appendChild(text);
      list.appendChild(item);
    });
  }

  function renderTransfers(transfers) {
    var list = $('transfers');
    clear(list);
    transfers.forEach(function (t) {
      var item = el('li', 'transfer');
      var head = el('p', 'head');
      var from = t.from && t.from.name ? t.from.name : 'another organisation';
      var to = t.to && t.to.name ? t.to.name : 'another organisation';
      head.appendChild(el('span', 'author', from + ' → ' + to));
      head.appendChild(el('span', 'by', t.userName ? 'by ' + t.userName : ''));
      head.appendChild(timeElement(t.at));
      item.appendChild(head);
      if (t.note) {
        var text = el('p', 'text', t.note);
        text.dir = 'auto';
        item.appendChild(text);
      }
      list.appendChild(item);
    });
    show($('transfers-none'), transfers.length === 0);
  }

  function loadTargets() {
    return api('GET', '/organisations').then(
      function (data) {
        state.targets = data.organisations || [];
        renderTargets();
      },
      function () {
        state.targets = [];
      }
    );
  }

  function renderTargets() {
    var select = $('transfer-org');
    var chosen = select.value;
    clear(select);
    var own = state.view ? state.view.case.organisationId || (state.view.organisation && state.view.organisation.id) : null;
    var placeholder = el('option', '', 'Choose an organisation');
    placeholder.value = '';
    select.appendChild(placeholder);
    state.targets.forEach(function (o) {
      if (o.id === own) return;
      var option = el('option', '', o.name);
      option.value = o.id;
      select.appendChild(option);
    });
    select.value = chosen;
  }

  function caseAction(button, path, body, done) {
    var id = state.caseId;
    return busy(button, function () {
      return api('POST', '/cases/' + encodeURIComponent(id) + path, body).then(function (data) {
        if (done) done(data);
        if (id === state.caseId) loadCase(false);
        C.loadQueue();
      });
    });
  }

  $('claim').addEventListener('click', function () {
    caseAction($('claim'), '/claim', undefined, function () { notice('You have claimed this case.'); });
  });

  function closeConfirm(open) {
    show($('close-confirm'), open);
    show($('close'), !open && Boolean(state.view) && state.view.case.status !== 'closed');
    if (open) $('close-no').focus();
  }

  $('close').addEventListener('click', function () { closeConfirm(true); });
  $('close-no').addEventListener('click', function () {
    closeConfirm(false);
    $('close').focus();
  });
  $('close-yes').addEventListener('click', function () {
    caseAction($('close-yes'), '/close', undefined, function () {
      closeConfirm(false);
      notice('The case is closed. The person has been told, and the bot answers them again.');
    });
  });

  $('reply-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var box = $('reply-text');
    var text = box.value;
    if (text.trim() === '') {
      box.focus();
      return;
    }
    caseAction($('reply-send'), '/reply', { text: text }, function () {
      box.value = '';
      clearMessages();
    });
  });

  $('note-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var box = $('note-text');
    var text = box.value;
    if (text.trim() === '') {
      box.focus();
      return;
    }
    caseAction($('note-add'), '/notes', { text: text }, function () {
      box.value = '';
      notice('Note added.');
    });
  });

  $('transfer-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var select = $('transfer-org');
    var note = $('transfer-note');
    if (!select.value) {
      select.focus();
      return;
    }
    if (note.value.trim() === '') {
      note.focus();
      return;
    }
    var to = select.options[select.selectedIndex].textContent;
    var id = state.caseId;
    busy($('transfer-send'), function () {
      return api('POST', '/cases/' + encodeURIComponent(id) + '/transfer', { organisationId: select.value, note: note.value })
        .then(function () {
          note.value = '';
          select.value = '';
          // The case now belongs to the other organisation: it leaves this inbox.
          if (state.known) delete state.known[id];
          // pushState, not a new hash: a hashchange would clear the notice below.
          window.history.pushState(null, '', '#/queue');
          C.route();
          notice('The case was transferred to ' + to + '.');
        });
    });
  });

  C.loadCase = loadCase;
  C.renderCase = renderCase;
  C.loadTargets = loadTargets;
  C.closeConfirm = closeConfirm;
})(window.vvConsole);
