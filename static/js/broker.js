// Broker reports: draw the charts from the JSON data block the page renders (no inline script: CSP).
(function () {
  "use strict";
  var block = document.getElementById("broker-chart-data");
  if (!block || typeof window.Chart === "undefined") { return; }
  var data;
  try { data = JSON.parse(block.textContent || "{}"); } catch (e) { return; }

  var month = document.getElementById("chart-month");
  if (month && data.month) {
    new window.Chart(month, {
      data: {
        labels: data.month.labels,
        datasets: [
          { type: "bar", label: data.month.valueLabel, data: data.month.values, yAxisID: "value" },
          { type: "line", label: data.month.countLabel, data: data.month.counts, yAxisID: "count" }
        ]
      },
      options: {
        responsive: true,
        scales: {
          value: { position: "left", beginAtZero: true },
          count: { position: "right", beginAtZero: true, ticks: { precision: 0 }, grid: { drawOnChartArea: false } }
        }
      }
    });
  }

  var funnel = document.getElementById("chart-funnel");
  if (funnel && data.funnel) {
    new window.Chart(funnel, {
      type: "bar",
      data: { labels: data.funnel.labels, datasets: [{ label: data.funnel.countLabel, data: data.funnel.counts }] },
      options: { indexAxis: "y", responsive: true, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
})();
