// Admin: the organisations, with the languages, countries and time-limit alerts of each.
(function (C) {
  'use strict';

  var $ = C.$, state = C.state, el = C.el, clear = C.clear, show = C.show;
  var duration = C.duration;
  var ApiError = C.ApiError, api = C.api, notice = C.notice, problem = C.problem, busy = C.busy;

  function loadAdminOrgs() {
    return api('GET', '/admin/organisations').then(function (data) {
      state.admin.orgs = data.organisations || [];
    });
  }

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
        C.loadTargets();
        return loadOrgs(false);
      });
    });
  });

  C.loadAdminOrgs = loadAdminOrgs;
  C.loadOrgs = loadOrgs;
  C.syncAlertField = syncAlertField;
})(window.vvConsole);
