// Admin: alerts to the people who asked for them. Compose (countries, a text per
// language, an optional topic link), preview whom it reaches, send after a
// confirmation, then watch the progress live, with pause, resume and cancel.
(function (C) {
  'use strict';

  var $ = C.$, state = C.state, el = C.el, clear = C.clear, show = C.show;
  var timeElement = C.timeElement, languageName = C.languageName;
  var ApiError = C.ApiError, api = C.api, notice = C.notice, problem = C.problem, busy = C.busy;

  /** Once a second while an alert is sending: counts move fast, and one small request a second is cheap. */
  var POLL_MS = 1000;
  /** A sent alert whose last deliveries the channels have not confirmed yet: they come within seconds, or after retries. */
  var SETTLING_POLL_MS = 3000;
  var CHANNELS = {
    webchat: 'Web chat',
    telegram: 'Telegram',
    teams: 'Microsoft Teams',
    'whatsapp-cloud': 'WhatsApp',
    'whatsapp-web': 'WhatsApp (pilot number)',
    terminal: 'Terminal',
  };
  var STATUS = { sending: 'Sending', paused: 'Paused', cancelled: 'Cancelled', done: 'Finished' };

  var alerts = freshState();

  function freshState() {
    return {
      options: null,
      list: [],
      current: null,
      timer: null,
      polling: false,
      /** Bumped by every action, so that a poll answered after it cannot show the state from before. */
      generation: 0,
      chosenCountries: {},
      chosenLocales: {},
      /** Texts kept while a language is unticked, so ticking it again brings them back. */
      texts: {},
      previewed: null,
    };
  }

  function channelName(code) {
    return CHANNELS[code] || String(code);
  }

  function countryLabel(code) {
    var list = alerts.options ? alerts.options.countries : [];
    for (var i = 0; i < list.length; i++) if (list[i].code === code) return list[i].name + ' (' + code + ')';
    return C.countryName(code) || String(code);
  }

  function flowLabel(id) {
    var list = alerts.options ? alerts.options.flows : [];
    for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i].label;
    return String(id);
  }

  function userName(id) {
    if (state.user && id === state.user.id) return 'You';
    for (var i = 0; i < state.admin.users.length; i++) if (state.admin.users[i].id === id) return state.admin.users[i].name;
    return String(id || '');
  }

  function people(n) {
    return n === 1 ? '1 person' : n + ' people';
  }

  // ---- loading ----

  function loadAlerts(focus) {
    var options = alerts.options ? Promise.resolve() : api('GET', '/alerts/options').then(function (data) {
      alerts.options = { countries: data.countries || [], locales: data.locales || [], flows: data.flows || [] };
      renderOptions();
    });
    var users = api('GET', '/admin/users').then(function (d) { state.admin.users = d.users || []; }, function () {});
    return Promise.all([options, users])
      .then(function () { return loadList(); })
      .then(function () {
        if (focus) $('alerts-title').focus();
        schedule();
      })
      .catch(function (err) {
        if (err instanceof ApiError && err.status !== 401) problem('The alerts could not be loaded: ' + err.message);
      });
  }

  function loadList() {
    return api('GET', '/alerts').then(function (data) {
      alerts.list = data.alerts || [];
      if (alerts.current) {
        // Coming back to the page: the alert in view as it is now, not as it was left.
        for (var j = 0; j < alerts.list.length; j++) if (alerts.list[j].id === alerts.current.id) alerts.current = alerts.list[j];
      } else {
        // An alert still going is what an admin comes back to watch.
        for (var i = 0; i < alerts.list.length; i++) {
          if (alerts.list[i].status === 'sending' || alerts.list[i].status === 'paused') {
            alerts.current = alerts.list[i];
            break;
          }
        }
      }
      renderList();
      renderProgress();
    });
  }

  // ---- the form ----

  function renderOptions() {
    renderCountries();
    var box = $('alert-locales');
    clear(box);
    alerts.options.locales.forEach(function (code) {
      box.appendChild(checkbox('alert-locale-' + code, languageName(code), Boolean(alerts.chosenLocales[code]), function (checked) {
        if (checked) alerts.chosenLocales[code] = true;
        else delete alerts.chosenLocales[code];
        renderTexts();
        formChanged();
        if (checked) $('alert-text-' + code).focus();
      }));
    });
    var select = $('alert-flow');
    clear(select);
    var none = el('option', '', 'No link');
    none.value = '';
    select.appendChild(none);
    alerts.options.flows.forEach(function (f) {
      var option = el('option', '', f.label);
      option.value = f.id;
      select.appendChild(option);
    });
    renderTexts();
  }

  function checkbox(id, text, checked, onChange) {
    var label = el('label', 'check');
    label.htmlFor = id;
    var input = el('input');
    input.type = 'checkbox';
    input.id = id;
    input.checked = checked;
    input.addEventListener('change', function () { onChange(input.checked); });
    label.appendChild(input);
    label.appendChild(el('span', '', text));
    return label;
  }

  function renderCountries() {
    var box = $('alert-countries');
    var query = $('alert-country-search').value.trim().toLowerCase();
    clear(box);
    var shown = 0;
    byName(alerts.options.countries).forEach(function (c) {
      var chosen = Boolean(alerts.chosenCountries[c.code]);
      var matches = !query || c.name.toLowerCase().indexOf(query) !== -1 || c.code.toLowerCase() === query;
      // A chosen country stays in sight whatever is searched, so it can be unticked.
      if (!matches && !chosen) return;
      shown++;
      box.appendChild(checkbox('alert-country-' + c.code, c.name + ' (' + c.code + ')', chosen, function (checked) {
        if (checked) alerts.chosenCountries[c.code] = true;
        else delete alerts.chosenCountries[c.code];
        renderChosenCountries();
        formChanged();
      }));
    });
    show($('alert-countries-none'), shown === 0);
    renderChosenCountries();
  }

  /** Admins look a country up by its name, not its code. */
  function byName(countries) {
    return countries.slice().sort(function (a, b) { return a.name.localeCompare(b.name, 'en'); });
  }

  function chosenCountryCodes() {
    return alerts.options ? alerts.options.countries.map(function (c) { return c.code; }).filter(function (code) { return alerts.chosenCountries[code]; }) : [];
  }

  function renderChosenCountries() {
    var codes = chosenCountryCodes();
    $('alert-countries-chosen').textContent = codes.length ? 'Chosen: ' + codes.map(countryLabel).join(', ') : 'No country chosen yet.';
  }

  function chosenLocaleCodes() {
    return alerts.options ? alerts.options.locales.filter(function (code) { return alerts.chosenLocales[code]; }) : [];
  }

  function renderTexts() {
    var box = $('alert-texts');
    clear(box);
    var codes = chosenLocaleCodes();
    show($('alert-texts-none'), codes.length === 0);
    codes.forEach(function (code) {
      var id = 'alert-text-' + code;
      var label = el('label', '', 'Text in ' + languageName(code));
      label.htmlFor = id;
      var area = el('textarea');
      area.id = id;
      area.rows = 4;
      area.maxLength = 1000;
      area.required = true;
      // The script and direction of the language, for the spell checker, the fonts and right-to-left text.
      area.lang = code;
      area.dir = 'auto';
      area.value = alerts.texts[code] || '';
      area.addEventListener('input', function () {
        alerts.texts[code] = area.value;
        formChanged();
      });
      box.appendChild(label);
      box.appendChild(area);
    });
  }

  $('alert-country-search').addEventListener('input', function () {
    if (alerts.options) renderCountries();
  });
  $('alert-flow').addEventListener('change', formChanged);

  function formError(message) {
    var box = $('alert-error');
    box.textContent = message || '';
    show(box, Boolean(message));
  }

  /** What preview and send both post; null (with the reason shown) when the form is not complete. */
  function alertBody() {
    var countries = chosenCountryCodes();
    var locales = chosenLocaleCodes();
    if (!countries.length) {
      formError('Choose at least one country.');
      return null;
    }
    if (!locales.length) {
      formError('Choose at least one language and write the alert in it.');
      return null;
    }
    var texts = {};
    for (var i = 0; i < locales.length; i++) {
      var text = (alerts.texts[locales[i]] || '').trim();
      if (!text) {
        formError('Write the text in ' + languageName(locales[i]) + ', or untick that language.');
        $('alert-text-' + locales[i]).focus();
        return null;
      }
      texts[locales[i]] = text;
    }
    formError('');
    return { countries: countries, texts: texts, flow: $('alert-flow').value || null };
  }

  /** A preview is of exactly what would be sent: any change asks for a new one. */
  function formChanged() {
    alerts.previewed = null;
    show($('alert-preview-box'), false);
    confirmSend(false);
  }

  // ---- preview and send ----

  function countList(id, counts, name) {
    var list = $(id);
    clear(list);
    Object.keys(counts || {}).forEach(function (key) {
      if (!counts[key]) return;
      var item = el('li', '', name(key) + ': ' + counts[key]);
      item.setAttribute('data-key', key);
      list.appendChild(item);
    });
    return list.childNodes.length;
  }

  function renderPreview(p) {
    $('preview-total').textContent = 'This alert would reach ' + people(p.total) + '.';
    show($('preview-channels-box'), countList('preview-channels', p.byChannel, channelName) > 0);
    show($('preview-locales-box'), countList('preview-locales', p.byLocale, languageName) > 0);
    var missing = countList('preview-without', p.withoutText, languageName);
    show($('preview-without-box'), missing > 0);
    $('alert-send').disabled = p.total === 0;
    show($('alert-send-nobody'), p.total === 0);
    show($('alert-preview-box'), true);
  }

  $('alert-preview').addEventListener('click', function () {
    var body = alertBody();
    if (!body) return;
    busy($('alert-preview'), function () {
      return api('POST', '/alerts/preview', body).then(function (p) {
        alerts.previewed = { body: body, preview: p };
        renderPreview(p);
        $('preview-total').focus();
      });
    });
  });

  function confirmSend(open) {
    show($('alert-send-confirm'), open);
    show($('alert-send'), !open);
  }

  $('alert-send').addEventListener('click', function () {
    if (!alerts.previewed) return;
    $('alert-send-question').textContent = 'Send this alert to ' + people(alerts.previewed.preview.total) + ' now?';
    confirmSend(true);
    $('alert-send-yes').focus();
  });

  $('alert-send-no').addEventListener('click', function () {
    confirmSend(false);
    $('alert-send').focus();
  });

  $('alert-send-yes').addEventListener('click', function () {
    var previewed = alerts.previewed;
    if (!previewed) return;
    // The progress of an earlier alert is not this one's: it goes before the answer comes, not after.
    unwatch();
    busy($('alert-send-yes'), function () {
      return api('POST', '/alerts', previewed.body).then(function (data) {
        resetForm();
        notice('The alert is being sent.');
        watch(data.alert);
        return loadList();
      });
    });
  });

  function resetForm() {
    alerts.chosenCountries = {};
    alerts.chosenLocales = {};
    alerts.texts = {};
    $('alert-country-search').value = '';
    $('alert-flow').value = '';
    formError('');
    formChanged();
    if (alerts.options) {
      renderOptions();
    }
  }

  // ---- progress ----

  function watch(alert) {
    alerts.generation++;
    alerts.current = alert;
    replaceInList(alert);
    renderProgress();
    schedule();
    $('progress-title').focus();
  }

  function unwatch() {
    alerts.generation++;
    alerts.current = null;
    renderProgress();
    // With nothing to watch, this only stops the pending poll.
    schedule();
  }

  function replaceInList(alert) {
    var found = false;
    alerts.list = alerts.list.map(function (a) {
      if (a.id !== alert.id) return a;
      found = true;
      return alert;
    });
    if (!found) alerts.list.unshift(alert);
    renderList();
  }

  function fact(list, term, value, id) {
    list.appendChild(el('dt', '', term));
    var dd = el('dd', '', value);
    if (id) dd.id = id;
    list.appendChild(dd);
  }

  function renderProgress() {
    var a = alerts.current;
    var box = $('alert-progress');
    show(box, Boolean(a));
    if (!a) {
      box.removeAttribute('data-status');
      return;
    }
    box.setAttribute('data-status', a.status);
    $('progress-title').textContent = 'Alert to ' + (a.countries || []).map(countryLabel).join(', ');
    var facts = $('progress-facts');
    clear(facts);
    fact(facts, 'Status', STATUS[a.status] || a.status, 'progress-status');
    fact(facts, 'Sent', String(a.sent), 'progress-sent');
    fact(facts, 'Failed', String(a.failed), 'progress-failed');
    fact(facts, 'Remaining', String(a.remaining), 'progress-remaining');
    fact(facts, 'Audience', people(a.total));
    fact(facts, 'Topic link', a.flow ? flowLabel(a.flow) : 'None');
    var bar = $('progress-bar');
    bar.max = Math.max(a.total, 1);
    bar.value = a.sent + a.failed;
    bar.textContent = a.sent + a.failed + ' of ' + a.total;
    var texts = $('progress-texts');
    clear(texts);
    Object.keys(a.texts || {}).forEach(function (code) {
      var item = el('li');
      item.appendChild(el('span', 'lang', languageName(code) + ': '));
      var text = el('span', 'text', a.texts[code]);
      text.lang = code;
      text.dir = 'auto';
      item.appendChild(text);
      texts.appendChild(item);
    });
    show($('alert-pause'), a.status === 'sending');
    show($('alert-resume'), a.status === 'paused');
    var stoppable = a.status === 'sending' || a.status === 'paused';
    show($('alert-cancel'), stoppable && $('alert-cancel-confirm').hidden);
    if (!stoppable) show($('alert-cancel-confirm'), false);
  }

  function announce(before, after) {
    if (!before || before.id !== after.id || before.status === after.status) return;
    var text = {
      done: 'The alert was sent: ' + after.sent + ' delivered, ' + after.failed + ' failed.',
      paused: 'Sending is paused.',
      cancelled: 'Sending was cancelled: ' + after.sent + ' delivered, ' + after.remaining + ' not sent.',
      sending: 'Sending again.',
    }[after.status];
    if (text) $('live').textContent = text;
  }

  function update(alert) {
    var before = alerts.current;
    alerts.current = alert;
    replaceInList(alert);
    renderProgress();
    announce(before, alert);
  }

  function watching() {
    return Boolean(state.user) && !$('admin-alerts').hidden && document.visibilityState !== 'hidden';
  }

  /**
   * One request at a time, only while someone is looking at it: every second
   * while it sends, and now and then once it is done with deliveries still
   * to be reported by the channels.
   */
  function schedule() {
    if (alerts.timer) clearTimeout(alerts.timer);
    alerts.timer = null;
    var a = alerts.current;
    if (alerts.polling || !a || !watching()) return;
    if (a.status === 'sending') alerts.timer = setTimeout(poll, POLL_MS);
    else if (a.status === 'done' && a.remaining > 0) alerts.timer = setTimeout(poll, SETTLING_POLL_MS);
  }

  function poll() {
    alerts.timer = null;
    if (!alerts.current || !watching()) return;
    var id = alerts.current.id;
    var generation = alerts.generation;
    alerts.polling = true;
    api('GET', '/alerts/' + encodeURIComponent(id))
      .then(
        function (data) {
          if (generation === alerts.generation && alerts.current && alerts.current.id === id) update(data.alert);
        },
        function (err) {
          // A missed poll is tried again a second later; only a lasting failure is worth a message.
          if (err instanceof ApiError && err.status !== 0 && err.status !== 401) problem('The progress could not be loaded: ' + err.message);
        }
      )
      .then(function () {
        alerts.polling = false;
        schedule();
      });
  }

  document.addEventListener('visibilitychange', schedule);

  function act(button, action) {
    var a = alerts.current;
    if (!a) return;
    alerts.generation++;
    busy(button, function () {
      return api('POST', '/alerts/' + encodeURIComponent(a.id) + '/' + action).then(function (data) {
        alerts.generation++;
        update(data.alert);
        schedule();
      }, function (err) {
        // 409: someone else changed it first; show how it is now.
        if (err instanceof ApiError && err.status === 409) {
          return api('GET', '/alerts/' + encodeURIComponent(a.id)).then(function (data) {
            update(data.alert);
            schedule();
            problem('That is no longer possible: the alert is ' + (STATUS[data.alert.status] || data.alert.status).toLowerCase() + '.');
          });
        }
        throw err;
      });
    });
  }

  $('alert-pause').addEventListener('click', function () { act($('alert-pause'), 'pause'); });
  $('alert-resume').addEventListener('click', function () { act($('alert-resume'), 'resume'); });
  $('alert-cancel').addEventListener('click', function () {
    show($('alert-cancel'), false);
    show($('alert-cancel-confirm'), true);
    $('alert-cancel-no').focus();
  });
  $('alert-cancel-no').addEventListener('click', function () {
    show($('alert-cancel-confirm'), false);
    renderProgress();
    $('alert-cancel').focus();
  });
  $('alert-cancel-yes').addEventListener('click', function () {
    show($('alert-cancel-confirm'), false);
    act($('alert-cancel-yes'), 'cancel');
  });

  // ---- the list ----

  function renderList() {
    var body = $('alerts');
    clear(body);
    show($('alerts-none'), alerts.list.length === 0);
    alerts.list.forEach(function (a) {
      var row = el('tr');
      row.setAttribute('data-alert-id', a.id);
      var when = el('td');
      when.appendChild(timeElement(a.createdAt));
      row.appendChild(when);
      row.appendChild(el('td', '', (a.countries || []).join(', ')));
      row.appendChild(el('td', '', (a.locales || Object.keys(a.texts || {})).join(', ')));
      row.appendChild(el('td', 'status', STATUS[a.status] || a.status));
      row.appendChild(el('td', 'num', a.sent + ' / ' + a.total));
      row.appendChild(el('td', 'num', String(a.failed)));
      row.appendChild(el('td', 'num', String(a.remaining)));
      row.appendChild(el('td', '', userName(a.createdBy)));
      var cell = el('td', 'row-actions');
      var open = el('button', '', 'Show');
      open.type = 'button';
      open.setAttribute('aria-label', 'Show the alert of ' + C.formatTime(a.createdAt));
      open.addEventListener('click', function () { watch(a); });
      cell.appendChild(open);
      row.appendChild(cell);
      body.appendChild(row);
    });
  }

  /** Logging out: nothing of the alerts stays in the page, and nothing keeps polling. */
  function resetAlerts() {
    if (alerts.timer) clearTimeout(alerts.timer);
    alerts = freshState();
    ['alerts', 'alert-countries', 'alert-locales', 'alert-texts', 'progress-facts', 'progress-texts'].forEach(function (id) { clear($(id)); });
    $('alert-country-search').value = '';
    formError('');
    show($('alert-preview-box'), false);
    show($('alert-progress'), false);
  }

  C.loadAlerts = loadAlerts;
  C.resetAlerts = resetAlerts;
})(window.vvConsole);
