/* Small helpers of the review task forms; no inline code (CSP).
 *  - expert_review: [data-score-group] sums its [data-score] inputs into [data-score-total].
 *  - consolidate: a [data-grade-select] whose value differs from its data-suggested grade marks the
 *    override reason ([data-override-block]) as required and shows [data-override-note].
 */
(function () {
  'use strict';

  function each(selector, fn, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  function initScores(group) {
    var out = group.querySelector('[data-score-total]');
    if (!out) { return; }
    function update() {
      var total = 0;
      var complete = true;
      var invalid = false;
      each('[data-score]', function (input) {
        var text = input.value.trim();
        if (text === '') { complete = false; return; }
        var value = Number(text);
        if (!isFinite(value) || value < 0 || value > 25 || Math.floor(value) !== value) { invalid = true; return; }
        total += value;
      }, group);
      out.textContent = String(total) + (invalid ? ' ?' : '');
      out.classList.toggle('text-danger', invalid);
      out.classList.toggle('text-muted', !invalid && !complete);
    }
    group.addEventListener('input', update);
    group.addEventListener('change', update);
    update();
  }

  function initGrade(select) {
    var suggested = select.getAttribute('data-suggested') || '';
    var block = document.querySelector('[data-override-block]');
    if (!block) { return; }
    var note = block.querySelector('[data-override-note]');
    var field = block.querySelector('textarea, input');
    function update() {
      var differs = suggested !== '' && select.value !== '' && select.value !== suggested;
      block.classList.toggle('override-required', differs);
      if (note) {
        note.classList.toggle('d-none', !differs);
        note.classList.toggle('text-danger', differs);
      }
      if (field) {
        if (differs) { field.setAttribute('aria-required', 'true'); }
        else { field.removeAttribute('aria-required'); }
      }
    }
    select.addEventListener('change', update);
    update();
  }

  function init() {
    each('[data-score-group]', initScores);
    each('select[data-grade-select]', initGrade);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
