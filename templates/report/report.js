/* loadseed HTML report: draws the charts from the JSON block #report-data with uPlot (inlined above).
   Text reaches the page through uPlot's legend (textContent) and nothing here builds markup from strings. */
(function () {
  'use strict';

  var source = document.getElementById('report-data');
  if (!source || typeof uPlot !== 'function') return;
  var data = JSON.parse(source.textContent);

  var FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  var INK = '#667085';
  var GRID = '#eef0f3';
  var COLORS = {
    response: '#2563eb',
    service: '#ea580c',
    throughput: '#2563eb',
    users: '#667085',
    p50: '#2563eb',
    p95: '#f79009',
    p99: '#d92d20',
    failures: '#d92d20',
    dropped: '#f79009',
    target: '#7c3aed',
    baseline: '#475467',
    achieved: '#059669'
  };
  var charts = [];

  // ---- number formats -------------------------------------------------------------------------------

  // One color per failure kind, the same in every report.
  var KIND_COLORS = {
    connection_refused: '#b42318',
    connection_reset: '#dc6803',
    timeout: '#7a2e0e',
    dns: '#6941c6',
    tls: '#c11574',
    protocol: '#0e7090',
    aborted: '#667085',
    other: '#475467',
    check: '#ca8504',
    status: '#d92d20'
  };

  function trim(text) {
    return text.indexOf('.') === -1 ? text : text.replace(/0+$/, '').replace(/\.$/, '');
  }

  /** 1,234 · 237 · 31.6 · 2.45 · 0.072 */
  function num(value) {
    if (value == null || !isFinite(value)) return '–';
    var abs = Math.abs(value);
    if (abs === 0) return '0';
    if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
    if (abs >= 100) return value.toFixed(0);
    if (abs >= 10) return trim(value.toFixed(1));
    if (abs >= 1) return trim(value.toFixed(2));
    return trim(value.toPrecision(2));
  }

  /** Tick labels: uPlot leaves out (null) the splits a log axis has no room to label. */
  function ticks(u, splits) {
    return splits.map(function (v) {
      return v == null ? '' : num(v);
    });
  }

  function ms(value) {
    return value == null ? '–' : num(value) + ' ms';
  }

  /** Elapsed time for the time axis: `45 s` in short runs, `12:30` or `1:02:00` in long ones. */
  function clock(seconds, long) {
    if (!long) return num(seconds) + ' s';
    var s = Math.round(seconds);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var rest = s % 60;
    var mm = h > 0 && m < 10 ? '0' + m : String(m);
    return (h > 0 ? h + ':' : '') + mm + ':' + (rest < 10 ? '0' : '') + rest;
  }

  function percentileLabel(p) {
    return 'p' + trim(p.toFixed(3));
  }

  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  // ---- chart helpers --------------------------------------------------------------------------------

  function axis(extra) {
    var base = {
      stroke: INK,
      font: FONT,
      labelFont: FONT,
      grid: { stroke: GRID, width: 1 },
      ticks: { stroke: GRID, width: 1, size: 4 }
    };
    for (var key in extra) if (extra[key] !== undefined) base[key] = extra[key];
    return base;
  }

  function line(label, color, extra) {
    var base = { label: label, stroke: color, width: 1.75, points: { show: false } };
    for (var key in extra) if (extra[key] !== undefined) base[key] = extra[key];
    return base;
  }

  /** Draws a chart into the element `id` at its width, and redraws it at the new width when that changes. */
  function chart(id, height, options, columns) {
    var element = document.getElementById(id);
    if (!element) return;
    options.width = Math.max(element.clientWidth, 200);
    options.height = height;
    var plot = new uPlot(options, columns, element);
    element.setAttribute('data-points', String(columns[0].length));
    charts.push({ plot: plot, element: element, height: height });
  }

  function fitWidths() {
    for (var i = 0; i < charts.length; i++) {
      var entry = charts[i];
      var width = Math.max(entry.element.clientWidth, 200);
      if (Math.abs(width - entry.plot.width) > 1) entry.plot.setSize({ width: width, height: entry.height });
    }
  }

  var stepped = uPlot.paths && uPlot.paths.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined;

  // ---- 3. latency distribution ----------------------------------------------------------------------

  var spectrumSplits = [1, 2, 10, 100, 1000, 10000];
  var spectrumNames = ['p0', 'p50', 'p90', 'p99', 'p99.9', 'p99.99'];

  function spectrumX(percentiles) {
    return percentiles.map(function (p) {
      return 100 / (100 - p);
    });
  }

  function spectrumAxis() {
    return axis({
      label: 'percentile (log scale of 1/(1−p))',
      // Every mark labelled: uPlot's log axes otherwise label decades only, and p50 is not one.
      // On a narrow chart p50 is too close to p0 to be labelled too.
      filter: function (u, splits) {
        var crowded = u.valToPos(2, 'x') - u.valToPos(1, 'x') < 26;
        return splits.map(function (x) {
          return crowded && x === 2 ? null : x;
        });
      },
      splits: function () {
        return spectrumSplits;
      },
      values: function (u, splits) {
        return splits.map(function (x) {
          var at = spectrumSplits.indexOf(x);
          return at === -1 ? '' : spectrumNames[at];
        });
      }
    });
  }

  function spectrumScale() {
    return { time: false, distr: 3, log: 10, range: function () { return [1, 10000]; } };
  }

  function latencyScale() {
    return {
      range: function (u, min, max) {
        return [0, max > 0 ? max * 1.06 : 1];
      }
    };
  }

  /**
   * Ticks of a log axis: every decade, and 2× and 5× (or 3×) when there is room for their labels.
   * (uPlot's own put a grid line at every 1–9 multiple: too busy for a report.)
   */
  function logSplits(u, axisIdx, min, max) {
    var horizontal = u.axes[axisIdx].side % 2 === 0;
    var pixels = (horizontal ? u.bbox.width : u.bbox.height) / (window.devicePixelRatio || 1);
    var decades = Math.max(Math.log10(max / min), 0.1);
    var perDecade = pixels / decades;
    var steps = perDecade > 220 ? [1, 2, 5] : perDecade > 110 ? [1, 3] : [1];
    var splits = [];
    for (var d = Math.floor(Math.log10(min)) - 1; d <= Math.ceil(Math.log10(max)); d++) {
      for (var k = 0; k < steps.length; k++) {
        var v = Number((steps[k] * Math.pow(10, d)).toPrecision(6));
        if (v >= min * 0.999999 && v <= max * 1.000001) splits.push(v);
      }
    }
    return splits;
  }

  /**
   * Latencies spanning more than a decade and a half (a fast and a slow request, or a bimodal run) read best on a
   * log scale: on a linear one everything below the slowest curve's tail is flat on the axis.
   */
  function latencyY(curves) {
    var low = Infinity;
    var high = 0;
    curves.forEach(function (curve) {
      curve.forEach(function (v) {
        if (v > 0 && v < low) low = v;
        if (v > high) high = v;
      });
    });
    if (!(high / low > 30)) return { log: false, scale: latencyScale(), label: 'ms', splits: undefined, curves: curves };
    var floor = low;
    return {
      log: true,
      scale: {
        distr: 3,
        log: 10,
        range: function () {
          return [Math.pow(10, Math.floor(Math.log10(floor))), Math.pow(10, Math.ceil(Math.log10(high)))];
        }
      },
      splits: logSplits,
      label: 'ms (log scale)',
      // A 0 µs latency has no place on a log axis: drawn at the lowest value instead.
      curves: curves.map(function (curve) {
        return curve.map(function (v) {
          return v == null ? null : v > 0 ? v : floor;
        });
      })
    };
  }

  var dist = data.distribution;
  if (dist) {
    var edges = dist.edgesMs;
    var last = edges.length - 1;
    chart(
      'chart-histogram',
      270,
      {
        scales: {
          x: { time: false, distr: 3, log: 10, range: function () { return [edges[0], edges[last]]; } },
          y: latencyScale()
        },
        axes: [
          axis({ label: 'latency (ms, log scale)', values: ticks, splits: logSplits }),
          axis({ label: 'requests', size: 56, values: ticks })
        ],
        series: [
          {
            label: 'latency',
            value: function (u, v, s, i) {
              if (i == null) return '–';
              return i < last ? num(edges[i]) + '–' + num(edges[i + 1]) + ' ms' : '≥ ' + num(edges[last]) + ' ms';
            }
          },
          line('response time', COLORS.response, { paths: stepped, fill: alpha(COLORS.response, 0.14), value: countValue }),
          line('service time', COLORS.service, { paths: stepped, dash: [5, 4], value: countValue })
        ].concat(dist.baselineCounts ? [line('baseline (scaled)', COLORS.baseline, { paths: stepped, dash: [2, 3], width: 2, value: countValue })] : []),
        legend: { live: true },
        cursor: { drag: { x: true, y: false } }
      },
      [edges, dist.responseCounts.concat([0]), dist.serviceCounts.concat([0])].concat(dist.baselineCounts ? [dist.baselineCounts.concat([0])] : [])
    );
  }

  function countValue(u, v) {
    return v == null ? '–' : num(v) + ' requests';
  }

  var spectrum = data.spectrum;
  if (spectrum && spectrum.responseMs.length > 0) {
    var xs = spectrumX(spectrum.percentiles);
    var percentileValue = function (u, v, s, i) {
      return i == null ? '–' : percentileLabel(spectrum.percentiles[i]);
    };
    // With --baseline, the earlier run's response time at the percentiles it recorded, joined across the gaps.
    var spectrumCurves = [spectrum.responseMs, spectrum.serviceMs];
    var spectrumSeries = [
      { label: 'percentile', value: percentileValue },
      line('response time', COLORS.response, { value: function (u, v) { return ms(v); } }),
      line('service time', COLORS.service, { dash: [5, 4], value: function (u, v) { return ms(v); } })
    ];
    if (spectrum.baselineMs) {
      spectrumCurves.push(spectrum.baselineMs);
      spectrumSeries.push(line('baseline (response time)', COLORS.baseline, { dash: [2, 3], width: 2, spanGaps: true, points: { show: true, size: 5 }, value: function (u, v) { return v == null ? '–' : ms(v); } }));
    }
    var overall = latencyY(spectrumCurves);
    chart(
      'chart-spectrum',
      270,
      {
        scales: { x: spectrumScale(), y: overall.scale },
        axes: [spectrumAxis(), axis({ label: overall.label, size: 56, values: ticks, splits: overall.splits })],
        series: spectrumSeries,
        cursor: { drag: { x: true, y: false } }
      },
      [xs].concat(overall.curves)
    );

    if (spectrum.requests.length > 0) {
      var byRequest = latencyY(spectrum.requests.map(function (request) { return request.responseMs; }));
      var requestSeries = [{ label: 'percentile', value: percentileValue }];
      spectrum.requests.forEach(function (request, index) {
        requestSeries.push(line(request.name, data.colors[index % data.colors.length], { value: function (u, v) { return ms(v); } }));
      });
      chart(
        'chart-requests',
        300,
        {
          scales: { x: spectrumScale(), y: byRequest.scale },
          axes: [spectrumAxis(), axis({ label: byRequest.label, size: 56, values: ticks, splits: byRequest.splits })],
          series: requestSeries,
          cursor: { drag: { x: true, y: false } }
        },
        [xs].concat(byRequest.curves)
      );
    }
  }

  // ---- 4. over time ---------------------------------------------------------------------------------

  var series = data.series;
  if (series && series.startS.length > 0) {
    var long = series.endS >= 120;
    var count = series.startS.length;
    // Each interval is a step from its start to the next one's; one more point closes the last step at the run's end.
    var endS = Math.max(series.endS, series.startS[count - 1]);
    var times = series.startS.concat([endS]);
    var closed = function (column) {
      return column.concat([column[count - 1]]);
    };
    var timeIncrements = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];
    var timeScale = function () {
      return { time: false, range: function () { return [0, endS > 0 ? endS : 1]; } };
    };
    var timeAxis = function () {
      return axis({
        incrs: timeIncrements,
        space: 64,
        size: 30,
        values: function (u, splits) {
          return splits.map(function (s) { return s == null ? '' : clock(s, long); });
        }
      });
    };
    var timeSeries = {
      label: 'interval',
      value: function (u, v, s, i) {
        if (i == null) return '–';
        var at = Math.min(i, count - 1);
        return clock(times[at], long) + '–' + clock(times[at + 1], long);
      }
    };
    // Cursors move together on the three charts; a drag zooms the one dragged.
    var sync = { key: 'loadseed-time', setSeries: false };
    var rateValue = function (unit) {
      return function (u, v) { return v == null ? '–' : num(v) + unit; };
    };
    var zeroBased = function (u, min, max) {
      return [0, max > 0 ? max * 1.08 : 1];
    };
    // The right-hand axis of the first chart, left blank on the others, so that the three plots line up.
    var blankRight = function () {
      return axis({ side: 1, size: 52, label: ' ', grid: { show: false }, ticks: { show: false }, values: function (u, s) { return s.map(function () { return ''; }); } });
    };

    // Open model: the arrival rate asked for (dashed, drawn on top: uPlot draws the first series last) and the
    // one achieved (arrivals that found a free user), beside the requests that ended per second.
    var throughputSeries = [timeSeries];
    var throughputColumns = [times];
    if (series.arrivals) {
      throughputSeries.push(line('target rate', COLORS.target, { scale: 'rps', paths: stepped, dash: [6, 4], width: 2, value: rateValue(' /s') }));
      throughputColumns.push(closed(series.arrivals.targetPerSec));
    }
    throughputSeries.push(line('requests/s', COLORS.throughput, { scale: 'rps', paths: stepped, fill: alpha(COLORS.throughput, 0.08), value: rateValue(' req/s') }));
    throughputColumns.push(closed(series.requestsPerSec));
    if (series.arrivals) {
      throughputSeries.push(line('achieved rate', COLORS.achieved, { scale: 'rps', paths: stepped, width: 1.5, value: rateValue(' /s') }));
      throughputColumns.push(closed(series.arrivals.achievedPerSec));
    }
    throughputSeries.push(line('active users', COLORS.users, { scale: 'users', paths: stepped, dash: [4, 4], width: 1.5, value: rateValue(' users') }));
    throughputColumns.push(closed(series.activeUsers));
    chart(
      'chart-throughput',
      220,
      {
        scales: { x: timeScale(), rps: { range: zeroBased }, users: { range: zeroBased } },
        axes: [
          timeAxis(),
          axis({ scale: 'rps', label: 'req/s', size: 60, values: ticks }),
          axis({ scale: 'users', label: 'users', side: 1, size: 52, grid: { show: false }, values: ticks })
        ],
        series: throughputSeries,
        cursor: { sync: sync, drag: { x: true, y: false } }
      },
      throughputColumns
    );

    var overTime = latencyY([closed(series.p50Ms), closed(series.p95Ms), closed(series.p99Ms)]);
    chart(
      'chart-latency',
      220,
      {
        scales: { x: timeScale(), y: overTime.log ? overTime.scale : { range: zeroBased } },
        axes: [timeAxis(), axis({ label: overTime.label, size: 60, values: ticks, splits: overTime.splits }), blankRight()],
        series: [
          timeSeries,
          line('p50', COLORS.p50, { paths: stepped, value: function (u, v) { return ms(v); } }),
          line('p95', COLORS.p95, { paths: stepped, value: function (u, v) { return ms(v); } }),
          line('p99', COLORS.p99, { paths: stepped, value: function (u, v) { return ms(v); } })
        ],
        cursor: { sync: sync, drag: { x: true, y: false } }
      },
      [times].concat(overTime.curves)
    );

    // Failures by kind (an error category, or an unexpected status), each its own line; one line when none failed.
    var errorSeries = [timeSeries];
    var errorColumns = [times];
    if (series.failuresByKind.length === 0) {
      errorSeries.push(line('failures/s', COLORS.failures, { paths: stepped, fill: alpha(COLORS.failures, 0.1), value: rateValue(' /s') }));
      errorColumns.push(closed(series.failuresPerSec));
    }
    series.failuresByKind.forEach(function (entry, index) {
      var color = KIND_COLORS[entry.kind] || data.colors[index % data.colors.length];
      errorSeries.push(line(entry.kind === 'status' ? 'unexpected status' : entry.kind.replace(/_/g, ' '), color, { paths: stepped, value: rateValue(' /s') }));
      errorColumns.push(closed(entry.perSec));
    });
    if (series.anyDropped) {
      errorSeries.push(line('dropped arrivals/s', COLORS.dropped, { paths: stepped, dash: [5, 4], value: rateValue(' /s') }));
      errorColumns.push(closed(series.droppedPerSec));
    }
    var anyErrors = series.anyDropped || series.failuresPerSec.some(function (v) { return v > 0; });
    chart(
      'chart-errors',
      anyErrors ? 180 : 120,
      {
        scales: { x: timeScale(), y: { range: zeroBased } },
        axes: [timeAxis(), axis({ label: 'per second', size: 60, values: ticks }), blankRight()],
        series: errorSeries,
        cursor: { sync: sync, drag: { x: true, y: false } }
      },
      errorColumns
    );

    // Server resources (`monitor`): each source's CPU (left axis; a sample is the mean over the interval that
    // ends at it, so the step comes before it) and memory (right axis, dashed) in the source's colour. Sources
    // are sampled at instants of their own: uPlot.join puts them on one time column, bridging the others'
    // instants; a failed sample (null) stays a gap.
    var monitor = data.monitor;
    if (monitor && monitor.length > 0 && typeof uPlot.join === 'function') {
      var stepBefore = uPlot.paths && uPlot.paths.stepped ? uPlot.paths.stepped({ align: -1 }) : undefined;
      var monitorSeries = [{ label: 'time', value: function (u, v) { return v == null ? '–' : clock(v, long); } }];
      var monitorTables = [];
      var monitorModes = [];
      monitor.forEach(function (source, index) {
        var color = data.colors[index % data.colors.length];
        monitorTables.push([source.offsetS, source.cpuPercent, source.memoryMb]);
        monitorModes.push([0, 2, 2]);
        monitorSeries.push(line(source.name + ' CPU', color, { scale: 'cpu', paths: stepBefore, value: rateValue('%') }));
        monitorSeries.push(line(source.name + ' memory', color, { scale: 'mb', dash: [5, 4], width: 1.5, value: rateValue(' MB') }));
      });
      chart(
        'chart-monitor',
        220,
        {
          scales: { x: timeScale(), cpu: { range: zeroBased }, mb: { range: zeroBased } },
          axes: [
            timeAxis(),
            axis({ scale: 'cpu', label: 'CPU % of one core', size: 60, values: ticks }),
            axis({ scale: 'mb', label: 'memory MB', side: 1, size: 52, grid: { show: false }, values: ticks })
          ],
          series: monitorSeries,
          cursor: { sync: sync, drag: { x: true, y: false } }
        },
        uPlot.join(monitorTables, monitorModes)
      );
    }
  }

  // ---- breaking point (loadseed find-limit) --------------------------------------------------------------

  // Each step's p50/p95/p99 (left axis) and error rate (right axis) against the rate it offered; dashed
  // vertical lines at the limit and the knee.
  var limit = data.findLimit;
  if (limit && limit.ratePerSec.length > 0) {
    var rates = limit.ratePerSec;
    var rateGap = rates.length > 1 ? (rates[rates.length - 1] - rates[0]) / (rates.length - 1) : Math.max(rates[0], 1);
    var byRate = latencyY([limit.p50Ms, limit.p95Ms, limit.p99Ms]);
    var maxErrorPercent = Math.max.apply(null, limit.errorPercent.concat([0]));
    var marks = [];
    if (limit.limitRatePerSec != null) marks.push({ x: limit.limitRatePerSec, color: COLORS.achieved, label: limit.kneeRatePerSec === limit.limitRatePerSec ? 'limit · knee' : 'limit' });
    if (limit.kneeRatePerSec != null && limit.kneeRatePerSec !== limit.limitRatePerSec) marks.push({ x: limit.kneeRatePerSec, color: COLORS.target, label: 'knee' });
    var drawMarks = function (u) {
      var ratio = window.devicePixelRatio || 1;
      var ctx = u.ctx;
      ctx.save();
      ctx.font = Math.round(11 * ratio) + 'px system-ui, sans-serif';
      ctx.lineWidth = 1.5 * ratio;
      ctx.setLineDash([5 * ratio, 4 * ratio]);
      marks.forEach(function (mark) {
        var x = Math.round(u.valToPos(mark.x, 'x', true));
        ctx.strokeStyle = mark.color;
        ctx.fillStyle = mark.color;
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.fillText(mark.label, x + 4 * ratio, u.bbox.top + 12 * ratio);
      });
      ctx.restore();
    };
    var pointed = function (extra) {
      extra.points = { show: true, size: 6 };
      return extra;
    };
    chart(
      'chart-find-limit',
      280,
      {
        scales: {
          x: { time: false, range: function () { return [rates[0] - rateGap / 2, rates[rates.length - 1] + rateGap / 2]; } },
          y: byRate.log ? byRate.scale : latencyScale(),
          errors: { range: function () { return [0, maxErrorPercent > 0 ? maxErrorPercent * 1.1 : 1]; } }
        },
        axes: [
          axis({ label: 'offered load (req/s)', values: ticks }),
          axis({ label: byRate.label, size: 60, values: ticks, splits: byRate.splits }),
          axis({ scale: 'errors', label: 'error rate %', side: 1, size: 52, grid: { show: false }, values: ticks })
        ],
        series: [
          { label: 'rate', value: function (u, v) { return v == null ? '–' : num(v) + ' req/s'; } },
          line('p50', COLORS.p50, pointed({ value: function (u, v) { return ms(v); } })),
          line('p95', COLORS.p95, pointed({ value: function (u, v) { return ms(v); } })),
          line('p99', COLORS.p99, pointed({ value: function (u, v) { return ms(v); } })),
          line('error rate', COLORS.failures, pointed({ scale: 'errors', dash: [5, 4], width: 1.5, value: function (u, v) { return v == null ? '–' : num(v) + '%'; } }))
        ],
        hooks: { draw: [drawMarks] },
        cursor: { drag: { x: true, y: false } }
      },
      [rates].concat(byRate.curves).concat([limit.errorPercent])
    );
  }

  // ---- width follows the page -----------------------------------------------------------------------

  if (typeof ResizeObserver === 'function') {
    var pending = false;
    var observer = new ResizeObserver(function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        fitWidths();
      });
    });
    charts.forEach(function (entry) {
      observer.observe(entry.element);
    });
  } else {
    window.addEventListener('resize', fitWidths);
  }
  document.documentElement.setAttribute('data-charts', String(charts.length));
})();
