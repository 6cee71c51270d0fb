// Navigation by the address (#/queue, #/cases/<id>, #/admin/users|organisations|audit|alerts), then the start. Loaded last.
(function (C) {
  'use strict';

  var TICK_MS = C.TICK_MS;
  var $ = C.$, state = C.state, show = C.show;
  var ApiError = C.ApiError, api = C.api, clearMessages = C.clearMessages;

  function route() {
    if (!state.user) return;
    var hash = location.hash.replace(/^#\/?/, '');
    var parts = hash.split('/');
    var admin = parts[0] === 'admin' && state.user.role === 'admin' ? parts[1] : null;
    show($('inbox'), !admin);
    show($('admin-users'), admin === 'users');
    show($('admin-orgs'), admin === 'organisations');
    show($('admin-audit'), admin === 'audit');
    show($('admin-alerts'), admin === 'alerts');
    markCurrentNav(admin);
    if (admin === 'users') return C.loadUsers(true);
    if (admin === 'organisations') return C.loadOrgs(true);
    if (admin === 'audit') return C.loadAudit(true);
    if (admin === 'alerts') return C.loadAlerts(true);
    var caseId = (parts[0] === 'cases' || parts[0] === 'case') && parts[1] ? decodePart(parts[1]) : null;
    document.body.classList.toggle('has-case', caseId !== null);
    if (caseId !== state.caseId) {
      state.caseId = caseId;
      state.view = null;
      C.closeConfirm(false);
      C.renderCase();
    }
    C.loadQueue();
    if (caseId) C.loadCase(true);
  }

  function decodePart(part) {
    try {
      return decodeURIComponent(part);
    } catch (e) {
      return part;
    }
  }

  function markCurrentNav(admin) {
    var current = { users: 'nav-users', organisations: 'nav-orgs', audit: 'nav-audit', alerts: 'nav-alerts' }[admin] || 'nav-queue';
    ['nav-queue', 'nav-users', 'nav-orgs', 'nav-audit', 'nav-alerts'].forEach(function (id) {
      if (id === current) $(id).setAttribute('aria-current', 'page');
      else $(id).removeAttribute('aria-current');
    });
  }

  window.addEventListener('hashchange', function () {
    clearMessages();
    route();
  });

  C.route = route;

  // Every file is loaded by now: start.
  setInterval(C.tick, TICK_MS);
  C.syncAlertField();
  api('GET', '/me').then(C.signedIn, function (err) {
    C.showLogin(err instanceof ApiError && err.status !== 401 ? err.message : '');
  });
})(window.vvConsole);
