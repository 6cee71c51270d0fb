// The queue of the organisation's cases: filters, waiting times, and cases that arrive while the page is open.
(function (C) {
  'use strict';

  var CATEGORIES = C.CATEGORIES, LANGUAGES = C.LANGUAGES;
  var $ = C.$, state = C.state, el = C.el, clear = C.clear, show = C.show;
  var duration = C.duration, languageName = C.languageName, countryName = C.countryName;
  var categoryName = C.categoryName, assignee = C.assignee;
  var ApiError = C.ApiError, api = C.api, problem = C.problem;

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

  C.loadQueue = loadQueue;
  C.tick = tick;
})(window.vvConsole);
