/* kwaliteit: draws the charts of a page, and the few enhancements of the dashboard.
 *
 * Every chart is a <script type="application/json" class="chart-data" data-target="ID"> data block
 * with a plotly figure built on the server (kwaliteit/dashboard/charts.py). This file is the only
 * script that reads them; pages have no inline script, so the Content-Security-Policy allows
 * script from this app only. plotly.js is loaded (deferred, before this file) only on pages with a
 * chart; without it, or without JavaScript, the tables beside the charts hold the same numbers.
 */
(function () {
  "use strict";

  // A4 portrait at 96 dpi minus the print margins: charts are redrawn at most this wide to print.
  var PRINT_WIDTH = 680;
  // Narrower than this (a phone), a chart takes its "narrow" layout: shorter labels.
  var NARROW_WIDTH = 480;

  function plots() {
    return Array.prototype.slice.call(document.querySelectorAll(".chart.js-plotly-plot"));
  }

  function draw(block) {
    var target = document.getElementById(block.getAttribute("data-target"));
    if (!target || !window.Plotly) {
      return;
    }
    var spec;
    try {
      spec = JSON.parse(block.textContent);
    } catch (e) {
      return; // the table beside the chart still has the numbers
    }
    var layout = spec.figure.layout;
    if (spec.narrow && target.clientWidth < NARROW_WIDTH) {
      Object.keys(spec.narrow).forEach(function (path) {
        var parts = path.split(".");
        layout[parts[0]] = layout[parts[0]] || {};
        layout[parts[0]][parts[1]] = spec.narrow[path];
      });
    }
    window.Plotly.newPlot(target, spec.figure.data, layout, spec.config).then(function () {
      var figure = target.closest("figure");
      if (figure) {
        figure.classList.add("is-drawn");
      }
    });
  }

  function fitForPrint() {
    plots().forEach(function (el) {
      var width = Math.min(el.parentNode.clientWidth || PRINT_WIDTH, PRINT_WIDTH);
      window.Plotly.relayout(el, { width: width });
    });
  }

  function fitForScreen() {
    plots().forEach(function (el) {
      window.Plotly.relayout(el, { width: null }).then(function () {
        window.Plotly.Plots.resize(el);
      });
    });
  }

  function enhancePrintButtons() {
    document.querySelectorAll(".js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  // The rationale tooltips of the coverage matrix show on hover and focus (CSS); Escape hides
  // them without moving the pointer or the focus (WCAG 1.4.13), until the next move.
  function dismissibleTooltips() {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        document.body.classList.add("tips-hidden");
      }
    });
    ["mousemove", "focusin"].forEach(function (type) {
      document.addEventListener(type, function () {
        document.body.classList.remove("tips-hidden");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhancePrintButtons();
    dismissibleTooltips();
    if (!window.Plotly) {
      return;
    }
    document.querySelectorAll('script[type="application/json"].chart-data').forEach(draw);
    window.addEventListener("beforeprint", fitForPrint);
    window.addEventListener("afterprint", fitForScreen);
  });
})();
