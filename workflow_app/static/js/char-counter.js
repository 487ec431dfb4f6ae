/* A live character counter under long text fields ("123/2000"), so a limit is never a surprise.
 *
 * Every <textarea maxlength> (WTForms renders the form's limit as maxlength) and every field marked
 * [data-char-count] with a maxlength gets a counter line right after it. The browser silently cuts a paste
 * at maxlength: when that happens the counter says so. A value longer than the limit (shown again after the
 * server refused it) is counted as it is, in red, with how much is over.
 *
 * Texts come from <div hidden data-char-counter-messages data-full data-over data-cut> in base.html
 * ({max}, {over}, {pasted} are replaced), so the page's language is used. No inline code (CSP).
 */
(function () {
  'use strict';

  var SELECTOR = 'textarea[maxlength], [data-char-count][maxlength]';

  function messages() {
    var holder = document.querySelector('[data-char-counter-messages]');
    return holder ? holder.dataset : {};
  }

  function fill(template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function Counter(field, texts) {
    this.field = field;
    this.texts = texts;
    this.max = parseInt(field.getAttribute('maxlength'), 10);
    this.cutNote = '';
    this.out = document.createElement('div');
    this.out.className = 'form-text text-end char-counter';
    this.out.setAttribute('data-char-counter', '');
    this.out.setAttribute('aria-live', 'polite');
    if (field.id) { this.out.id = field.id + '-counter'; }
    field.insertAdjacentElement('afterend', this.out);
    if (this.out.id) {
      var described = field.getAttribute('aria-describedby');
      field.setAttribute('aria-describedby', (described ? described + ' ' : '') + this.out.id);
    }
    var self = this;
    field.addEventListener('input', function () { self.update(); });
    field.addEventListener('paste', function (event) { self.onPaste(event); });
    this.update();
  }

  // The browser drops whatever goes past maxlength without a word: measure the paste before it lands.
  Counter.prototype.onPaste = function (event) {
    var data = event.clipboardData || window.clipboardData;
    if (!data) { return; }
    var pasted = data.getData('text') || '';
    var field = this.field;
    var selected = Math.max((field.selectionEnd || 0) - (field.selectionStart || 0), 0);
    var room = this.max - (field.value.length - selected);
    this.cutNote = pasted.length > room
      ? fill(this.texts.cut, { pasted: pasted.length, max: this.max, over: pasted.length - Math.max(room, 0) })
      : '';
    var self = this;
    window.setTimeout(function () { self.update(true); }, 0);
  };

  Counter.prototype.update = function (keepNote) {
    var length = this.field.value.length;
    if (!keepNote && length < this.max) { this.cutNote = ''; }
    var parts = [length + '/' + this.max];
    if (length > this.max) {
      parts.push(fill(this.texts.over, { max: this.max, over: length - this.max }));
    } else if (length === this.max) {
      parts.push(fill(this.texts.full, { max: this.max }));
    }
    if (this.cutNote) { parts.push(this.cutNote); }
    this.out.textContent = parts.join(' · ');
    var bad = length > this.max || this.cutNote !== '';
    this.out.classList.toggle('text-danger', bad);
    this.out.classList.toggle('text-warning-emphasis', !bad && length === this.max);
    this.out.classList.toggle('fw-semibold', bad);
  };

  function init() {
    var texts = messages();
    Array.prototype.forEach.call(document.querySelectorAll(SELECTOR), function (field) {
      var max = parseInt(field.getAttribute('maxlength'), 10);
      if (!field.__charCounter && max > 0) { field.__charCounter = new Counter(field, texts); }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
