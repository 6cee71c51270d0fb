// The caseworker console. Plain JavaScript with no build step and no libraries,
// over the JSON API in ../API.md, in several classic scripts that index.html
// loads in order; this one comes first. They share one namespace object,
// window.vvConsole: each file adds what the others call, and calls across
// files go through it at call time, so the order of definition does not
// matter. Everything a person wrote is untrusted: it is only ever put on the
// page as text (textContent), never as HTML.
(function () {
  'use strict';

  var C = (window.vvConsole = {});

  var API = '/console/api';
  var TICK_MS = 15000;
  /** Several events in a burst (a reply, its delivery, the case update) make one refetch. */
  var REFRESH_DELAY_MS = 150;

  var CATEGORIES = {
    danger: 'Danger',
    passport: 'Passport taken',
    recruitment: 'Recruiter problem',
    familyEmergency: 'Family emergency',
    rfl: 'Finding family (RFL)',
    wellbeing: 'Stress and wellbeing',
    other: 'Other',
  };
  var LANGUAGES = {
    bn: 'Bengali', en: 'English', fil: 'Filipino', hi: 'Hindi', id: 'Indonesian', km: 'Khmer',
    my: 'Burmese', ne: 'Nepali', si: 'Sinhala', ta: 'Tamil', ur: 'Urdu', vi: 'Vietnamese',
  };
  var STATUSES = { waiting: 'Waiting', assigned: 'Assigned', closed: 'Closed' };
  var AUTHORS = { person: 'Person', bot: 'Bot', caseworker: 'Caseworker', system: 'System' };

  var $ = function (id) { return document.getElementById(id); };

  var state = {
    user: null,
    organisation: null,
    csrf: null,
    cases: [],
    /** Ids of the cases seen in the queue, to tell which ones are new. */
    known: null,
    /** Cases announced by a live event and not opened yet: shown as new. */
    fresh: {},
    caseId: null,
    view: null,
    targets: [],
    events: null,
    eventsBroken: false,
    refreshTimer: null,
    admin: { users: [], orgs: [], auditBefore: null },
    editingUser: null,
    editingOrg: null,
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  /** The API sends times as epoch milliseconds or ISO strings. */
  function time(value) {
    if (value === null || value === undefined) return null;
    var d = new Date(value);
    return isNaN(d.getTime()) ? null : d;
  }

  function formatTime(value) {
    var d = time(value);
    if (!d) return '';
    var today = new Date();
    var sameDay = d.toDateString() === today.toDateString();
    var hm = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return sameDay ? hm : d.toLocaleDateString([], { day: 'numeric', month: 'short' }) + ' ' + hm;
  }

  function timeElement(value) {
    var d = time(value);
    var node = el('time', 'when', formatTime(value));
    if (d) node.dateTime = d.toISOString();
    return node;
  }

  function duration(minutes) {
    if (minutes < 1) return 'under a minute';
    if (minutes < 60) return minutes + ' min';
    var h = Math.floor(minutes / 60);
    var m = minutes % 60;
    if (h < 48) return h + ' h ' + (m < 10 ? '0' : '') + m + ' min';
    return Math.floor(h / 24) + ' days';
  }

  function languageName(code) {
    if (!code) return 'unknown language';
    var base = String(code).split('-')[0];
    return LANGUAGES[base] ? LANGUAGES[base] + ' (' + code + ')' : String(code);
  }

  var regionNames = null;
  try {
    regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
  } catch (e) {
    regionNames = null;
  }

  function countryName(code) {
    if (!code) return null;
    try {
      return regionNames ? regionNames.of(code) + ' (' + code + ')' : code;
    } catch (e) {
      return code;
    }
  }

  function categoryName(code) {
    return CATEGORIES[code] || String(code);
  }

  function assignee(c) {
    var a = c.assignedTo;
    if (!a) return null;
    if (typeof a === 'string') return { id: a, name: a === state.user.id ? state.user.name : 'another caseworker' };
    return a;
  }

  C.API = API;
  C.TICK_MS = TICK_MS;
  C.REFRESH_DELAY_MS = REFRESH_DELAY_MS;
  C.CATEGORIES = CATEGORIES;
  C.LANGUAGES = LANGUAGES;
  C.STATUSES = STATUSES;
  C.AUTHORS = AUTHORS;
  C.$ = $;
  C.state = state;
  C.el = el;
  C.clear = clear;
  C.show = show;
  C.formatTime = formatTime;
  C.timeElement = timeElement;
  C.duration = duration;
  C.languageName = languageName;
  C.countryName = countryName;
  C.categoryName = categoryName;
  C.assignee = assignee;
})();
