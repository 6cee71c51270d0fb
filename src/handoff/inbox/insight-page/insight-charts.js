// The insight page's charts: each one a Chart.js chart with a table beneath
// it (the table is what a screen reader and a careful reader use). The
// numbers come from the server already suppressed (../API.md, Insight); this
// file only draws them and never adds hidden counts back.
(function () {
  'use strict';

  var I = (window.vvInsight = {});

  var COLOURS = ['#a3111a', '#1f5fa8', '#2e7d32', '#8a5a00', '#6a3d9a', '#00838f'];
  var LANGUAGES = {
    bn: 'Bengali', en: 'English', fil: 'Filipino', hi: 'Hindi', id: 'Indonesian', km: 'Khmer',
    my: 'Burmese', ne: 'Nepali', si: 'Sinhala', ta: 'Tamil', ur: 'Urdu', vi: 'Vietnamese',
  };
  var REPLY_BUCKETS = ['0-5', '5-15', '15-60', '60-240', '240-1440', '1440+'];
  var FEWER = 'fewer than 5';

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** A total as the server sent it ({ shown, hidden }), in words. */
  function totalText(total) {
    if (!total) return '0';
    if (total.hidden === 0) return String(total.shown);
    var small = total.hidden === 1 ? FEWER : total.hidden + ' × ' + FEWER;
    return total.shown > 0 ? total.shown + ' + ' + small : small;
  }

  /** What a bar or point draws: nothing for a total that is only small counts. */
  function drawn(total) {
    if (!total || (total.hidden > 0 && total.shown === 0)) return null;
    return total.shown;
  }

  function byDimension(series, metric) {
    var map = {};
    series.metrics[metric].byDimension.forEach(function (d) { map[d.dimension] = d.total; });
    return map;
  }

  /** The dimensions of some metrics, in the order the server ranked them, each once. */
  function dimensionsOf(series, metrics, order) {
    var seen = {};
    var list = [];
    metrics.forEach(function (m) {
      series.metrics[m].byDimension.forEach(function (d) {
        if (!seen[d.dimension]) { seen[d.dimension] = true; list.push(d.dimension); }
      });
    });
    if (order) list.sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); });
    return list;
  }

  /** A chart over dimensions: one dataset per metric, one label per dimension. */
  function dimensionChart(series, id, title, metrics, names, label, order) {
    var dims = dimensionsOf(series, metrics, order);
    return {
      id: id,
      title: title,
      type: 'bar',
      rowHeading: names.row,
      labels: dims.map(label || function (d) { return d === '' ? 'all' : d; }),
      datasets: metrics.map(function (m, i) {
        var totals = byDimension(series, m);
        return { label: names.sets[i], totals: dims.map(function (d) { return totals[d] || { shown: 0, hidden: 0 }; }) };
      }),
    };
  }

  /** The charts of one range of counts. */
  function chartsOf(series) {
    var cases = dimensionsOf(series, ['case.opened']);
    var sos = byDimension(series, 'sos.raised');
    var sosTotal = series.metrics['sos.raised'].byDimension.reduce(function (sum, d) {
      return { shown: sum.shown + d.total.shown, hidden: sum.hidden + d.total.hidden };
    }, { shown: 0, hidden: 0 });
    var caseTotals = byDimension(series, 'case.opened');
    return [
      {
        id: 'conversations', title: 'Conversations started per day', type: 'line', rowHeading: 'Day',
        labels: series.days,
        datasets: [{ label: 'Conversations started', totals: series.metrics['conversation.started'].byDay }],
      },
      dimensionChart(series, 'flows', 'Topics started and finished', ['flow.started', 'flow.finished'],
        { row: 'Topic', sets: ['Started', 'Finished'] }),
      dimensionChart(series, 'left', 'Where people leave a topic (topic/step)', ['flow.left'],
        { row: 'Topic/step', sets: ['Left here'] }),
      {
        id: 'cases', title: 'SOS and cases opened (category/priority)', type: 'bar', rowHeading: 'What',
        labels: ['SOS'].concat(cases.map(function (c) { return 'Case: ' + c; })),
        datasets: [{ label: 'Count', totals: [Object.keys(sos).length ? sosTotal : { shown: 0, hidden: 0 }].concat(cases.map(function (c) { return caseTotals[c]; })) }],
      },
      dimensionChart(series, 'first-reply', 'Time to the first caseworker reply', ['case.first_reply'],
        { row: 'Minutes', sets: ['Cases'] }, function (b) { return b + ' min'; }, REPLY_BUCKETS),
      dimensionChart(series, 'languages', 'Languages (people a day)', ['language.used'],
        { row: 'Language', sets: ['People'] }, function (l) { return LANGUAGES[l] || l; }),
      dimensionChart(series, 'countries', 'Countries (people a day)', ['country.current', 'country.origin'],
        { row: 'Country', sets: ['Where they are', 'Where they are from'] }),
    ];
  }

  function table(def) {
    var details = el('details');
    details.appendChild(el('summary', null, 'Table of ' + def.title.toLowerCase()));
    var wrap = el('div', 'table-wrap');
    var t = el('table');
    t.appendChild(el('caption', 'sr-only', def.title));
    var head = el('tr');
    head.appendChild(el('th', null, def.rowHeading)).setAttribute('scope', 'col');
    def.datasets.forEach(function (ds) { head.appendChild(el('th', null, ds.label)).setAttribute('scope', 'col'); });
    var thead = el('thead');
    thead.appendChild(head);
    t.appendChild(thead);
    var body = el('tbody');
    def.labels.forEach(function (label, i) {
      var row = el('tr');
      row.appendChild(el('th', null, label)).setAttribute('scope', 'row');
      def.datasets.forEach(function (ds) {
        var total = ds.totals[i];
        row.appendChild(el('td', total && total.hidden > 0 ? 'num suppressed' : 'num', totalText(total)));
      });
      body.appendChild(row);
    });
    t.appendChild(body);
    wrap.appendChild(t);
    details.appendChild(wrap);
    // Open by default where something is suppressed, so "fewer than 5" is seen, not guessed from a missing bar.
    details.open = def.datasets.some(function (ds) { return ds.totals.some(function (t) { return t && t.hidden > 0; }); });
    return details;
  }

  function render(container, def) {
    var card = el('section', 'chart-card');
    card.id = 'chart-' + def.id;
    var heading = el('h2', null, def.title);
    heading.id = 'chart-' + def.id + '-title';
    card.setAttribute('aria-labelledby', heading.id);
    card.appendChild(heading);
    var empty = def.labels.length === 0;
    if (empty) card.appendChild(el('p', 'empty', 'Nothing counted in these days.'));
    var box = el('div', 'chart-box');
    var canvas = el('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', def.title + ': the table below has the numbers.');
    box.appendChild(canvas);
    card.appendChild(box);
    var hidden = def.datasets.some(function (ds) { return ds.totals.some(function (t) { return t && t.hidden > 0; }); });
    if (hidden) card.appendChild(el('p', 'hint', 'Counts of ' + FEWER + ' are not drawn; the table shows where they are.'));
    if (!empty) card.appendChild(table(def));
    container.appendChild(card);
    return new window.Chart(canvas, {
      type: def.type,
      data: {
        labels: def.labels,
        datasets: def.datasets.map(function (ds, i) {
          return {
            label: ds.label,
            data: ds.totals.map(drawn),
            backgroundColor: COLOURS[i % COLOURS.length],
            borderColor: COLOURS[i % COLOURS.length],
            spanGaps: false,
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        // A cheap phone redraws nothing it does not have to.
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: {
          legend: { display: def.datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: function (item) {
                return def.datasets[item.datasetIndex].label + ': ' + totalText(def.datasets[item.datasetIndex].totals[item.dataIndex]);
              },
            },
          },
        },
      },
    });
  }

  I.el = el;
  I.totalText = totalText;
  I.chartsOf = chartsOf;
  I.render = render;
})();
