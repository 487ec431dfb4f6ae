/* The dashboard's bar charts (dashboard.html); no inline code (CSP).
 *
 * Each [data-chart] element holds its data as JSON: {labels: [...], values: [...], series: "...", unit: "..."}.
 * The same numbers are in the table below each chart, which is what screen readers get (the charts are
 * aria-hidden). ECharts draws on a canvas; its tooltip is drawn there too (renderMode richText), because the
 * HTML tooltip would need inline style attributes, which the Content-Security-Policy refuses.
 */
(function () {
  'use strict';

  var BAR_HEIGHT = 30;
  var CHROME = 60;     // axis and margins, in px

  function readData(el) {
    try {
      var data = JSON.parse(el.getAttribute('data-chart') || '{}');
      if (!Array.isArray(data.labels) || !Array.isArray(data.values)) { return null; }
      return data;
    } catch (e) {
      return null;
    }
  }

  function shorten(label) {
    var text = String(label);
    return text.length > 16 ? text.slice(0, 15) + '…' : text;
  }

  function draw(el) {
    var data = readData(el);
    if (!data || !data.labels.length || typeof window.echarts === 'undefined') { return null; }
    // Horizontal bars: long Chinese names stay readable on a phone. The height follows the number of bars
    // (set through the CSSOM, which the CSP allows).
    el.style.height = Math.max(160, data.labels.length * BAR_HEIGHT + CHROME) + 'px';
    var chart = window.echarts.init(el, null, { renderer: 'canvas' });
    var unit = data.unit ? ' ' + data.unit : '';
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        renderMode: 'richText',
        formatter: function (params) {
          var p = params[0];
          return p.name + '\n' + data.series + '：' + p.value + unit;
        }
      },
      xAxis: { type: 'value', minInterval: data.unit ? 0 : 1 },
      yAxis: {
        type: 'category',
        inverse: true,
        data: data.labels,
        axisLabel: { formatter: shorten }
      },
      series: [{
        name: data.series,
        type: 'bar',
        data: data.values,
        barMaxWidth: 22,
        itemStyle: { color: '#0d6efd' },
        label: { show: true, position: 'right', formatter: '{c}' + unit }
      }]
    });
    return chart;
  }

  function init() {
    var charts = [];
    Array.prototype.forEach.call(document.querySelectorAll('[data-chart]'), function (el) {
      var chart = draw(el);
      if (chart) { charts.push(chart); }
    });
    var timer = null;
    window.addEventListener('resize', function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 150);
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
