// Logging in and out: what the page shows with and without a session.
(function (C) {
  'use strict';

  var $ = C.$, state = C.state, clear = C.clear, show = C.show;
  var ApiError = C.ApiError, api = C.api, clearMessages = C.clearMessages, busy = C.busy;

  function showLogin(message) {
    C.stopEvents();
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
    C.resetAlerts();
    // Hidden is not gone: on a shared computer, the next person must not find transcripts in the page.
    ['queue', 'transcript', 'notes', 'transfers', 'case-facts', 'users', 'orgs', 'audit', 'live'].forEach(function (id) { clear($(id)); });
    ['reply-text', 'note-text', 'transfer-note'].forEach(function (id) { $(id).value = ''; });
    show($('case'), false);
    ['inbox', 'admin-users', 'admin-orgs', 'admin-audit', 'admin-alerts', 'nav', 'who'].forEach(function (id) { show($(id), false); });
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
    C.startEvents();
    C.loadTargets();
    C.route();
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

  C.showLogin = showLogin;
  C.sessionEnded = sessionEnded;
  C.signedIn = signedIn;
})(window.vvConsole);
