/* The process diagrams of the instance page (instances/detail.html); no inline code (CSP).
 *
 * Each [data-diagram] figure names its BPMN XML (data-diagram-url) and the BPMN ids to colour as JSON
 * arrays: data-completed (green, class wf-done) and data-ready (orange, class wf-current). The drawing goes
 * into its [data-diagram-canvas] with the bpmn-js NavigatedViewer (global BpmnJS, vendor/bpmn-js): the mouse
 * drags and the wheel scrolls/zooms as bpmn-js does; [data-zoom] buttons zoom in, out and back to the whole
 * diagram; on a touch screen a sideways swipe pans the diagram (vertical swipes still scroll the page).
 */
(function () {
  'use strict';

  var PADDING = 20;
  var READABLE = 0.55;   // below this scale the labels cannot be read: fit the height and pan sideways
  var MIN_ZOOM = 0.2;
  var MAX_ZOOM = 3;

  function idList(figure, name) {
    try {
      var value = JSON.parse(figure.getAttribute(name) || '[]');
      return Array.isArray(value) ? value : [];
    } catch (e) {
      return [];
    }
  }

  function fail(figure, canvasEl) {
    canvasEl.textContent = '';
    canvasEl.classList.add('wf-diagram-failed');
    var p = document.createElement('p');
    p.className = 'p-2 mb-0 text-muted small';
    p.textContent = figure.getAttribute('data-error-text') || 'diagram unavailable';
    canvasEl.appendChild(p);
    Array.prototype.forEach.call(figure.querySelectorAll('[data-zoom]'), function (b) { b.disabled = true; });
  }

  /* The whole diagram when it is readable at the container's size; otherwise its height, from the left. */
  function fit(canvas) {
    canvas.resized();
    var box = canvas.viewbox();
    var inner = box.inner;
    var outer = box.outer;
    if (!inner || !inner.width || !inner.height || !outer.width || !outer.height) {
      canvas.zoom('fit-viewport', 'auto');
      return;
    }
    var width = inner.width + 2 * PADDING;
    var height = inner.height + 2 * PADDING;
    var scale = Math.min(outer.width / width, outer.height / height, 1);
    if (scale < READABLE) {
      scale = Math.min(outer.height / height, 1);
    }
    var viewWidth = outer.width / scale;
    var viewHeight = outer.height / scale;
    var x = viewWidth >= width ? inner.x - (viewWidth - inner.width) / 2 : inner.x - PADDING;
    var y = inner.y - (viewHeight - inner.height) / 2;
    canvas.viewbox({ x: x, y: y, width: viewWidth, height: viewHeight });
  }

  function zoomBy(canvas, factor) {
    var scale = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, canvas.zoom() * factor));
    canvas.zoom(scale, 'auto');
  }

  function touchPan(canvasEl, canvas) {
    var last = null;
    canvasEl.addEventListener('pointerdown', function (event) {
      if (event.pointerType === 'mouse') { return; }
      last = { id: event.pointerId, x: event.clientX, y: event.clientY };
    });
    canvasEl.addEventListener('pointermove', function (event) {
      if (!last || event.pointerId !== last.id) { return; }
      canvas.scroll({ dx: event.clientX - last.x, dy: event.clientY - last.y });
      last.x = event.clientX;
      last.y = event.clientY;
    });
    ['pointerup', 'pointercancel', 'pointerleave'].forEach(function (type) {
      canvasEl.addEventListener(type, function () { last = null; });
    });
  }

  function mark(viewer, completed, ready) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    completed.forEach(function (id) {
      if (typeof id === 'string' && registry.get(id)) { canvas.addMarker(id, 'wf-done'); }
    });
    ready.forEach(function (id) {
      if (typeof id === 'string' && registry.get(id)) {
        canvas.removeMarker(id, 'wf-done');
        canvas.addMarker(id, 'wf-current');
      }
    });
  }

  function show(figure) {
    var canvasEl = figure.querySelector('[data-diagram-canvas]');
    var url = figure.getAttribute('data-diagram-url');
    if (!canvasEl || !url) { return; }
    if (typeof window.BpmnJS !== 'function' || typeof window.fetch !== 'function') {
      fail(figure, canvasEl);
      return;
    }
    canvasEl.textContent = '';
    var viewer = new window.BpmnJS({ container: canvasEl });
    var canvas = viewer.get('canvas');

    window.fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/xml' } })
      .then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        mark(viewer, idList(figure, 'data-completed'), idList(figure, 'data-ready'));
        fit(canvas);
        figure.setAttribute('data-diagram-ready', 'true');
      })
      .catch(function (error) {
        if (window.console) { window.console.error('diagram', url, error); }
        viewer.destroy();
        fail(figure, canvasEl);
      });

    Array.prototype.forEach.call(figure.querySelectorAll('[data-zoom]'), function (button) {
      button.addEventListener('click', function () {
        var how = button.getAttribute('data-zoom');
        if (how === 'in') { zoomBy(canvas, 1.25); }
        else if (how === 'out') { zoomBy(canvas, 0.8); }
        else { fit(canvas); }
      });
    });
    touchPan(canvasEl, canvas);

    var timer = null;
    var width = canvasEl.clientWidth;
    window.addEventListener('resize', function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (canvasEl.clientWidth === width || figure.getAttribute('data-diagram-ready') !== 'true') { return; }
        width = canvasEl.clientWidth;
        fit(canvas);
      }, 150);
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-diagram]'), show);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
