// Talking to the server: one call at a time, its errors, and what the page says about them.
(function (C) {
  'use strict';

  var API = C.API;
  var $ = C.$, state = C.state, show = C.show;

  function errorText(data, status) {
    if (data && typeof data.error === 'string') return data.error;
    if (data && data.error && typeof data.error.message === 'string') return data.error.message;
    if (status === 0) return 'The server could not be reached. Check the connection and try again.';
    return 'Something went wrong (' + status + '). Please try again.';
  }

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
          if (res.status === 401 && path !== '/login' && state.user) C.sessionEnded();
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

  C.ApiError = ApiError;
  C.api = api;
  C.notice = notice;
  C.problem = problem;
  C.clearMessages = clearMessages;
  C.busy = busy;
})(window.vvConsole);
