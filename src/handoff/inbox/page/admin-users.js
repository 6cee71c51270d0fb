// Admin: the console users, added, edited, disabled and enabled again.
(function (C) {
  'use strict';

  var $ = C.$, state = C.state, el = C.el, clear = C.clear, show = C.show;
  var ApiError = C.ApiError, api = C.api, notice = C.notice, problem = C.problem, busy = C.busy;

  function orgName(id) {
    for (var i = 0; i < state.admin.orgs.length; i++) if (state.admin.orgs[i].id === id) return state.admin.orgs[i].name;
    return id;
  }

  function loadUsers(focus) {
    return Promise.all([C.loadAdminOrgs(), api('GET', '/admin/users')])
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

  C.loadUsers = loadUsers;
})(window.vvConsole);
