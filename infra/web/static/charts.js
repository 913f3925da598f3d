/* Draws every [data-chart] element of a page with the vendored ECharts (see infra/web/charts.py).
   The option travels as JSON in a <script type="application/json"> inside the element. */
(function () {
  "use strict";
  var won = function (value) {
    if (value === null || value === undefined || value === "-") return "-";
    return Number(value).toLocaleString("ko-KR") + "원";
  };
  function draw(holder) {
    var source = holder.querySelector("script[type='application/json']");
    var canvas = holder.querySelector(".chart-canvas");
    if (!source || !canvas || !window.echarts) return;
    var option = JSON.parse(source.textContent);
    var flags = option.jangteo || {};
    delete option.jangteo;
    if (flags.won) {
      option.tooltip = Object.assign({}, option.tooltip, { valueFormatter: won });
      if (option.yAxis) option.yAxis.axisLabel = { formatter: function (v) {
        return Math.abs(v) >= 10000 ? (v / 10000).toLocaleString("ko-KR") + "만" : won(v);
      } };
    }
    var chart = window.echarts.init(canvas, null, { locale: "KO", renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    holder.setAttribute("data-chart-drawn", "1");
  }
  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
