// Admin: the audit log, newest first, a page at a time.
(function (C) {
  'use strict';

  var $ = C.$, state = C.state, el = C.el, clear = C.clear, show = C.show;
  var timeElement = C.timeElement;
  var ApiError = C.ApiError, api = C.api, problem = C.problem, busy = C.busy;

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

  C.loadAudit = loadAudit;
})(window.vvConsole);
