/* "添加一行" for lists of entries rendered by the repeat_rows macro (_form.html); no inline code (CSP).
 * A [data-repeat-rows] fieldset holds [data-repeat-row] rows named <name>-0, <name>-1, ...; the button
 * [data-repeat-add] (hidden until this script runs: without JavaScript the spare rows are the way to add)
 * appends an empty copy of the last row, up to data-max rows.
 */
(function () {
  'use strict';

  function initList(list) {
    var button = list.querySelector('[data-repeat-add]');
    if (!button) { return; }
    var name = list.getAttribute('data-name');
    var label = list.getAttribute('data-label') || '';
    var max = parseInt(list.getAttribute('data-max'), 10) || 50;

    function rows() { return list.querySelectorAll('[data-repeat-row]'); }

    function refresh() { button.disabled = rows().length >= max; }

    button.addEventListener('click', function () {
      var all = rows();
      if (all.length >= max) { return; }
      var last = all[all.length - 1];
      var copy = last.cloneNode(true);
      var index = all.length;
      var input = copy.querySelector('input, textarea');
      var caption = copy.querySelector('label');
      Array.prototype.forEach.call(copy.querySelectorAll('.invalid-feedback'), function (e) { e.remove(); });
      input.classList.remove('is-invalid');
      input.value = '';
      input.name = name + '-' + index;
      input.id = name + '-' + index;
      input.placeholder = label + ' ' + (index + 1);
      if (caption) {
        caption.setAttribute('for', input.id);
        caption.textContent = label + ' ' + (index + 1);
      }
      last.parentNode.insertBefore(copy, last.nextSibling);
      input.focus();
      refresh();
    });
    button.classList.remove('d-none');
    refresh();
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('[data-repeat-rows]'), initList);
  });
}());
