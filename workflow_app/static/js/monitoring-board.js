/* The monitoring board's charts (monitoring_board/board.html); no inline code (CSP).
 *
 * [data-board-chart="colours"]: stacked horizontal bars per department (red / yellow / green / not reported),
 * data {labels, series: [{key, name, values}]}. [data-board-chart="outcomes"]: bars per outcome, data
 * {labels, values, series}. The tables under the charts hold the same figures (the charts are aria-hidden).
 * Tooltips are drawn on the canvas (renderMode richText): the HTML tooltip needs inline styles the CSP refuses.
 */
(function () {
  'use strict';

  var COLOURS = { red: '#dc3545', yellow: '#ffc107', green: '#198754', none: '#adb5bd' };
  var BAR_HEIGHT = 30;
  var CHROME = 70;

  function readData(el) {
    try { return JSON.parse(el.getAttribute('data-chart-data') || '{}'); } catch (e) { return null; }
  }

  function shorten(label) {
    var text = String(label);
    return text.length > 14 ? text.slice(0, 13) + '…' : text;
  }

  function colours(el, data) {
    el.style.height = Math.max(160, data.labels.length * BAR_HEIGHT + CHROME) + 'px';
    var chart = window.echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText' },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: data.labels, axisLabel: { formatter: shorten } },
      series: data.series.map(function (s) {
        return { name: s.name, type: 'bar', stack: 'colours', data: s.values, barMaxWidth: 22,
                 itemStyle: { color: COLOURS[s.key] || '#6c757d' } };
      })
    });
    return chart;
  }

  function outcomes(el, data) {
    el.style.height = '220px';
    var chart = window.echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText' },
      xAxis: { type: 'category', data: data.labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: data.series, type: 'bar', data: data.values, barMaxWidth: 36,
                 itemStyle: { color: '#0d6efd' }, label: { show: true, position: 'top' } }]
    });
    return chart;
  }

  var DRAW = { colours: colours, outcomes: outcomes };

  function init() {
    if (typeof window.echarts === 'undefined') { return; }
    var charts = [];
    Array.prototype.forEach.call(document.querySelectorAll('[data-board-chart]'), function (el) {
      var data = readData(el);
      var draw = DRAW[el.getAttribute('data-board-chart')];
      if (data && draw && data.labels && data.labels.length) { charts.push(draw(el, data)); }
    });
    var timer = null;
    window.addEventListener('resize', function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', init); } else { init(); }
}());
