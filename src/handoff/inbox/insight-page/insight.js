// The insight page: checks the console session, then shows the counts of a
// date range (?from=&to= in the address, so that a range can be bookmarked).
// Loaded after Chart.js and insight-charts.js.
(function (I) {
  'use strict';

  var API = '/console/api';
  var $ = function (id) { return document.getElementById(id); };
  var csrf = null;
  var charts = [];

  function get(path) {
    return fetch(API + path, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        if (res.ok) return data;
        var err = new Error(data && typeof data.error === 'string' ? data.error : 'Something went wrong (' + res.status + '). Please try again.');
        err.status = res.status;
        throw err;
      });
    });
  }

  function problem(message) {
    $('problem').textContent = message;
    $('problem').hidden = !message;
  }

  function signedOut() {
    $('insight').hidden = true;
    $('nav').hidden = true;
    $('who').hidden = true;
    $('signed-out').hidden = false;
  }

  function query(from, to) {
    var params = [];
    if (from) params.push('from=' + encodeURIComponent(from));
    if (to) params.push('to=' + encodeURIComponent(to));
    return params.length ? '?' + params.join('&') : '';
  }

  function load(from, to) {
    $('loading').textContent = 'Loading…';
    return get('/insight' + query(from, to)).then(function (series) {
      problem('');
      $('range-from').value = series.from;
      $('range-to').value = series.to;
      $('csv').href = API + '/insight.csv' + query(series.from, series.to);
      charts.forEach(function (chart) { chart.destroy(); });
      var container = $('charts');
      while (container.firstChild) container.removeChild(container.firstChild);
      charts = I.chartsOf(series).map(function (def) { return I.render(container, def); });
      $('loading').textContent = 'Showing ' + series.from + ' to ' + series.to + '.';
    }, function (err) {
      $('loading').textContent = '';
      if (err.status === 401) return signedOut();
      problem(err.message);
    });
  }

  $('range').addEventListener('submit', function (event) {
    event.preventDefault();
    var from = $('range-from').value;
    var to = $('range-to').value;
    window.history.replaceState(null, '', location.pathname + query(from, to));
    load(from, to);
  });

  $('logout').addEventListener('click', function () {
    var headers = { 'x-csrf-token': csrf || '' };
    fetch(API + '/logout', { method: 'POST', headers: headers, credentials: 'same-origin' }).then(function () {
      location.href = '/console';
    });
  });

  get('/me').then(function (me) {
    csrf = me.csrfToken;
    $('who-name').textContent = me.user.name;
    $('who-org').textContent = me.organisation ? me.organisation.name : '';
    $('who').hidden = false;
    $('nav').hidden = false;
    $('insight').hidden = false;
    var params = new URLSearchParams(location.search);
    return load(params.get('from') || '', params.get('to') || '');
  }, function (err) {
    if (err.status === 401) return signedOut();
    problem(err.message);
  });
})(window.vvInsight);
