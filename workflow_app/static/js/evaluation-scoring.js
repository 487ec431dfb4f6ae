/* The 自评表 breakdown shown live while a person types (财预〔2020〕10号).
 *
 * The rules live here once for the browser and mirror workflow_app/services/evaluation_scoring.py, which the
 * server runs again on submit and whose result is the one stored (tests/test_evaluation_scoring.py runs both
 * on one table through node). Numbers come from the page (data attributes): the category points and the two
 * settings EVALUATION_EQUAL_TOLERANCE and EVALUATION_OVERSHOOT_RATIO.
 *
 * Markup it reads: a container [data-evaluation-form] with data-category-points (JSON), data-equal-tolerance,
 * data-overshoot-ratio; inputs [data-eval=budget] and [data-eval=executed]; rows [data-eval-row] with
 * data-category, data-weight, data-kind, data-operator, data-target (or inputs [data-eval=target]) and inputs
 * [data-eval=actual|level|share|cause]; outputs [data-eval-out=points|score|execution-rate|execution-score|
 * total|grade] and [data-eval-out="category:<name>"].
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; }
  else { root.EvaluationScoring = api; }
}(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var EXECUTION = "预算执行率";
  var DEFAULT_POINTS = {"预算执行率": 10, "产出": 50, "效益": 30, "满意度": 10};
  var BANDS = {"达成": [80, 100, true], "部分达成": [60, 80, false], "未达成": [0, 60, false]};
  var GRADES = [["优", 90], ["良", 80], ["中", 60], ["差", 0]];

  function num(value) {
    if (value === null || value === undefined || typeof value === "boolean") { return null; }
    var text = String(value).trim();
    if (text === "") { return null; }
    var n = Number(text);
    return isFinite(n) ? n : null;
  }
  // Half up to two places; the tiny nudge absorbs binary fractions (24.995 is 24.99499… as a float).
  function q(x) { return Math.round(x * 100 + 1e-7) / 100; }

  function apportion(total, shares) {
    var cents = Math.round(total * 100), whole = 0, i;
    for (i = 0; i < shares.length; i++) { whole += shares[i]; }
    var exact = shares.map(function (s) { return cents * s / whole; });
    var parts = exact.map(function (e) { return Math.floor(e + 1e-9); });
    var left = cents - parts.reduce(function (a, b) { return a + b; }, 0);
    var order = shares.map(function (_, k) { return k; }).sort(function (a, b) {
      var d = (exact[b] - parts[b]) - (exact[a] - parts[a]);
      return Math.abs(d) > 1e-9 ? d : a - b;
    });
    for (i = 0; i < left; i++) { parts[order[i]] += 1; }
    return parts.map(function (p) { return p / 100; });
  }

  function levelOf(share) {
    for (var level in BANDS) {
      var b = BANDS[level];
      if ((share >= b[0] && share < b[1]) || (b[2] && share === b[1])) { return level; }
    }
    return null;
  }

  function gradeOf(total) {
    for (var i = 0; i < GRADES.length; i++) { if (total >= GRADES[i][1] - 1e-9) { return GRADES[i][0]; } }
    return "差";
  }

  function quantitative(op, target, actual, points, tol, over) {
    if (op === ">=") {
      if (actual < target) { return [points * actual / target, false, false]; }
      if (target > 0 && actual / target > over + 1e-12) { return [points * (1 - (actual - target) / target), true, true]; }
      return [points, true, false];
    }
    if (op === "<=") {
      if (actual <= target) { return [points, true, false]; }
      return [points * target / actual, false, false];
    }
    if (target === 0) { return actual === 0 ? [points, true, false] : [0, false, false]; }
    var dev = Math.abs(actual - target) / target;
    if (dev <= tol + 1e-12) { return [points, true, false]; }
    return [points * (1 - dev), false, false];
  }

  /* Score like the server; rows that cannot be scored yet (an empty 实际完成值) score null instead of failing. */
  function score(budget, executed, rows, categoryPoints, settings) {
    var points = categoryPoints || DEFAULT_POINTS;
    var tol = settings && settings.equalTolerance !== undefined ? Number(settings.equalTolerance) : 0.05;
    var over = settings && settings.overshootRatio !== undefined ? Number(settings.overshootRatio) : 1.5;
    var b = num(budget), e = num(executed), rate = null, execPoints = Number(points[EXECUTION] || 0), execScore = 0;
    if (EXECUTION in points && b !== null && b > 0 && e !== null && e >= 0) {
      rate = Math.round(e / b * 10000 + 1e-7) / 10000;
      execScore = q(Math.min(execPoints, execPoints * e / b));
    }
    var cats = Object.keys(points).filter(function (c) { return c !== EXECUTION; });
    var used = cats.filter(function (c) { return rows.some(function (r) { return r.category === c; }); });
    var indicatorPoints = cats.reduce(function (a, c) { return a + Number(points[c]); }, 0);
    var usedShares = used.map(function (c) { return Number(points[c]); });
    if (!usedShares.some(function (s) { return s > 0; })) { usedShares = used.map(function () { return 1; }); }
    var catTotal = {}, rowPoints = [];
    apportion(indicatorPoints, usedShares).forEach(function (p, k) { catTotal[used[k]] = p; });
    used.forEach(function (c) {
      var members = [];
      rows.forEach(function (r, k) { if (r.category === c) { members.push(k); } });
      var weights = members.map(function (k) { var w = num(rows[k].weight); return w !== null && w > 0 ? w : 0; });
      if (!weights.some(function (w) { return w > 0; })) { return; }
      apportion(catTotal[c], weights).forEach(function (p, k) { rowPoints[members[k]] = p; });
    });
    var out = [], complete = true;
    rows.forEach(function (r, k) {
      var p = rowPoints[k] === undefined ? 0 : rowPoints[k], earned = null, met = false, overshoot = false;
      if (r.kind === "qualitative") {
        var share = num(r.share);
        if (share !== null && levelOf(share) === r.level) { earned = p * share / 100; met = r.level === "达成"; }
      } else {
        var t = num(r.target), a = num(r.actual);
        if (t !== null && a !== null && t >= 0 && a >= 0) {
          var res = quantitative(r.operator || ">=", t, a, p, tol, over);
          earned = res[0]; met = res[1]; overshoot = res[2];
        }
      }
      if (earned === null) { complete = false; }
      var s = earned === null ? null : q(Math.max(0, Math.min(p, earned)));
      out.push({index: k, category: r.category, points: p, score: s, met: met, overshoot: overshoot,
                needs_cause: earned !== null && (!met || overshoot)});
    });
    var categories = {}, total = execScore;
    used.forEach(function (c) {
      var sum = 0;
      out.forEach(function (r) { if (r.category === c && r.score !== null) { sum += r.score; } });
      categories[c] = {points: catTotal[c], score: q(sum)};
      total += sum;
    });
    total = q(total);
    return {execution_rate: rate, execution_points: execPoints, execution_score: execScore, rows: out,
            categories: categories, total: total, grade: gradeOf(total), complete: complete,
            needs_cause: out.filter(function (r) { return r.needs_cause; }).map(function (r) { return r.index; })};
  }

  function fmt(x) { return x === null || x === undefined ? "—" : Number(x).toFixed(2); }

  function valueOf(row, name) {
    var input = row.querySelector("[data-eval=" + name + "]");
    if (input) { return input.type === "radio" ? (row.querySelector("[data-eval=" + name + "]:checked") || {}).value : input.value; }
    return row.getAttribute("data-" + name);
  }

  function refresh(form) {
    var points = JSON.parse(form.getAttribute("data-category-points") || "null");
    var tol = num(form.getAttribute("data-equal-tolerance")), over = num(form.getAttribute("data-overshoot-ratio"));
    var settings = {equalTolerance: tol === null ? 0.05 : tol, overshootRatio: over === null ? 1.5 : over};
    var rowEls = Array.prototype.slice.call(form.querySelectorAll("[data-eval-row]"));
    var rows = rowEls.map(function (el) {
      return {category: el.getAttribute("data-category"), weight: el.getAttribute("data-weight"),
              kind: el.getAttribute("data-kind"), operator: el.getAttribute("data-operator"),
              target: valueOf(el, "target"), actual: valueOf(el, "actual"), level: valueOf(el, "level"),
              share: valueOf(el, "share")};
    });
    var b = form.querySelector("[data-eval=budget]"), e = form.querySelector("[data-eval=executed]");
    var result = score(b ? b.value : null, e ? e.value : null, rows, points, settings);
    rowEls.forEach(function (el, k) {
      var r = result.rows[k];
      var set = function (name, text) { var o = el.querySelector("[data-eval-out=" + name + "]"); if (o) { o.textContent = text; } };
      set("points", fmt(r.points));
      set("score", fmt(r.score));
      el.classList.toggle("table-warning", r.needs_cause);
      var cause = el.querySelector("[data-eval=cause]");
      if (cause) { cause.classList.toggle("border-danger", r.needs_cause && !cause.value.trim()); }
    });
    var put = function (name, text) {
      form.querySelectorAll("[data-eval-out='" + name + "']").forEach(function (o) { o.textContent = text; });
    };
    put("execution-rate", result.execution_rate === null ? "—" : (result.execution_rate * 100).toFixed(2) + "%");
    put("execution-score", fmt(result.execution_score));
    Object.keys(result.categories).forEach(function (c) { put("category:" + c, fmt(result.categories[c].score)); });
    put("total", fmt(result.total));
    put("grade", result.complete ? result.grade : "—");
    return result;
  }

  if (typeof document !== "undefined") {
    document.addEventListener("DOMContentLoaded", function () {
      document.querySelectorAll("[data-evaluation-form]").forEach(function (form) {
        form.addEventListener("input", function () { refresh(form); });
        form.addEventListener("change", function () { refresh(form); });
        refresh(form);
      });
    });
  }

  return {score: score, apportion: apportion, gradeOf: gradeOf, levelOf: levelOf, refresh: refresh};
}));
