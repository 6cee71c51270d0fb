// Live updates: the server-sent events that make the queue and the open case refetch.
(function (C) {
  'use strict';

  var API = C.API, REFRESH_DELAY_MS = C.REFRESH_DELAY_MS;
  var $ = C.$, state = C.state, show = C.show;
  var api = C.api;

  var pending = { queue: false, caseId: null };

  function scheduleRefresh(caseId) {
    pending.queue = true;
    if (caseId && caseId === state.caseId) pending.caseId = caseId;
    if (state.refreshTimer) return;
    state.refreshTimer = setTimeout(function () {
      state.refreshTimer = null;
      var refreshCase = pending.caseId !== null && pending.caseId === state.caseId;
      pending = { queue: false, caseId: null };
      if (!$('inbox').hidden) C.loadQueue(true);
      if (refreshCase) C.loadCase(false);
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

  C.startEvents = startEvents;
  C.stopEvents = stopEvents;
})(window.vvConsole);
