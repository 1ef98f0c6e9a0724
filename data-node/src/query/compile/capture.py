#!/usr/bin/env python3
"""What InfluxDB 1.6.7 answers to SELECTs that exercise its compile-time checks.

Sends every case in CASES to a live InfluxDB 1.6.7 (GET /query?db=compile_t) and writes one
JSON object per case (JSON Lines) to influxdb-1.6.7.jsonl next to this script:

    {"query": ..., "stage": "compile" | "run", "status": <HTTP status>, "error": <text or null>}

`error` is the top-level error of a 400 (a parse error, without the "error parsing query: "
prefix) or the statement's error of a 200. `stage` says who must find that error in Cairn:
"compile" cases are answered by query/compile.rs (`validate` must return exactly `error`, or
accept the statement when there is none); "run" cases need data or field types (type errors,
unknown databases), so `validate` must accept them and the executor gives the text.
compile/tests.rs replays the file.

Regenerate (standard library only, Python 3.11), from the repository root:

    /work/shared/arena/peers.sh start   # only if nothing answers /ping
    python3 data-node/src/query/compile/capture.py [http://127.0.0.1:18086]

The script drops and recreates database compile_t and writes a few points from 30 minutes
ago (cpu: float v, integer i, string s, boolean b, tags host and region; mem: free), so that
aggregate queries with GROUP BY time() but no lower time bound produce few buckets.

Careful: InfluxDB 1.6.7 fills every bucket from the first point (or, with an offset and no
lower bound, from 1677) to now(); a valid GROUP BY time() query without a lower time bound can
exhaust its memory, as can top()/sample() with a huge N. The script refuses a case with GROUP
BY time() and no `time >` condition unless it is marked as failing before it runs (SAFE).
"""

import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

C = "compile"  # validate() must return InfluxDB's error, or accept the statement
R = "run"  # the error needs data or types: validate() must accept the statement
SAFE = "safe"  # a GROUP BY time() case without lower bound that fails before running

W = "WHERE time > now() - 1h"

CASES = [
    # ---- raw fields, time, literals
    (C, "SELECT v FROM cpu"),
    (C, "SELECT * FROM cpu"),
    (C, "SELECT *::field FROM cpu"),
    (C, "SELECT /v/ FROM cpu"),
    (C, "SELECT v, host FROM cpu"),
    (C, "SELECT v::integer, i::float FROM cpu"),
    (C, "SELECT time FROM cpu"),
    (C, 'SELECT "time" FROM cpu'),
    (C, "SELECT time, time FROM cpu"),
    (C, "SELECT time AS t FROM cpu"),
    (C, "SELECT TIME FROM cpu"),
    (C, "SELECT (time) FROM cpu"),
    (C, "SELECT time AS t, v FROM cpu"),
    (C, "SELECT time + 1 FROM cpu"),
    (C, "SELECT 1 FROM cpu"),
    (C, "SELECT 'a' FROM cpu"),
    (C, "SELECT 1 + 2 FROM cpu"),
    (C, "SELECT (1) FROM cpu"),
    (C, "SELECT 'a' + 1 FROM cpu"),
    (C, "SELECT true + 1 FROM cpu"),
    (C, "SELECT 1s + 1 FROM cpu"),
    (C, "SELECT v + (1 + 2) FROM cpu"),
    (C, "SELECT v + (5 % 2) FROM cpu"),
    (C, "SELECT v + (true + 1) FROM cpu"),
    (C, "SELECT v + ('a' + 1) FROM cpu"),
    (C, "SELECT v + 1s FROM cpu"),
    (C, "SELECT v + ('2020-01-01' + 1s) FROM cpu"),
    (C, "SELECT -v FROM cpu"),
    (C, "SELECT v * 2 + i FROM cpu"),
    (C, "SELECT * + 1 FROM cpu"),
    (C, "SELECT 1 + * FROM cpu"),
    (C, "SELECT v + /v/ FROM cpu"),
    (C, "SELECT v FROM cpu fill(none)"),
    (C, "SELECT v FROM cpu fill(linear)"),
    (C, "SELECT v FROM cpu fill(previous)"),
    (C, "SELECT v FROM cpu fill(0)"),
    (C, "SELECT v FROM cpu GROUP BY time(1m)", SAFE),
    (C, "SELECT v FROM cpu GROUP BY time(1m) fill(none)", SAFE),
    (C, "SELECT v FROM cpu GROUP BY time(0s)", SAFE),
    (C, "SELECT v FROM cpu GROUP BY time(-1s)", SAFE),
    (C, "SELECT v FROM cpu GROUP BY host"),
    (C, "SELECT v FROM cpu GROUP BY *"),
    # ---- unknown functions, plain aggregates and selectors
    (C, "SELECT foo(v) FROM cpu"),
    (C, "SELECT now() FROM cpu"),
    (C, "SELECT time(1m) FROM cpu"),
    (C, "SELECT count_hll(v) FROM cpu"),
    (C, "SELECT MEAN(v) FROM cpu"),
    (C, "SELECT count(v), sum(v), mean(v), median(v), mode(v), stddev(v), spread(v) FROM cpu"),
    (C, "SELECT first(v), last(v), min(v), max(v) FROM cpu"),
    (C, "SELECT mean() FROM cpu"),
    (C, "SELECT mean(v, 1) FROM cpu"),
    (C, "SELECT mean(1) FROM cpu"),
    (C, "SELECT mean('a') FROM cpu"),
    (C, "SELECT mean(max(v)) FROM cpu"),
    (C, "SELECT count(count(v)) FROM cpu"),
    (C, "SELECT mean(v + 1) FROM cpu"),
    (C, "SELECT mean(*) FROM cpu"),
    (C, "SELECT mean(/v/) FROM cpu"),
    (C, "SELECT mean(*) + 1 FROM cpu"),
    (C, "SELECT mean(/v/) + 1 FROM cpu"),
    (C, "SELECT max(*) FROM cpu"),
    (C, "SELECT mean(v) + max(v) FROM cpu"),
    (C, "SELECT max(v) + min(v) FROM cpu"),
    (C, "SELECT mean(v) * 2 FROM cpu"),
    (C, "SELECT mean(v) FROM cpu GROUP BY host"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(10m) fill(none)"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(10m) fill(linear)"),
    (C, "SELECT mean(v) FROM cpu fill(none)"),
    # ---- selectors with raw fields and tags
    (C, "SELECT max(v), host FROM cpu"),
    (C, "SELECT mean(v), host FROM cpu"),
    (C, "SELECT max(v), min(v), host FROM cpu"),
    (C, "SELECT max(v) + min(v), host FROM cpu"),
    (C, "SELECT max(v) + 1, host FROM cpu"),
    (C, "SELECT max(v) + v FROM cpu"),
    (C, "SELECT mean(v) + v FROM cpu"),
    (C, "SELECT first(v), host, region FROM cpu"),
    (C, "SELECT first(v), * FROM cpu"),
    (C, "SELECT *, mean(v) FROM cpu"),
    (C, "SELECT mean(*), host FROM cpu"),
    (C, "SELECT max(*), host FROM cpu"),
    (C, "SELECT max(/v/), host FROM cpu"),
    (C, "SELECT time AS t, max(v) FROM cpu"),
    # ---- percentile, sample
    (C, "SELECT percentile(v, 50) FROM cpu"),
    (C, "SELECT percentile(v, 50.5), host FROM cpu"),
    (C, "SELECT percentile(v) FROM cpu"),
    (C, "SELECT percentile(v, 'a') FROM cpu"),
    (C, "SELECT percentile(*, 50) FROM cpu"),
    (C, "SELECT percentile(mean(v), 50) FROM cpu"),
    (C, "SELECT percentile(v, 10 * 5) FROM cpu"),
    (C, "SELECT sample(v, 2) FROM cpu"),
    (C, "SELECT sample(v, 2), host FROM cpu"),
    (C, "SELECT sample(v) FROM cpu"),
    (C, "SELECT sample(v, 0) FROM cpu"),
    (C, "SELECT sample(v, -1) FROM cpu"),
    (C, "SELECT sample(v, 1.5) FROM cpu"),
    (C, "SELECT sample(1, 2) FROM cpu"),
    # ---- distinct
    (C, "SELECT distinct(v) FROM cpu"),
    (C, "SELECT DISTINCT v FROM cpu"),
    (C, "SELECT distinct() FROM cpu"),
    (C, "SELECT distinct(v, i) FROM cpu"),
    (C, "SELECT distinct(*) FROM cpu"),
    (C, "SELECT distinct(1) FROM cpu"),
    (C, "SELECT distinct(v), host FROM cpu"),
    (C, "SELECT distinct(v), mean(v) FROM cpu"),
    (C, "SELECT DISTINCT v, host FROM cpu"),
    (C, "SELECT distinct(v) + 1 FROM cpu"),
    (C, "SELECT count(distinct(v)) FROM cpu"),
    (C, "SELECT count(DISTINCT v) FROM cpu"),
    (C, "SELECT count(DISTINCT v) + 1 FROM cpu"),
    (C, "SELECT count(distinct(*)) FROM cpu"),
    (C, "SELECT count(distinct(v, i)) FROM cpu"),
    (C, "SELECT count(distinct(v)), host FROM cpu"),
    (C, "SELECT count(distinct(v)), mean(v) FROM cpu"),
    (C, "SELECT mean(distinct(v)) FROM cpu"),
    # ---- top, bottom
    (C, "SELECT top(v, 2) FROM cpu"),
    (C, "SELECT bottom(v, host, 2) FROM cpu"),
    (C, "SELECT top(v, host, region, 2) FROM cpu"),
    (C, "SELECT top(v, 2), host FROM cpu"),
    (C, "SELECT top(v, host, 2), host FROM cpu"),
    (C, "SELECT top(v, 2) + 1 FROM cpu"),
    (C, "SELECT top(v, 2), max(v) FROM cpu"),
    (C, "SELECT max(v), top(v, 2) FROM cpu"),
    (C, "SELECT bottom(v, 1), top(v, 1) FROM cpu"),
    (C, "SELECT top(v, 1), top(i, 1) FROM cpu"),
    (C, "SELECT top(v, 5) FROM cpu LIMIT 2"),
    (C, "SELECT top(v, 2) FROM cpu LIMIT 2"),
    (C, "SELECT top(v, 0) FROM cpu"),
    (C, "SELECT bottom(v, -1) FROM cpu"),
    (C, "SELECT top(v, 2.5) FROM cpu"),
    (C, "SELECT top(v, 'a') FROM cpu"),
    (C, "SELECT top(v) FROM cpu"),
    (C, "SELECT top() FROM cpu"),
    (C, "SELECT top(mean(v), 2) FROM cpu"),
    (C, "SELECT top(*, 2) FROM cpu"),
    (C, "SELECT top(/v/, 2) FROM cpu"),
    (C, "SELECT top(v, 'a', 2) FROM cpu"),
    (C, "SELECT top(v, mean(v), 2) FROM cpu"),
    (C, "SELECT top(v, 1 + 1) FROM cpu"),
    (C, "SELECT top(v, abs(-2)) FROM cpu"),
    (C, "SELECT top(v, sqrt(4)) FROM cpu"),
    (C, "SELECT top(v, abs('a')) FROM cpu"),
    (C, "SELECT top(v, 1.23456) FROM cpu"),
    (C, f"SELECT top(v, host, 2) FROM cpu {W} GROUP BY time(10m)"),
    # ---- derivative, elapsed, difference, cumulative_sum, moving_average
    (C, "SELECT derivative(v) FROM cpu"),
    (C, "SELECT derivative(v, 1s) FROM cpu"),
    (C, "SELECT non_negative_derivative(v, 1m) FROM cpu"),
    (C, "SELECT derivative(v, 1s * 2) FROM cpu"),
    (C, "SELECT derivative(mean(v), 1s) FROM cpu"),
    (C, f"SELECT derivative(mean(v), 1s) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT derivative(v) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT derivative(distinct(v)) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT derivative(DISTINCT v) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT derivative(mean(v)), mean(v) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT derivative(max(v)), host FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT derivative(mean(v) + 1) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT derivative(foo(v)) FROM cpu {W} GROUP BY time(10m)"),
    (C, "SELECT derivative(v, 0s) FROM cpu"),
    (C, "SELECT derivative(v, -1s) FROM cpu"),
    (C, "SELECT derivative(v, 1s - 2s) FROM cpu"),
    (C, "SELECT derivative(v, 1) FROM cpu"),
    (C, "SELECT derivative(v, 'a') FROM cpu"),
    (C, "SELECT derivative(v, 1.5) FROM cpu"),
    (C, "SELECT derivative(v, host) FROM cpu"),
    (C, "SELECT derivative(v, abs('a')) FROM cpu"),
    (C, "SELECT derivative(v, 1s, 2) FROM cpu"),
    (C, "SELECT derivative() FROM cpu"),
    (C, "SELECT derivative(1) FROM cpu"),
    (C, "SELECT derivative(*) FROM cpu"),
    (C, "SELECT derivative(/v/) FROM cpu"),
    (C, "SELECT derivative(*) + 1 FROM cpu"),
    (C, "SELECT derivative(v) + 1 FROM cpu"),
    (C, "SELECT derivative(v), host FROM cpu"),
    (C, "SELECT elapsed(v) FROM cpu"),
    (C, "SELECT elapsed(v, 1ms) FROM cpu"),
    (C, "SELECT elapsed(v, 1) FROM cpu"),
    (C, "SELECT elapsed(v, 0s) FROM cpu"),
    (C, "SELECT elapsed(v, 1s, 2) FROM cpu"),
    (C, "SELECT elapsed(mean(v)) FROM cpu"),
    (C, f"SELECT elapsed(v) FROM cpu {W} GROUP BY time(10m)"),
    (C, "SELECT difference(v) FROM cpu"),
    (C, "SELECT difference(v, 1) FROM cpu"),
    (C, "SELECT non_negative_difference(mean(v)) FROM cpu"),
    (C, f"SELECT non_negative_difference(mean(v)) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT difference(v) FROM cpu {W} GROUP BY time(10m)"),
    (C, "SELECT cumulative_sum(v) FROM cpu"),
    (C, "SELECT cumulative_sum(v, 1) FROM cpu"),
    (C, "SELECT cumulative_sum(mean(v)) FROM cpu"),
    (C, f"SELECT cumulative_sum(v) FROM cpu {W} GROUP BY time(10m)"),
    (C, "SELECT moving_average(v, 2) FROM cpu"),
    (C, "SELECT moving_average(v, 1) FROM cpu"),
    (C, "SELECT moving_average(v, 2.0) FROM cpu"),
    (C, "SELECT moving_average(v, '2') FROM cpu"),
    (C, "SELECT moving_average(v) FROM cpu"),
    (C, "SELECT moving_average(mean(v), 2) FROM cpu"),
    (C, f"SELECT moving_average(mean(v), 2) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT moving_average(v, 2) FROM cpu {W} GROUP BY time(10m)"),
    # ---- technical analysis
    (C, "SELECT exponential_moving_average(v, 2) FROM cpu"),
    (C, "SELECT exponential_moving_average(v, 2, -1, 'simple') FROM cpu"),
    (C, "SELECT exponential_moving_average(v) FROM cpu"),
    (C, "SELECT exponential_moving_average(v, 0) FROM cpu"),
    (C, "SELECT exponential_moving_average(v, 1.5) FROM cpu"),
    (C, "SELECT exponential_moving_average(v, 2, -2) FROM cpu"),
    (C, "SELECT exponential_moving_average(v, 2, 1.5) FROM cpu"),
    (C, "SELECT exponential_moving_average(v, 2, 1, 'foo') FROM cpu"),
    (C, "SELECT exponential_moving_average(v, 2, 1, 'none') FROM cpu"),
    (C, "SELECT exponential_moving_average(v, 2, 1, 1) FROM cpu"),
    (C, "SELECT exponential_moving_average(v, 2, 1, 'simple', 1) FROM cpu"),
    (C, "SELECT exponential_moving_average(mean(v), 2) FROM cpu"),
    (C, f"SELECT exponential_moving_average(v, 2) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT exponential_moving_average(mean(v), 2) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT exponential_moving_average(distinct(v), 2) FROM cpu {W} GROUP BY time(10m)"),
    (C, "SELECT double_exponential_moving_average(v, 2), host FROM cpu"),
    (C, "SELECT triple_exponential_moving_average(v, 2, 0) FROM cpu"),
    (C, "SELECT relative_strength_index(v, 2, 1.5) FROM cpu"),
    (C, "SELECT triple_exponential_derivative(v, 2, 0) FROM cpu"),
    (C, "SELECT triple_exponential_derivative(v, 2, -1) FROM cpu"),
    (C, "SELECT kaufmans_efficiency_ratio(v, 2) FROM cpu"),
    (C, "SELECT kaufmans_efficiency_ratio(v) FROM cpu"),
    (C, "SELECT kaufmans_efficiency_ratio(v, 2, 1, 1) FROM cpu"),
    (C, "SELECT kaufmans_adaptive_moving_average(v, 0) FROM cpu"),
    (C, "SELECT kaufmans_adaptive_moving_average(v, 2, -3) FROM cpu"),
    (C, "SELECT kaufmans_adaptive_moving_average(v, 2, 'a') FROM cpu"),
    (C, "SELECT chande_momentum_oscillator(v, 2, 1, 'none') FROM cpu"),
    (C, "SELECT chande_momentum_oscillator(v, 2, 1, 1) FROM cpu"),
    (C, "SELECT chande_momentum_oscillator(v, 2, 1, 'foo') FROM cpu"),
    (C, "SELECT chande_momentum_oscillator(v, 'a') FROM cpu"),
    # ---- holt_winters, integral
    (C, f"SELECT holt_winters(mean(v), 1, 1) FROM cpu {W} GROUP BY time(10m)"),
    (C, f"SELECT holt_winters_with_fit(max(v), 2, 0) FROM cpu {W} GROUP BY time(10m)"),
    (C, "SELECT holt_winters(v, 1, 1) FROM cpu"),
    (C, "SELECT holt_winters_with_fit(v, 1, 1) FROM cpu"),
    (C, "SELECT holt_winters(mean(v), 1, 1) FROM cpu"),
    (C, "SELECT holt_winters(mean(v), 0, 1) FROM cpu"),
    (C, "SELECT holt_winters(mean(v), 1, -1) FROM cpu"),
    (C, "SELECT holt_winters(mean(v), 1.5, 1) FROM cpu"),
    (C, "SELECT holt_winters(mean(v), 1, 1.5) FROM cpu"),
    (C, "SELECT holt_winters(mean(v), 1) FROM cpu"),
    (C, f"SELECT holt_winters(foo(v), 1, 1) FROM cpu {W} GROUP BY time(10m)"),
    (C, "SELECT integral(v) FROM cpu"),
    (C, "SELECT integral(v, 1m) FROM cpu"),
    (C, f"SELECT integral(v) FROM cpu {W} GROUP BY time(10m)"),
    (C, "SELECT integral(v, 0s) FROM cpu"),
    (C, "SELECT integral(v, 'a') FROM cpu"),
    (C, "SELECT integral(v, 1s, 2) FROM cpu"),
    (C, "SELECT integral(mean(v)) FROM cpu"),
    (C, "SELECT integral(v), host FROM cpu"),
    (C, "SELECT integral(*) FROM cpu"),
    # ---- math functions
    (C, "SELECT abs(v) FROM cpu"),
    (C, "SELECT sin(v), cos(v), tan(v), asin(v), acos(v), atan(v), exp(v), ln(v), log2(v), log10(v), sqrt(v), floor(v), ceil(v), round(v) FROM cpu"),
    (C, "SELECT atan2(v, 1), pow(v, 2), log(v, 2) FROM cpu"),
    (C, "SELECT abs(*) FROM cpu"),
    (C, "SELECT abs(/v/) FROM cpu"),
    (C, "SELECT abs(-1) FROM cpu"),
    (C, "SELECT abs('a') FROM cpu"),
    (C, "SELECT abs(true) FROM cpu"),
    (C, "SELECT pow(2, 3) FROM cpu"),
    (C, "SELECT abs(1, 2) FROM cpu"),
    (C, "SELECT log(v) FROM cpu"),
    (C, "SELECT log(1) FROM cpu"),
    (C, "SELECT pow(v) FROM cpu"),
    (C, "SELECT sqrt(v, 2) FROM cpu"),
    (C, "SELECT v + abs(-1) FROM cpu"),
    (C, "SELECT v + abs(v, 1) FROM cpu"),
    (C, "SELECT abs(v + 1) FROM cpu"),
    (C, "SELECT abs(* + 1) FROM cpu"),
    (C, "SELECT abs(mean(v)) FROM cpu"),
    (C, "SELECT abs(mean(v)), host FROM cpu"),
    (C, "SELECT abs(max(v)), host FROM cpu"),
    (C, "SELECT abs(foo(v)) FROM cpu"),
    (C, "SELECT abs(v) FROM cpu GROUP BY time(1m)", SAFE),
    (C, "SELECT abs(v) FROM cpu fill(none)"),
    # ---- GROUP BY
    (C, "SELECT mean(v) FROM cpu GROUP BY time", SAFE),
    (C, 'SELECT mean(v) FROM cpu GROUP BY "time"', SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY TIME", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY mean(v)"),
    (C, "SELECT mean(v) FROM cpu GROUP BY time()", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY time(1s, 2s, 3s)", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY time(1)", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY time('a')", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY time(v)", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY time(1s), time(2s)", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY time(10m, now(1))", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY time(10m, mean(v))", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY time(10m, 1)", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY time(10m, 'abc')", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY time(10m, now() - 1h)", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY time(10m, '2020-13-01T00:00:00Z')", SAFE),
    (C, "SELECT mean(v) FROM cpu GROUP BY 1"),
    (C, "SELECT mean(v) FROM cpu GROUP BY 'host'"),
    (C, "SELECT mean(v) FROM cpu GROUP BY host + 1"),
    (C, "SELECT mean(v) FROM cpu GROUP BY (host)"),
    (C, "SELECT mean(v) FROM cpu GROUP BY /h/, *"),
    (C, "SELECT mean(v) FROM cpu GROUP BY host::tag"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(5m + 5m)"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(10m, now())"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(10m, 1m)"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(10m, -5m)"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(10m, 1m), host"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(10m, '2020-01-01T00:00:05Z')"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(10m, '2020-01-01T00:00:05Z' + 0s)"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(-10m, '2020-01-01T00:00:05Z')"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(-10m, 1m)"),
    (C, f"SELECT mean(v) FROM cpu {W} GROUP BY time(0s, '2020-01-01T00:00:05Z')"),
    (C, "SELECT mean(v) FROM compile_t.autogen.cpu WHERE time > now() - 1h GROUP BY time(0s, 1m)"),
    (C, "SELECT v FROM compile_t.autogen.cpu WHERE time > now() - 1h GROUP BY time(0s, 1m)"),
    (C, "SELECT foo(v) FROM cpu GROUP BY bar(v)"),
    # ---- WHERE
    (C, "SELECT v FROM cpu WHERE v > 1 AND host =~ /a/"),
    (C, "SELECT v FROM cpu WHERE mean(v) > 1"),
    (C, "SELECT v FROM cpu WHERE (mean(v) > 1)"),
    (C, "SELECT v FROM cpu WHERE host = 'a' AND (mean(v) > 1)"),
    (C, "SELECT v FROM cpu WHERE host = 'a' AND mean(v) > 1"),
    (C, "SELECT v FROM cpu WHERE foo(v) > 0"),
    (C, "SELECT v FROM cpu WHERE abs(v) > 2"),
    (C, "SELECT v FROM cpu WHERE abs(mean(v)) > 2"),
    (C, "SELECT v FROM cpu WHERE abs(v, 1) > 0"),
    (C, "SELECT v FROM cpu WHERE (abs(v, 1) > 0)"),
    (C, "SELECT v FROM cpu WHERE log(v, 2) > 1"),
    (C, "SELECT v FROM cpu WHERE pow(v) > 0"),
    (C, "SELECT v FROM cpu WHERE now() > 0"),
    (C, "SELECT v FROM cpu WHERE time > now() - 1h AND time < now()"),
    (C, "SELECT v FROM cpu WHERE time = 'abc'"),
    (C, "SELECT v FROM cpu WHERE time != 0"),
    (C, "SELECT foo(v) FROM cpu WHERE time = 'abc'"),
    (C, "SELECT foo(v) FROM cpu WHERE mean(v) > 1"),
    (C, "SELECT mean(v) FROM cpu WHERE mean(v) > 1 GROUP BY time"),
    # ---- subqueries
    (C, "SELECT mean(v) FROM (SELECT v FROM cpu)"),
    (C, "SELECT mean(v) FROM (SELECT v FROM cpu ORDER BY time DESC)"),
    (C, "SELECT v FROM (SELECT v FROM cpu ORDER BY time DESC) ORDER BY time DESC"),
    (C, "SELECT v FROM (SELECT v FROM cpu ORDER BY time ASC)"),
    (C, "SELECT v FROM (SELECT v FROM cpu) ORDER BY time DESC"),
    (C, "SELECT v FROM (SELECT v FROM cpu ORDER BY time ASC) ORDER BY time DESC"),
    (C, "SELECT max(m) FROM (SELECT mean(v) AS m FROM cpu GROUP BY time(10m))", SAFE),
    (C, f"SELECT max(m) FROM (SELECT mean(v) AS m FROM cpu {W} GROUP BY time(10m))"),
    (C, "SELECT max(m) FROM (SELECT mean(v) AS m, host FROM cpu)"),
    (C, "SELECT mean(v) FROM (SELECT v FROM cpu GROUP BY time(1m))", SAFE),
    (C, "SELECT mean(v) FROM (SELECT v FROM cpu GROUP BY time(1m) fill(previous))", SAFE),
    (C, "SELECT mean(v) FROM (SELECT v FROM cpu GROUP BY time(1m) fill(linear))", SAFE),
    (C, "SELECT mean(d) FROM cpu, (SELECT derivative(v) AS d FROM cpu)"),
    (C, f"SELECT mean(d) FROM (SELECT derivative(v) AS d FROM cpu) {W} GROUP BY time(10m)"),
    (C, f"SELECT mean(d) FROM (SELECT derivative(mean(v)) AS d FROM cpu) {W} GROUP BY time(10m)"),
    (C, "SELECT mean(d) FROM (SELECT derivative(mean(v)) AS d FROM cpu)"),
    (C, f"SELECT mean(v) FROM (SELECT v FROM cpu) {W} GROUP BY time(10m)"),
    (C, f"SELECT v FROM (SELECT v FROM cpu {W} GROUP BY time(10m))"),
    (C, f"SELECT v FROM (SELECT v FROM cpu {W} GROUP BY time(10m) fill(previous))"),
    (C, f"SELECT max(m) FROM (SELECT mean(v) AS m FROM cpu {W} GROUP BY time(10m, '2020-01-01T00:00:05Z'))"),
    (C, "SELECT v FROM (SELECT v FROM cpu WHERE mean(v) > 1)"),
    (C, "SELECT v FROM (SELECT v FROM cpu WHERE time = 'abc')"),
    (C, "SELECT v FROM (SELECT v FROM cpu GROUP BY time)", SAFE),
    (C, "SELECT v FROM (SELECT time FROM cpu)"),
    (C, "SELECT foo(v) FROM (SELECT bar(v) FROM cpu)"),
    (C, "SELECT v FROM (SELECT v FROM (SELECT x(v) FROM cpu))"),
    (C, "SELECT v FROM cpu, (SELECT foo(v) FROM cpu)"),
    (C, "SELECT v FROM (SELECT v FROM cpu fill(none))"),
    (C, "SELECT top(v, 1) FROM (SELECT v FROM cpu)"),
    (C, "SELECT v FROM (SELECT top(v, host, 2) FROM cpu)"),
    # ---- SELECT INTO
    (C, "SELECT v INTO into_raw FROM cpu"),
    (C, "SELECT * INTO into_all FROM cpu GROUP BY *"),
    (C, f"SELECT mean(v) INTO into_mean FROM cpu {W} GROUP BY time(10m)"),
    (C, "SELECT top(v, host, 2) INTO into_top FROM cpu"),
    (C, "SELECT max(v), host INTO into_max FROM cpu"),
    (C, "SELECT foo(v) INTO into_err FROM cpu"),
    (C, "SELECT mean(v), host INTO into_err FROM cpu"),
    (C, "SELECT v INTO into_err FROM cpu fill(none)"),
    (R, "SELECT v INTO nodb.autogen.into_err FROM cpu"),
    (R, "SELECT v INTO compile_t.norp.into_err FROM cpu"),
    # ---- errors found when the query runs: field types, databases
    (R, "SELECT mean(s) FROM cpu"),
    (R, "SELECT mean(b) FROM cpu"),
    (R, "SELECT sum(s) FROM cpu"),
    (R, "SELECT median(b) FROM cpu"),
    (R, "SELECT stddev(s) FROM cpu"),
    (R, "SELECT spread(b) FROM cpu"),
    (R, "SELECT integral(s) FROM cpu"),
    (R, "SELECT percentile(s, 50) FROM cpu"),
    (R, "SELECT max(s) FROM cpu"),
    (R, "SELECT min(s) FROM cpu"),
    (R, "SELECT top(s, 1) FROM cpu"),
    (R, "SELECT bottom(b, 1) FROM cpu"),
    (R, "SELECT derivative(s) FROM cpu"),
    (R, "SELECT non_negative_derivative(b) FROM cpu"),
    (R, "SELECT difference(s) FROM cpu"),
    (R, "SELECT non_negative_difference(b) FROM cpu"),
    (R, "SELECT cumulative_sum(s) FROM cpu"),
    (R, "SELECT moving_average(b, 2) FROM cpu"),
    (R, "SELECT exponential_moving_average(s, 2) FROM cpu"),
    (R, "SELECT double_exponential_moving_average(b, 2) FROM cpu"),
    (R, "SELECT triple_exponential_moving_average(s, 2) FROM cpu"),
    (R, "SELECT relative_strength_index(s, 2) FROM cpu"),
    (R, "SELECT triple_exponential_derivative(b, 2) FROM cpu"),
    (R, "SELECT kaufmans_efficiency_ratio(s, 2) FROM cpu"),
    (R, "SELECT kaufmans_adaptive_moving_average(b, 2) FROM cpu"),
    (R, "SELECT chande_momentum_oscillator(s, 2) FROM cpu"),
    (R, f"SELECT derivative(first(s)) FROM cpu {W} GROUP BY time(10m)"),
    (R, f"SELECT holt_winters(first(s), 1, 0) FROM cpu {W} GROUP BY time(10m)"),
    (R, f"SELECT holt_winters(mean(s), 1, 0) FROM cpu {W} GROUP BY time(10m)"),
    (R, "SELECT v + s FROM cpu"),
    (R, "SELECT v + b FROM cpu"),
    (R, "SELECT s + 'a' FROM cpu"),
    (R, "SELECT b + 1 FROM cpu"),
    (R, "SELECT -s FROM cpu"),
    (R, "SELECT v + host FROM cpu"),
    (R, "SELECT v & 1 FROM cpu"),
    (R, "SELECT v + 'a' FROM cpu"),
    (R, "SELECT v + true FROM cpu"),
    (R, "SELECT v + (1 + abs('a')) FROM cpu"),
    (R, "SELECT mean(v) + last(s) FROM cpu"),
    (R, "SELECT elapsed(s), count(s), mode(b), first(b), last(s), min(b), max(b) FROM cpu"),
    (R, "SELECT distinct(s) FROM cpu"),
    (R, "SELECT abs(s), pow(b, 2) FROM cpu"),
    (R, "SELECT mean(host) FROM cpu"),
    (R, "SELECT v FROM nodb..cpu"),
    (R, "SELECT v FROM compile_t.norp.cpu"),
    (R, "SELECT mean(v) FROM nosuch"),
]


def setup(base):
    post = lambda q: urllib.request.urlopen(  # noqa: E731
        urllib.request.Request(base + "/query", data=urllib.parse.urlencode({"q": q}).encode())
    ).read()
    post("DROP DATABASE compile_t")
    post("CREATE DATABASE compile_t")
    t = (int(time.time()) // 60) * 60 - 1800
    lines = [
        f'cpu,host=a,region=west v=1,i=2i,s="x",b=true {t}',
        f'cpu,host=b,region=east v=3,i=4i,s="y",b=false {t + 5}',
        f'cpu,host=a,region=west v=5,i=6i,s="z",b=true {t + 65}',
        f"mem,host=a free=10 {t + 1}",
    ]
    req = urllib.request.Request(
        base + "/write?db=compile_t&precision=s", data="\n".join(lines).encode(), method="POST"
    )
    urllib.request.urlopen(req).read()


def unbounded_group_by_time(q):
    return re.search(r"group by[^)]*\btime\s*\(", q, re.I) and not re.search(r"\btime\s*>", q, re.I)


def observe(base, stage, q):
    url = base + "/query?" + urllib.parse.urlencode({"db": "compile_t", "q": q})
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            status, body = r.status, json.load(r)
    except urllib.error.HTTPError as e:
        status, body = e.code, json.load(e)
    error = body.get("error")
    if error is not None:
        error = error.removeprefix("error parsing query: ")
    else:
        error = body["results"][0].get("error")
    return {"query": q, "stage": stage, "status": status, "error": error}


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18086"
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "influxdb-1.6.7.jsonl")
    seen = set()
    for stage, q, *flags in CASES:
        assert q not in seen, f"duplicate case: {q}"
        seen.add(q)
        if unbounded_group_by_time(q) and SAFE not in flags:
            sys.exit(f"refusing a GROUP BY time() case without lower time bound: {q}")
    setup(base)
    with open(out, "w") as f:
        for stage, q, *_ in CASES:
            f.write(json.dumps(observe(base, stage, q)) + "\n")
    print(f"{len(CASES)} cases written to {out}")


if __name__ == "__main__":
    main()
