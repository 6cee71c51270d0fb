// The caseworker console. Plain JavaScript with no build step and no libraries,
// over the JSON API in ../API.md. Everything a person wrote is untrusted: it is
// only ever put on the page as text (textContent), never as HTML.
(function () {
  'use strict';

  var API = '/console/api';
  var TICK_MS = 15000;
  /** Several events in a burst (a reply, its delivery, the case update) make one refetch. */
  var REFRESH_DELAY_MS = 150;

  var CATEGORIES = {
    danger: 'Danger',
    passport: 'Passport taken',
    recruitment: 'Recruiter problem',
    familyEmergency: 'Family emergency',
    rfl: 'Finding family (RFL)',
    wellbeing: 'Stress and wellbeing',
    other: 'Other',
  };
  var LANGUAGES = {
    bn: 'Bengali', en: 'English', fil: 'Filipino', hi: 'Hindi', id: 'Indonesian', km: 'Khmer',
    my: 'Burmese', ne: 'Nepali', si: 'Sinhala', ta: 'Tamil', ur: 'Urdu', vi: 'Vietnamese',
  };
  var STATUSES = { waiting: 'Waiting', assigned: 'Assigned', closed: 'Closed' };
  var AUTHORS = { person: 'Person', bot: 'Bot', caseworker: 'Caseworker', system: 'System' };

  var $ = function (id) { return document.getElementById(id); };

  var state = {
    user: null,
    organisation: null,
    csrf: null,
    cases: [],
    /** Ids of the cases seen in the queue, to tell which ones are new. */
    known: null,
    /** Cases announced by a live event and not opened yet: shown as new. */
    fresh: {},
    caseId: null,
    view: null,
    targets: [],
    events: null,
    eventsBroken: false,
    refreshTimer: null,
    admin: { users: [], orgs: [], auditBefore: null },
    editingUser: null,
    editingOrg: null,
  };

  // ---- small helpers ----

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  /** The API sends times as epoch milliseconds or ISO strings. */
  function time(value) {
    if (value === null || value === undefined) return null;
    var d = new Date(value);
    return isNaN(d.getTime()) ? null : d;
  }

  function formatTime(value) {
    var d = time(value);
    if (!d) return '';
    var today = new Date();
    var sameDay = d.toDateString() === today.toDateString();
    var hm = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return sameDay ? hm : d.toLocaleDateString([], { day: 'numeric', month: 'short' }) + ' ' + hm;
  }

  function timeElement(value) {
    var d = time(value);
    var node = el('time', 'when', formatTime(value));
    if (d) node.dateTime = d.toISOString();
    return node;
  }

  function duration(minutes) {
    if (minutes < 1) return 'under a minute';
    if (minutes < 60) return minutes + ' min';
    var h = Math.floor(minutes / 60);
    var m = minutes % 60;
    if (h < 48) return h + ' h ' + (m < 10 ? '0' : '') + m + ' min';
    return Math.floor(h / 24) + ' days';
  }

  function languageName(code) {
    if (!code) return 'unknown language';
    var base = String(code).split('-')[0];
    return LANGUAGES[base] ? LANGUAGES[base] + ' (' + code + ')' : String(code);
  }

  var regionNames = null;
  try {
    regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
  } catch (e) {
    regionNames = null;
  }

  function countryName(code) {
    if (!code) return null;
    try {
      return regionNames ? regionNames.of(code) + ' (' + code + ')' : code;
    } catch (e) {
      return code;
    }
  }

  function categoryName(code) {
    return CATEGORIES[code] || String(code);
  }

  function assignee(c) {
    var a = c.assignedTo;
    if (!a) return null;
    if (typeof a === 'string') return { id: a, name: a === state.user.id ? state.user.name : 'another caseworker' };
    return a;
  }

  function errorText(data, status) {
    if (data && typeof data.error === 'string') return data.error;
    if (data && data.error && typeof data.error.message === 'string') return data.error.message;
    if (status === 0) return 'The server could not be reached. Check the connection and try again.';
    return 'Something went wrong (' + status + '). Please try again.';
  }

  // ---- talking to the server ----

  function ApiError(status, message) {
    this.status = status;
    this.message = message;
  }

  /**
   * One API call. Changes carry the session's CSRF token; a 401 anywhere
   * means the session has ended, so the login form comes back.
   */
  function api(method, path, body) {
    var headers = { accept: 'application/json' };
    var init = { method: method, headers: headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (method !== 'GET' && state.csrf) headers['x-csrf-token'] = state.csrf;
    return fetch(API + path, init).then(
      function (res) {
        return res.text().then(function (raw) {
          var data = null;
          try {
            data = raw ? JSON.parse(raw) : null;
          } catch (e) {
            data = null;
          }
          if (res.ok) return data;
          if (res.status === 401 && path !== '/login' && state.user) sessionEnded();
          throw new ApiError(res.status, errorText(data, res.status));
        });
      },
      function () {
        throw new ApiError(0, errorText(null, 0));
      }
    );
  }

  function notice(message) {
    var box = $('notice');
    box.textContent = message;
    show(box, true);
    $('problem').hidden = true;
  }

  function problem(message) {
    var box = $('problem');
    box.textContent = message;
    show(box, true);
    $('notice').hidden = true;
  }

  function clearMessages() {
    $('notice').hidden = true;
    $('problem').hidden = true;
  }

  /** Runs an action with its button busy, so a double tap sends once. */
  function busy(button, work) {
    if (button.disabled) return Promise.resolve();
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    return work()
      .catch(function (err) {
        if (err instanceof ApiError) {
          if (err.status !== 401) problem(err.message);
          return;
        }
        throw err;
      })
      .then(function () {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      });
  }

  // ---- session ----

  function showLogin(message) {
    stopEvents();
    state.user = null;
    state.organisation = null;
    state.csrf = null;
    state.known = null;
    state.fresh = {};
    state.caseId = null;
    state.view = null;
    state.cases = [];
    state.targets = [];
    state.admin = { users: [], orgs: [], auditBefore: null };
    // Hidden is not gone: on a shared computer, the next person must not find transcripts in the page.
    ['queue', 'transcript', 'notes', 'transfers', 'case-facts', 'users', 'orgs', 'audit', 'live'].forEach(function (id) { clear($(id)); });
    ['reply-text', 'note-text', 'transfer-note'].forEach(function (id) { $(id).value = ''; });
    show($('case'), false);
    ['inbox', 'admin-users', 'admin-orgs', 'admin-audit', 'nav', 'who'].forEach(function (id) { show($(id), false); });
    show($('login'), true);
    var error = $('login-error');
    error.textContent = message || '';
    show(error, Boolean(message));
    document.title = 'Caseworker console';
    $('login-email').focus();
  }

  function sessionEnded() {
    showLogin('Your session has ended. Please log in again.');
  }

  function signedIn(me) {
    state.user = me.user;
    state.organisation = me.organisation || null;
    state.csrf = me.csrfToken;
    $('who-name').textContent = me.user.name;
    $('who-org').textContent = state.organisation ? state.organisation.name : '';
    show($('who'), true);
    show($('nav'), true);
    Array.prototype.forEach.call(document.querySelectorAll('[data-admin]'), function (link) {
      show(link, me.user.role === 'admin');
    });
    show($('login'), false);
    clearMessages();
    startEvents();
    loadTargets();
    route();
  }

  function loadMe() {
    return api('GET', '/me').then(signedIn);
  }

  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var email = $('login-email').value.trim();
    var password = $('login-password').value;
    var error = $('login-error');
    if (!email || !password) {
      error.textContent = 'Enter your email and password.';
      show(error, true);
      return;
    }
    busy($('login-submit'), function () {
      return api('POST', '/login', { email: email, password: password })
        .then(function (data) {
          $('login-password').value = '';
          state.csrf = data.csrfToken;
          return loadMe();
        })
        .catch(function (err) {
          if (!(err instanceof ApiError)) throw err;
          error.textContent = err.status === 401 ? 'Wrong email or password.' : err.message;
          show(error, true);
          $('login-password').focus();
        });
    });
  });

  $('logout').addEventListener('click', function () {
    busy($('logout'), function () {
      return api('POST', '/logout').then(function () {
        location.hash = '';
        showLogin();
      });
    });
  });

  // ---- navigation: #/queue, #/cases/<id>, #/admin/users|organisations|audit ----

  function route() {
    if (!state.user) return;
    var hash = location.hash.replace(/^#\/?/, '');
    var parts = hash.split('/');
    var admin = parts[0] === 'admin' && state.user.role === 'admin' ? parts[1] : null;
    show($('inbox'), !admin);
    show($('admin-users'), admin === 'users');
    show($('admin-orgs'), admin === 'organisations');
    show($('admin-audit'), admin === 'audit');
    markCurrentNav(admin);
    if (admin === 'users') return loadUsers(true);
    if (admin === 'organisations') return loadOrgs(true);
    if (admin === 'audit') return loadAudit(true);
    var caseId = (parts[0] === 'cases' || parts[0] === 'case') && parts[1] ? decodePart(parts[1]) : null;
    document.body.classList.toggle('has-case', caseId !== null);
    if (caseId !== state.caseId) {
      state.caseId = caseId;
      state.view = null;
      closeConfirm(false);
      renderCase();
    }
    loadQueue();
    if (caseId) loadCase(true);
  }

  function decodePart(part) {
    try {
      return decodeURIComponent(part);
    } catch (e) {
      return part;
    }
  }

  function markCurrentNav(admin) {
    var current = { users: 'nav-users', organisations: 'nav-orgs', audit: 'nav-audit' }[admin] || 'nav-queue';
    ['nav-queue', 'nav-users', 'nav-orgs', 'nav-audit'].forEach(function (id) {
      if (id === current) $(id).setAttribute('aria-current', 'page');
      else $(id).removeAttribute('aria-current');
    });
  }

  window.addEventListener('hashchange', function () {
    clearMessages();
    route();
  });

  // ---- the queue ----

  function filters() {
    return { status: $('filter-status').value, category: $('filter-category').value, locale: $('filter-locale').value };
  }

  function queueQuery() {
    var f = filters();
    var q = new URLSearchParams();
    q.set('status', f.status);
    if (f.category) q.set('category', f.category);
    if (f.locale) q.set('locale', f.locale);
    return '?' + q.toString();
  }

  /** `live`: a live event asked for it, so cases not seen before have just arrived. */
  function loadQueue(live) {
    var query = queueQuery();
    return api('GET', '/cases' + query).then(
      function (data) {
        if (query !== queueQuery()) return; // the filters changed meanwhile; their own load follows
        var fetchedAt = Date.now();
        state.cases = (data.cases || []).map(function (c) {
          // Waiting time from the server's clock, counted on from the moment it was read.
          return { summary: c, since: fetchedAt - (Number(c.waitingMinutes) || 0) * 60000 };
        });
        announceNew(live === true);
        renderQueue();
      },
      function (err) {
        if (err instanceof ApiError && err.status !== 401) problem('The cases could not be loaded: ' + err.message);
      }
    );
  }

  /** Cases that arrived while the console was open are marked and announced to screen readers. */
  function announceNew(live) {
    var ids = {};
    var arrived = [];
    state.cases.forEach(function (entry) {
      var c = entry.summary;
      ids[c.id] = true;
      if (live && state.known && !state.known[c.id] && c.status !== 'closed') {
        arrived.push(c);
        state.fresh[c.id] = true;
      }
    });
    state.known = Object.assign(state.known || {}, ids);
    if (arrived.length === 0) return;
    var urgent = arrived.filter(function (c) { return c.priority === 'urgent'; }).length;
    var words = arrived.length === 1
      ? 'New ' + (urgent ? 'urgent ' : '') + 'case: ' + categoryName(arrived[0].category) + ', ' + languageName(arrived[0].locale) + '.'
      : arrived.length + ' new cases' + (urgent ? ', ' + urgent + ' urgent' : '') + '.';
    $('live').textContent = words;
  }

  function waitedMinutes(entry) {
    return Math.max(0, Math.floor((Date.now() - entry.since) / 60000));
  }

  function waitingText(entry) {
    return (entry.summary.status === 'waiting' ? 'Waiting for ' : 'Open for ') + duration(waitedMinutes(entry));
  }

  function renderQueue() {
    var list = $('queue');
    clear(list);
    var waiting = 0;
    state.cases.forEach(function (entry) {
      var c = entry.summary;
      if (c.status === 'waiting') waiting += 1;
      var item = el('li', 'queue-item');
      item.dataset.caseId = c.id;
      if (c.priority === 'urgent') item.classList.add('urgent');
      if (c.alert) item.classList.add('overdue');
      if (state.fresh[c.id]) item.classList.add('fresh');

      var link = el('a', 'case-link');
      link.href = '#/cases/' + encodeURIComponent(c.id);
      if (c.id === state.caseId) link.setAttribute('aria-current', 'true');

      var top = el('span', 'line');
      if (c.priority === 'urgent') top.appendChild(el('span', 'badge urgent', 'Urgent'));
      if (c.alert) top.appendChild(el('span', 'badge overdue', 'Overdue'));
      if (state.fresh[c.id]) top.appendChild(el('span', 'badge fresh', 'New'));
      top.appendChild(el('span', 'category', categoryName(c.category)));
      link.appendChild(top);

      var where = [languageName(c.locale)];
      var here = c.country && countryName(c.country.current);
      var from = c.country && countryName(c.country.origin);
      if (here) where.push('in ' + here);
      if (from) where.push('from ' + from);
      link.appendChild(el('span', 'line meta', where.join(' · ')));

      var bottom = el('span', 'line meta');
      var who = assignee(c);
      if (c.status === 'assigned') bottom.appendChild(el('span', 'status', 'Assigned to ' + (who && who.id === state.user.id ? 'you' : who ? who.name : 'a caseworker') + ' · '));
      if (c.status === 'closed') bottom.appendChild(el('span', 'status', 'Closed'));
      else {
        var wait = el('span', 'waiting', waitingText(entry));
        wait.dataset.index = String(state.cases.indexOf(entry));
        bottom.appendChild(wait);
      }
      link.appendChild(bottom);
      item.appendChild(link);
      list.appendChild(item);
    });
    $('queue-count').textContent = '(' + state.cases.length + ')';
    show($('queue-empty'), state.cases.length === 0);
    document.title = (waiting > 0 ? '(' + waiting + ') ' : '') + 'Caseworker console';
  }

  function tick() {
    Array.prototype.forEach.call(document.querySelectorAll('#queue .waiting'), function (node) {
      var entry = state.cases[Number(node.dataset.index)];
      if (entry) node.textContent = waitingText(entry);
    });
  }

  function fillSelect(select, values, names) {
    Object.keys(values).forEach(function (code) {
      var option = el('option', '', names(code));
      option.value = code;
      select.appendChild(option);
    });
  }

  fillSelect($('filter-category'), CATEGORIES, categoryName);
  fillSelect($('filter-locale'), LANGUAGES, function (code) { return LANGUAGES[code]; });
  $('filters').addEventListener('change', function () { loadQueue(false); });
  $('filters').addEventListener('submit', function (event) { event.preventDefault(); });

  // ---- one case ----

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
        loadQueue();
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
          route();
          notice('The case was transferred to ' + to + '.');
        });
    });
  });

  // ---- live updates ----

  var pending = { queue: false, caseId: null };

  function scheduleRefresh(caseId) {
    pending.queue = true;
    if (caseId && caseId === state.caseId) pending.caseId = caseId;
    if (state.refreshTimer) return;
    state.refreshTimer = setTimeout(function () {
      state.refreshTimer = null;
      var refreshCase = pending.caseId !== null && pending.caseId === state.caseId;
      pending = { queue: false, caseId: null };
      if (!$('inbox').hidden) loadQueue(true);
      if (refreshCase) loadCase(false);
    }, REFRESH_DELAY_MS);
  }

  function startEvents() {
    stopEvents();
    if (typeof window.EventSource !== 'function') return;
    var source = new window.EventSource(API + '/events');
    state.events = source;
    ['case.opened', 'case.updated', 'message.added', 'message.delivery', 'case.alert'].forEach(function (type) {
      source.addEventListener(type, function (event) {
        var data = {};
        try {
          data = JSON.parse(event.data) || {};
        } catch (e) {
          data = {};
        }
        scheduleRefresh(data.caseId || null);
      });
    });
    // The server's first event: from now on no change is missed.
    source.addEventListener('ready', function () {
      show($('offline'), false);
      document.body.dataset.live = 'on';
      // Events sent while the stream was down are lost: read everything again.
      if (state.eventsBroken) scheduleRefresh(state.caseId);
      state.eventsBroken = false;
    });
    source.addEventListener('error', function () {
      if (state.events !== source) return;
      state.eventsBroken = true;
      document.body.dataset.live = 'off';
      show($('offline'), true);
      // A closed stream will not come back by itself (the session may have ended): ask who we are.
      if (source.readyState === window.EventSource.CLOSED) {
        api('GET', '/me').then(
          function () {
            setTimeout(function () { if (state.events === source) startEvents(); }, 5000);
          },
          function () {
            if (state.events === source) setTimeout(startEvents, 5000);
          }
        );
      }
    });
  }

  function stopEvents() {
    if (state.events) state.events.close();
    state.events = null;
    document.body.dataset.live = 'off';
    show($('offline'), false);
  }

  // ---- admin: users ----

  function orgName(id) {
    for (var i = 0; i < state.admin.orgs.length; i++) if (state.admin.orgs[i].id === id) return state.admin.orgs[i].name;
    return id;
  }

  function loadAdminOrgs() {
    return api('GET', '/admin/organisations').then(function (data) {
      state.admin.orgs = data.organisations || [];
    });
  }

  function loadUsers(focus) {
    return Promise.all([loadAdminOrgs(), api('GET', '/admin/users')])
      .then(function (results) {
        state.admin.users = results[1].users || [];
        renderUsers();
        renderUserOrgs();
        if (focus) $('users-title').focus();
      })
      .catch(function (err) {
        if (err instanceof ApiError && err.status !== 401) problem('The users could not be loaded: ' + err.message);
      });
  }

  function renderUsers() {
    var body = $('users');
    clear(body);
    state.admin.users.forEach(function (u) {
      var row = el('tr');
      row.appendChild(el('td', '', u.name));
      row.appendChild(el('td', '', u.email));
      row.appendChild(el('td', '', u.role === 'admin' ? 'Admin' : 'Caseworker'));
      row.appendChild(el('td', '', orgName(u.organisationId)));
      row.appendChild(el('td', '', u.disabled ? 'Disabled' : 'Active'));
      var cell = el('td', 'row-actions');
      var edit = el('button', '', 'Edit');
      edit.type = 'button';
      edit.setAttribute('aria-label', 'Edit ' + u.name);
      edit.addEventListener('click', function () { editUser(u); });
      cell.appendChild(edit);
      if (u.id !== state.user.id) {
        var toggle = el('button', '', u.disabled ? 'Enable' : 'Disable');
        toggle.type = 'button';
        toggle.setAttribute('aria-label', (u.disabled ? 'Enable ' : 'Disable ') + u.name);
        toggle.addEventListener('click', function () {
          busy(toggle, function () {
            return api('PATCH', '/admin/users/' + encodeURIComponent(u.id), { disabled: !u.disabled }).then(function () {
              notice(u.name + (u.disabled ? ' can log in again.' : ' can no longer log in.'));
              return loadUsers(false);
            });
          });
        });
        cell.appendChild(toggle);
      }
      row.appendChild(cell);
      body.appendChild(row);
    });
  }

  function renderUserOrgs() {
    var select = $('user-org');
    var chosen = select.value;
    clear(select);
    state.admin.orgs.forEach(function (o) {
      var option = el('option', '', o.name);
      option.value = o.id;
      select.appendChild(option);
    });
    if (chosen) select.value = chosen;
  }

  function editUser(u) {
    state.editingUser = u.id;
    $('user-form-title').textContent = 'Edit ' + u.name;
    $('user-name').value = u.name;
    $('user-email').value = u.email;
    $('user-email').disabled = true;
    $('user-password').value = '';
    $('user-role').value = u.role;
    $('user-org').value = u.organisationId;
    $('user-save').textContent = 'Save changes';
    show($('user-cancel'), true);
    $('user-name').focus();
  }

  function resetUserForm() {
    state.editingUser = null;
    $('user-form').reset();
    $('user-email').disabled = false;
    $('user-form-title').textContent = 'Add a user';
    $('user-save').textContent = 'Add user';
    show($('user-cancel'), false);
  }

  $('user-cancel').addEventListener('click', resetUserForm);

  $('user-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var fields = {
      name: $('user-name').value.trim(),
      role: $('user-role').value,
      organisationId: $('user-org').value,
    };
    var password = $('user-password').value;
    if (password) fields.password = password;
    var id = state.editingUser;
    busy($('user-save'), function () {
      var call = id
        ? api('PATCH', '/admin/users/' + encodeURIComponent(id), fields)
        : api('POST', '/admin/users', Object.assign(fields, { email: $('user-email').value.trim(), password: password }));
      return call.then(function (data) {
        notice(id ? 'Saved.' : (data && data.user ? data.user.name : 'The user') + ' can now log in.');
        resetUserForm();
        return loadUsers(false);
      });
    });
  });

  // ---- admin: organisations ----

  function loadOrgs(focus) {
    return loadAdminOrgs()
      .then(function () {
        renderOrgs();
        if (focus) $('orgs-title').focus();
      })
      .catch(function (err) {
        if (err instanceof ApiError && err.status !== 401) problem('The organisations could not be loaded: ' + err.message);
      });
  }

  function alertText(target) {
    if (!target) return 'Inbox only';
    if (target.kind === 'webhook') return 'Webhook';
    if (target.kind === 'teams') return 'Teams';
    return String(target.kind);
  }

  function renderOrgs() {
    var body = $('orgs');
    clear(body);
    state.admin.orgs.forEach(function (o) {
      var row = el('tr');
      row.appendChild(el('td', '', o.name));
      row.appendChild(el('td', '', (o.languages || []).join(', ')));
      row.appendChild(el('td', '', (o.countries || []).join(', ')));
      row.appendChild(el('td', '', o.expectedResponseMinutes ? duration(o.expectedResponseMinutes) : ''));
      row.appendChild(el('td', '', alertText(o.alertTarget)));
      var cell = el('td', 'row-actions');
      var edit = el('button', '', 'Edit');
      edit.type = 'button';
      edit.setAttribute('aria-label', 'Edit ' + o.name);
      edit.addEventListener('click', function () { editOrg(o); });
      cell.appendChild(edit);
      row.appendChild(cell);
      body.appendChild(row);
    });
  }

  function syncAlertField() {
    var kind = $('org-alert-kind').value;
    var label = $('org-alert-label');
    label.textContent = kind === 'teams' ? 'Teams conversation key' : 'Webhook URL';
    $('org-alert-value').type = kind === 'webhook' ? 'url' : 'text';
    show(label, kind !== '');
    show($('org-alert-value'), kind !== '');
  }

  $('org-alert-kind').addEventListener('change', syncAlertField);

  function editOrg(o) {
    state.editingOrg = o.id;
    $('org-form-title').textContent = 'Edit ' + o.name;
    $('org-name').value = o.name;
    $('org-languages').value = (o.languages || []).join(', ');
    $('org-countries').value = (o.countries || []).join(', ');
    $('org-minutes').value = String(o.expectedResponseMinutes || 60);
    $('org-alert-kind').value = o.alertTarget ? o.alertTarget.kind : '';
    $('org-alert-value').value = o.alertTarget ? o.alertTarget.url || o.alertTarget.conversationKey || '' : '';
    syncAlertField();
    $('org-save').textContent = 'Save changes';
    show($('org-cancel'), true);
    $('org-name').focus();
  }

  function resetOrgForm() {
    state.editingOrg = null;
    $('org-form').reset();
    syncAlertField();
    $('org-form-title').textContent = 'Add an organisation';
    $('org-save').textContent = 'Add organisation';
    show($('org-cancel'), false);
  }

  $('org-cancel').addEventListener('click', resetOrgForm);

  function codes(text, upper) {
    return text.split(/[\s,]+/).filter(Boolean).map(function (c) { return upper ? c.toUpperCase() : c; });
  }

  $('org-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var kind = $('org-alert-kind').value;
    var value = $('org-alert-value').value.trim();
    var alertTarget = null;
    if (kind === 'webhook') alertTarget = { kind: 'webhook', url: value };
    if (kind === 'teams') alertTarget = { kind: 'teams', conversationKey: value };
    var fields = {
      name: $('org-name').value.trim(),
      languages: codes($('org-languages').value, false),
      countries: codes($('org-countries').value, true),
      expectedResponseMinutes: Number($('org-minutes').value),
      alertTarget: alertTarget,
    };
    var id = state.editingOrg;
    busy($('org-save'), function () {
      var call = id ? api('PATCH', '/admin/organisations/' + encodeURIComponent(id), fields) : api('POST', '/admin/organisations', fields);
      return call.then(function () {
        notice(id ? 'Saved.' : fields.name + ' was added.');
        resetOrgForm();
        loadTargets();
        return loadOrgs(false);
      });
    });
  });

  // ---- admin: audit log ----

  function userName(id) {
    if (id === null || id === undefined) return 'System';
    for (var i = 0; i < state.admin.users.length; i++) if (state.admin.users[i].id === id) return state.admin.users[i].name;
    return id;
  }

  function detailText(detail) {
    if (!detail || typeof detail !== 'object') return '';
    return Object.keys(detail).map(function (k) { return k + ': ' + String(detail[k]); }).join(', ');
  }

  function loadAudit(first) {
    var before = first ? null : state.admin.auditBefore;
    var users = first ? api('GET', '/admin/users').then(function (d) { state.admin.users = d.users || []; }, function () {}) : Promise.resolve();
    return users
      .then(function () { return api('GET', '/admin/audit' + (before ? '?before=' + encodeURIComponent(before) : '')); })
      .then(function (data) {
        var entries = data.entries || [];
        var body = $('audit');
        if (first) clear(body);
        entries.forEach(function (e) {
          var row = el('tr');
          var when = el('td');
          when.appendChild(timeElement(e.at));
          row.appendChild(when);
          row.appendChild(el('td', '', e.userName || userName(e.userId)));
          row.appendChild(el('td', '', e.action));
          row.appendChild(el('td', 'mono', e.caseId || ''));
          row.appendChild(el('td', '', detailText(e.detail)));
          body.appendChild(row);
        });
        state.admin.auditBefore = entries.length ? entries[entries.length - 1].id : null;
        show($('audit-more'), entries.length >= 100);
        if (first) $('audit-title').focus();
      })
      .catch(function (err) {
        if (err instanceof ApiError && err.status !== 401) problem('The audit log could not be loaded: ' + err.message);
      });
  }

  $('audit-more').addEventListener('click', function () {
    busy($('audit-more'), function () { return loadAudit(false); });
  });

  // ---- start ----

  setInterval(tick, TICK_MS);
  syncAlertField();
  api('GET', '/me').then(signedIn, function (err) {
    showLogin(err instanceof ApiError && err.status !== 401 ? err.message : '');
  });
})();
