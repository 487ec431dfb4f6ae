/* The indicator editor of the goal forms (draft_goals, revise_goals).
 *
 * Markup (templates/tasks/forms/_indicators.html): a fieldset [data-indicator-editor data-prefix="indicators"]
 * holding a tbody [data-rows] of rows [data-indicator-row], a <template data-row-template> with a blank row,
 * an output [data-weight-total] and buttons [data-action=add|up|down|remove].
 *
 * After every change the rows are renumbered so the names stay indicators-0-*, indicators-1-*, ... in
 * the order shown: WTForms reads the FieldList by those indexes, so the POST matches the screen.
 * No framework, no inline code (the Content-Security-Policy forbids it).
 */
(function () {
  'use strict';

  // 一级指标 → 二级指标 (财政部 goal tables; the same strings as the API).
  var LEVEL2 = {
    '产出指标': ['数量指标', '质量指标', '时效指标', '成本指标'],
    '效益指标': ['经济效益指标', '社会效益指标', '生态效益指标', '可持续影响指标'],
    '满意度指标': ['服务对象满意度指标']
  };
  var PART_KEYS = { '产出指标': 'output', '效益指标': 'benefit', '满意度指标': 'satisfaction' };

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }

  function parseNumber(text) {
    if (text === null || text === undefined) { return NaN; }
    var cleaned = String(text).trim().replace(/，/g, ',').replace(/,/g, '').replace(/[０-９．]/g, function (c) {
      return c === '．' ? '.' : String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    });
    if (cleaned === '' || !/^[-+]?\d*\.?\d+$|^[-+]?\d+\.$/.test(cleaned)) { return NaN; }
    return parseFloat(cleaned);
  }

  function formatNumber(value) {
    var rounded = Math.round(value * 100) / 100;
    return String(rounded);
  }

  function Editor(root) {
    this.root = root;
    this.prefix = root.getAttribute('data-prefix') || 'indicators';
    this.maxRows = parseInt(root.getAttribute('data-max-rows') || '', 10) || 0;
    this.body = root.querySelector('[data-rows]');
    this.template = root.querySelector('template[data-row-template]');
    this.emptyRow = root.querySelector('[data-empty-row]');
    this.totalOut = root.querySelector('[data-weight-total]');
    this.partsOut = root.querySelector('[data-weight-parts]');
    this.problemsOut = root.querySelector('[data-editor-problems]');
    this.problemsRow = root.querySelector('[data-problems-row]');
    this.addButton = root.querySelector('[data-action="add"]');
    var messages = root.querySelector('[data-messages]');
    this.messages = messages ? messages.dataset : {};
    this.namePattern = new RegExp('^' + escapeRegExp(this.prefix) + '-\\d+-');
    this.allLevel2 = this.readLevel2Options();
    this.bind();
    var self = this;
    this.rows().forEach(function (row) { self.filterLevel2(row, true); });
    // An untouched form (the server says so, and the browser has not restored typed values) starts
    // from the earlier version.
    if (root.hasAttribute('data-prefill-auto') && this.isPristine()) { this.prefill(); }
    this.refresh();
  }

  Editor.prototype.rows = function () {
    return Array.prototype.slice.call(this.body.querySelectorAll('tr[data-indicator-row]'));
  };

  // Every choice of the level-2 select (it carries all of them), from the blank row or the first row.
  Editor.prototype.readLevel2Options = function () {
    var select = null;
    if (this.template && this.template.content) {
      select = this.template.content.querySelector('select[data-role="level2"]');
    }
    if (!select) { select = this.body.querySelector('select[data-role="level2"]'); }
    if (!select) { return []; }
    return Array.prototype.map.call(select.options, function (o) {
      return { value: o.value, text: o.textContent };
    });
  };

  Editor.prototype.bind = function () {
    var self = this;
    this.root.addEventListener('click', function (event) {
      var button = event.target.closest('button[data-action]');
      if (!button || !self.root.contains(button)) { return; }
      var action = button.getAttribute('data-action');
      var row = button.closest('tr[data-indicator-row]');
      if (action === 'add') { self.addRow(); }
      else if (action === 'prefill') {
        var question = button.getAttribute('data-confirm');
        if (self.isPristine() || !question || window.confirm(question)) { self.prefill(); }
      }
      else if (row && action === 'remove') { self.removeRow(row); }
      else if (row && action === 'up') { self.moveRow(row, -1); }
      else if (row && action === 'down') { self.moveRow(row, 1); }
    });
    this.root.addEventListener('change', function (event) {
      var role = event.target.getAttribute('data-role');
      var row = event.target.closest('tr[data-indicator-row]');
      if (role === 'level1' && row) { self.filterLevel2(row, false); }
      if (role) { self.clearError(event.target); }
      self.updateTotal();
    });
    this.root.addEventListener('input', function (event) {
      var role = event.target.getAttribute('data-role');
      if (role === 'weight' || role === 'target') { self.updateTotal(); }
    });
  };

  // A field the user has edited no longer shows the server's error for the old value.
  Editor.prototype.clearError = function (field) {
    if (!field.classList.contains('is-invalid')) { return; }
    field.classList.remove('is-invalid');
    var next = field.nextElementSibling;
    while (next && next.classList.contains('invalid-feedback')) {
      var gone = next;
      next = next.nextElementSibling;
      gone.parentNode.removeChild(gone);
    }
  };

  Editor.prototype.addRow = function () {
    var row = this.createRow();
    if (!row) { return; }
    this.refresh();
    var first = row.querySelector('select, input:not([type="hidden"])');
    if (first) { first.focus(); }
  };

  // A new blank row at the end (not yet renumbered: callers refresh()).
  Editor.prototype.createRow = function () {
    if (!this.template) { return null; }
    if (this.maxRows && this.rows().length >= this.maxRows) { return null; }
    var fragment = this.template.content.cloneNode(true);
    var row = fragment.querySelector('tr[data-indicator-row]');
    if (!row) { return null; }
    // A copy never carries the errors (or, for a copied full row, the values) of its source.
    Array.prototype.forEach.call(row.querySelectorAll('.is-invalid'), function (el) { el.classList.remove('is-invalid'); });
    Array.prototype.forEach.call(row.querySelectorAll('.invalid-feedback, [data-row-error]'), function (el) {
      el.parentNode.removeChild(el);
    });
    if (this.template.hasAttribute('data-clear')) {
      Array.prototype.forEach.call(row.querySelectorAll('input:not([type="hidden"]):not([type="checkbox"])'), function (el) { el.value = ''; });
      Array.prototype.forEach.call(row.querySelectorAll('input[type="checkbox"]'), function (el) { el.checked = false; });
      Array.prototype.forEach.call(row.querySelectorAll('select'), function (el) { el.selectedIndex = 0; });
    }
    // Default the new row to the level-1 of the last row: indicators are usually entered group by group.
    var rows = this.rows();
    var level1 = row.querySelector('select[data-role="level1"]');
    if (rows.length && level1) {
      var previous = rows[rows.length - 1].querySelector('select[data-role="level1"]');
      if (previous && previous.value) { level1.value = previous.value; }
    }
    this.body.insertBefore(row, this.emptyRow || null);
    this.filterLevel2(row, false);
    return row;
  };

  // Replace the rows (and the overall goal) with an earlier version's: data-prefill holds
  // {"overall_goal": str, "indicators": [{level1, level2, name, operator, target, unit, weight}]}.
  Editor.prototype.prefill = function () {
    var data;
    try {
      data = JSON.parse(this.root.getAttribute('data-prefill') || 'null');
    } catch (error) {
      return;
    }
    if (!data) { return; }
    var self = this;
    this.rows().forEach(function (row) { row.parentNode.removeChild(row); });
    (data.indicators || []).forEach(function (indicator) {
      var row = self.createRow();
      if (!row) { return; }
      ['level1', 'level2', 'name', 'operator', 'target', 'unit', 'weight'].forEach(function (role) {
        var field = row.querySelector('[data-role="' + role + '"]');
        if (!field) { return; }
        var value = indicator[role];
        field.value = value === null || value === undefined ? '' : String(value);
        if (role === 'level1') { self.filterLevel2(row, false); }
      });
      var allow = row.querySelector('[data-role="allow_negative"]');
      if (allow) { allow.checked = indicator.allow_negative === true; }
    });
    var overallId = this.root.getAttribute('data-overall-target');
    var overall = overallId ? document.getElementById(overallId) : null;
    if (overall && typeof data.overall_goal === 'string') { overall.value = data.overall_goal; }
    this.refresh();
  };

  Editor.prototype.isPristine = function () {
    var overallId = this.root.getAttribute('data-overall-target');
    var overall = overallId ? document.getElementById(overallId) : null;
    if (overall && overall.value.trim() !== '') { return false; }
    var self = this;
    return !this.rows().some(function (row) { return self.hasContent(row); });
  };

  Editor.prototype.hasContent = function (row) {
    return Array.prototype.some.call(row.querySelectorAll('input[data-role]:not([type="checkbox"])'), function (el) {
      return el.value.trim() !== '';
    });
  };

  Editor.prototype.removeRow = function (row) {
    if (this.hasContent(row) && this.messages.confirmRemove && !window.confirm(this.messages.confirmRemove)) {
      return;
    }
    var rows = this.rows();
    var index = rows.indexOf(row);
    row.parentNode.removeChild(row);
    this.refresh();
    // Keep the keyboard user near where they were.
    rows = this.rows();
    var target = rows[Math.min(index, rows.length - 1)];
    var focus = target ? target.querySelector('button[data-action="remove"]') : this.addButton;
    if (focus) { focus.focus(); }
  };

  Editor.prototype.moveRow = function (row, step) {
    var rows = this.rows();
    var index = rows.indexOf(row);
    var other = rows[index + step];
    if (!other) { return; }
    if (step < 0) { this.body.insertBefore(row, other); }
    else { this.body.insertBefore(other, row); }
    this.refresh();
    var button = row.querySelector('button[data-action="' + (step < 0 ? 'up' : 'down') + '"]');
    if (button && !button.disabled) { button.focus(); }
    else {
      var opposite = row.querySelector('button[data-action="' + (step < 0 ? 'down' : 'up') + '"]');
      if (opposite) { opposite.focus(); }
    }
  };

  // Rebuild the 二级指标 options for the row's 一级指标. On page load a value that does not fit is kept
  // (it is what was posted, and the server's error next to it names the problem); after the user changes
  // 一级指标 only fitting choices remain.
  Editor.prototype.filterLevel2 = function (row, keepCurrent) {
    var level1 = row.querySelector('select[data-role="level1"]');
    var level2 = row.querySelector('select[data-role="level2"]');
    if (!level1 || !level2 || !this.allLevel2.length) { return; }
    var allowed = LEVEL2[level1.value];
    var current = level2.value;
    var options = this.allLevel2.filter(function (o) {
      return o.value === '' || !allowed || allowed.indexOf(o.value) !== -1 || (keepCurrent && o.value === current);
    });
    while (level2.options.length) { level2.remove(0); }
    options.forEach(function (o) {
      var option = document.createElement('option');
      option.value = o.value;
      option.textContent = o.text;
      level2.appendChild(option);
    });
    var values = options.map(function (o) { return o.value; });
    if (values.indexOf(current) !== -1) { level2.value = current; }
    else { level2.selectedIndex = 0; }
  };

  Editor.prototype.refresh = function () {
    this.renumber();
    this.updateButtons();
    this.updateTotal();
  };

  Editor.prototype.renumber = function () {
    var pattern = this.namePattern;
    var prefix = this.prefix;
    this.rows().forEach(function (row, index) {
      var replacement = prefix + '-' + index + '-';
      var number = row.querySelector('[data-row-number]');
      if (number) { number.textContent = String(index + 1); }
      Array.prototype.forEach.call(row.querySelectorAll('[name], [id], label[for], [aria-describedby]'), function (el) {
        ['name', 'id', 'for', 'aria-describedby'].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && pattern.test(value)) { el.setAttribute(attr, value.replace(pattern, replacement)); }
        });
      });
    });
  };

  Editor.prototype.updateButtons = function () {
    var rows = this.rows();
    rows.forEach(function (row, index) {
      var up = row.querySelector('button[data-action="up"]');
      var down = row.querySelector('button[data-action="down"]');
      if (up) { up.disabled = index === 0; }
      if (down) { down.disabled = index === rows.length - 1; }
    });
    if (this.emptyRow) { this.emptyRow.classList.toggle('d-none', rows.length > 0); }
    if (this.addButton) { this.addButton.disabled = !!(this.maxRows && rows.length >= this.maxRows); }
  };

  // The total is green only when every weight is a number from 0 to 100 and they add up to 100; whatever
  // keeps it from being green is said in words below the table (a negative weight once showed 100/100).
  Editor.prototype.updateTotal = function () {
    var total = 0;
    var parts = { output: 0, benefit: 0, satisfaction: 0 };
    var problems = [];
    var m = this.messages;
    var invalid = false;
    this.rows().forEach(function (row, index) {
      var number = index + 1;
      var input = row.querySelector('[data-role="weight"]');
      var level1 = row.querySelector('[data-role="level1"]');
      checkTarget(row, number, m, problems);
      if (!input) { return; }
      input.classList.remove('border-danger');
      if (input.value.trim() === '') { return; }
      var value = parseNumber(input.value);
      var problem = isNaN(value) ? m.weightNan : value < 0 ? m.weightNegative : value > 100 ? m.weightOver : null;
      if (problem) {
        invalid = true;
        input.classList.add('border-danger');
        problems.push(fill(problem, number));
      }
      if (isNaN(value)) { return; }
      total += value;
      var key = level1 ? PART_KEYS[level1.value] : null;
      if (key) { parts[key] += value; }
    });
    if (this.totalOut) {
      var ok = !invalid && Math.abs(total - 100) < 0.005;
      this.totalOut.textContent = formatNumber(total) + (invalid ? ' ?' : '');
      this.totalOut.classList.toggle('text-success', ok);
      this.totalOut.classList.toggle('text-danger', !ok);
      this.totalOut.setAttribute('data-valid', ok ? 'true' : 'false');
      this.totalOut.setAttribute('title', ok ? (m.totalOk || '') : invalid ? (m.totalInvalid || '') : (m.totalBad || ''));
    }
    if (invalid && m.totalInvalid) { problems.unshift(m.totalInvalid); }
    if (this.problemsOut) {
      this.problemsOut.textContent = problems.join('；');
      if (this.problemsRow) { this.problemsRow.classList.toggle('d-none', problems.length === 0); }
    }
    if (this.partsOut) {
      this.partsOut.textContent = '（' + [
        (m.labelOutput || '产出') + ' ' + formatNumber(parts.output),
        (m.labelBenefit || '效益') + ' ' + formatNumber(parts.benefit),
        (m.labelSatisfaction || '满意度') + ' ' + formatNumber(parts.satisfaction)
      ].join(' · ') + '）';
    }
  };

  function fill(template, number) {
    return String(template || '').replace('{n}', String(number));
  }

  // A quantitative target below zero is refused by the server unless 允许负值 is ticked: say so now.
  function checkTarget(row, number, m, problems) {
    var operator = row.querySelector('[data-role="operator"]');
    var target = row.querySelector('[data-role="target"]');
    var allow = row.querySelector('[data-role="allow_negative"]');
    if (!operator || !target || operator.value === '定性') { return; }
    var value = parseNumber(target.value);
    var bad = !isNaN(value) && value < 0 && !(allow && allow.checked);
    target.classList.toggle('border-danger', bad);
    if (bad && m.targetNegative) { problems.push(fill(m.targetNegative, number)); }
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-indicator-editor]'), function (root) {
      if (!root.__indicatorEditor) { root.__indicatorEditor = new Editor(root); }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
