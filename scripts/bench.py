#!/usr/bin/env python3
"""Benchmarks for taskwatch against its own simulator (`taskwatch serve`), on loopback only.

    python3 scripts/bench.py                 # every measurement (about 13 minutes)
    python3 scripts/bench.py status polite   # some of them
    TASKWATCH_BENCH_BIN=/path/to/taskwatch python3 scripts/bench.py many   # another build

Measurements: ls (500 listed tasks probed concurrently), allidle (watch --all over 500 idle
tracked profiles for 2 minutes, scaled to an hour), scheduled (pick-up latency of runs that
start when due, 500 profiles, about 4 minutes), forced (pick-up latency and lines missed of runs
started by hand outside the schedule, 500 profiles, up to 13 minutes), status (one look vs curl), many (500 tasks at 1 s, 60 s), many2000 (2,000 tasks
at 5 s, 60 s), memory (one task of 1,000,000 lines), polite (bytes with --logs-count auto vs 100
vs the Python loop), fresh (delay from a line's appearance to its printing), catchup (lines
missed by a task writing 80 lines/s, with and without catch-up polls), size (binary size),
archive (the 500-task run with and without --archive), archivelogs (a 1,000,000-line run
recorded, read back with `logs -o plain`, and the database's size), history (`history` over
10,000 recorded runs).
Each prints a table row; results are written down in BENCHMARKS.md.

Linux only (reads /proc). The Python comparison needs `requests` (pip install requests).
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import http.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# TASKWATCH_BENCH_BIN measures another build (an earlier commit's, say) instead of building this
# checkout's binary for distribution (the `dist` profile: whole-program LTO, as the figures in
# BENCHMARKS.md before 2026-11-30 were made with, then under the name `release`).
BIN = os.environ.get("TASKWATCH_BENCH_BIN") or os.path.join(ROOT, "target", "dist", "taskwatch")
TICK = os.sysconf("SC_CLK_TCK")
ROWS = []


def row(name, measured, target, ok, note=""):
    ROWS.append((name, measured, target, "yes" if ok else "NO", note))
    print(f"{name:<34} {measured:<40} {target:<26} {'yes' if ok else 'NO'}  {note}", flush=True)


def serve(*args):
    proc = subprocess.Popen(
        [BIN, "serve", "--port", "0", "--seed", "1", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = proc.stdout.readline().strip()
    return proc, url


_CONNECTIONS = {}


def trigger(url, task):
    """Starts a task over one kept-alive connection per server (thousands of short-lived
    connections would leave as many sockets in TIME_WAIT to disturb the measurements)."""
    host = url.split("://", 1)[1]
    conn = _CONNECTIONS.get(host)
    if conn is None:
        conn = _CONNECTIONS[host] = http.client.HTTPConnection(host)
    conn.request("POST", f"/codvid-ai/ig-tracking/force_scrape_profile_tracking_task/{task}")
    conn.getresponse().read()


def done_triggering(url):
    """Closes the trigger connection, so that it is not counted as one of taskwatch's."""
    conn = _CONNECTIONS.pop(url.split("://", 1)[1], None)
    if conn is not None:
        conn.close()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def connections_to(port):
    """Established TCP connections whose remote port is `port` (client side)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    remote, state = parts[2], parts[3]
                    if state == "01" and int(remote.rsplit(":", 1)[1], 16) == port:
                        count += 1
        except FileNotFoundError:
            pass
    return count


class Sampler(threading.Thread):
    """Samples a process's peak RSS and the connections to the server while it runs."""

    def __init__(self, pid, port):
        super().__init__(daemon=True)
        self.pid, self.port = pid, port
        self.peak_kib, self.max_conns, self.done = 0, 0, False

    def run(self):
        ticks = 0
        while not self.done:
            try:
                self.peak_kib = max(self.peak_kib, peak_rss_kib(self.pid))
                # Scanning the socket table is costly for the kernel: once a second is enough.
                if ticks % 5 == 0:
                    self.max_conns = max(self.max_conns, connections_to(self.port))
            except (FileNotFoundError, ProcessLookupError):
                break
            ticks += 1
            time.sleep(0.2)


def check_exactly_once(stdout_text, expected_tasks, lines_per_task):
    """Every task's log indices are 0..n-1 with no gap, and each end record says finished."""
    seen = {}
    ends = {}
    for line in stdout_text.splitlines():
        r = json.loads(line)
        if r["type"] == "log":
            seen.setdefault(r["task_id"], []).append(r["index"])
        elif r["type"] == "end":
            ends[r["task_id"]] = r
        elif r["type"] in ("gap", "restart"):
            return False, f"{r['type']} in {r['task_id']}"
    if len(ends) != expected_tasks:
        return False, f"{len(ends)} tasks ended"
    for task, indices in seen.items():
        if indices != list(range(lines_per_task)):
            return False, f"{task}: {len(indices)} lines, not 0..{lines_per_task - 1}"
        if ends[task]["outcome"] != "finished":
            return False, f"{task}: {ends[task]['outcome']}"
    if len(seen) != expected_tasks:
        return False, f"{len(seen)} tasks printed lines"
    return True, ""


def bench_status(runs=40):
    proc, url = serve("--task", "t1", "--duration", "10m")
    try:
        time.sleep(0.5)
        path = "/codvid-ai/ig-tracking/profile_tracking_task_status/{task_id}"
        tw = [BIN, "status", "--base-url", url, "--api-path", path, "t1"]
        curl = ["curl", "-s", url + path.replace("{task_id}", "t1") + "?logs_count=10"]
        a, b = [], []
        for _ in range(runs):
            for cmd, acc in ((tw, a), (curl, b)):
                t = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
                acc.append(time.perf_counter() - t)
        ma, mb = statistics.median(a) * 1e3, statistics.median(b) * 1e3
        row(
            "status vs curl (median wall)",
            f"{ma:.2f} ms vs {mb:.2f} ms = {ma / mb:.2f}x",
            "<= 1.3x curl",
            ma / mb <= 1.3,
            f"{runs} alternating runs each",
        )
    finally:
        proc.kill()


def watch_many(tasks, interval, seconds, name, extra=()):
    """One run: returns (cpu seconds, wall seconds, peak RSS KiB, max connections, ok, why)."""
    rate = 2.0 / interval  # two lines per poll interval
    lines = int(rate * seconds)
    proc, url = serve("--scenario", "steady", "--lines", str(lines), "--rate", str(rate))
    port = int(url.rsplit(":", 1)[1])
    ids = [f"{name}-{i}" for i in range(tasks)]
    try:
        for task in ids:
            trigger(url, task)
        done_triggering(url)
        started = time.time()
        out_path = f"/tmp/taskwatch-bench-{name}.ndjson"
        with open(out_path, "w") as out:
            watcher = subprocess.Popen(
                [BIN, "watch", "--base-url", url, "-i", f"{interval}s", "-o", "json", "-q", *extra, *ids],
                stdout=out,
            )
            sampler = Sampler(watcher.pid, port)
            sampler.start()
            cpu = 0.0
            while watcher.poll() is None:
                try:
                    cpu = cpu_seconds(watcher.pid)
                except FileNotFoundError:
                    break
                time.sleep(0.2)
            sampler.done = True
        wall = time.time() - started
        with open(out_path) as f:
            ok, why = check_exactly_once(f.read(), tasks, lines)
        os.remove(out_path)
        return cpu, wall, sampler.peak_kib, sampler.max_conns, ok, why, tasks * lines
    finally:
        proc.kill()


def bench_many(tasks, interval, seconds, name, runs=3):
    """CPU share is the median of `runs` runs (the machine's other work makes single runs
    noisy); memory and connections are the worst run; every run must be exactly once."""
    results = [watch_many(tasks, interval, seconds, f"{name}-{r}") for r in range(runs)]
    shares = sorted(cpu / wall * 100 for cpu, wall, *_ in results)
    share = statistics.median(shares)
    mib = max(r[2] for r in results) / 1024
    conns = max(r[3] for r in results)
    failures = [r[5] for r in results if not r[4]]
    row(
        f"{tasks} tasks at {interval:g}s: CPU",
        f"{share:.2f}% of a core (median; runs {', '.join(f'{x:.2f}' for x in shares)})",
        "< 5% of one core",
        share < 5,
    )
    row(f"{tasks} tasks at {interval:g}s: peak RSS", f"{mib:.1f} MiB", "< 40 MiB", mib < 40)
    row(
        f"{tasks} tasks at {interval:g}s: exactly once",
        f"{results[0][6]} lines a run, {'all once' if not failures else failures[0]}",
        "every line once",
        not failures,
        f"{conns} connections at most",
    )


def bench_python_many(tasks, interval, seconds):
    """The Python loop, one process per task: total CPU and memory of all of them."""
    try:
        import requests  # noqa: F401
    except ImportError:
        row(f"python loop, {tasks} tasks", "skipped: pip install requests", "", True)
        return
    rate = 2.0 / interval
    lines = int(rate * seconds)
    proc, url = serve("--scenario", "steady", "--lines", str(lines), "--rate", str(rate))
    try:
        ids = [f"py-{i}" for i in range(tasks)]
        for task in ids:
            trigger(url, task)
        started = time.time()
        procs = [
            subprocess.Popen(
                [sys.executable, os.path.join(ROOT, "scripts", "poll.py"), url, t, str(interval)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for t in ids
        ]
        cpu, rss = {}, {}
        while any(p.poll() is None for p in procs):
            for p in procs:
                try:
                    cpu[p.pid] = cpu_seconds(p.pid)
                    rss[p.pid] = max(rss.get(p.pid, 0), peak_rss_kib(p.pid))
                except (FileNotFoundError, ProcessLookupError):
                    pass
            time.sleep(0.5)
        wall = time.time() - started
        total_cpu = sum(cpu.values())
        row(
            f"python loop, {tasks} tasks at {interval:g}s",
            f"{total_cpu / wall * 100:.1f}% of a core, {sum(rss.values()) / 1024:.0f} MiB",
            "(comparison)",
            True,
            f"{tasks} processes",
        )
    finally:
        proc.kill()


def bench_memory(lines=1_000_000, rate=20_000.0):
    proc, url = serve("--scenario", "steady", "--lines", str(lines), "--rate", str(rate))
    try:
        trigger(url, "big")
        watcher = subprocess.Popen(
            [BIN, "watch", "--base-url", url, "-i", "100ms", "-o", "json", "-q", "big"],
            stdout=subprocess.PIPE,
            text=True,
        )
        at_10k, last_peak, last_index, gaps = None, 0, 0, 0
        for line in watcher.stdout:
            r = json.loads(line)
            if r["type"] == "log":
                last_index = r["index"]
                if at_10k is None and last_index >= 10_000:
                    at_10k = peak_rss_kib(watcher.pid)
            elif r["type"] == "gap":
                gaps += r["missed"] or 0
            try:
                # The high-water mark only grows; an exiting process reports none.
                last_peak = max(last_peak, peak_rss_kib(watcher.pid))
            except FileNotFoundError:
                pass
        watcher.wait()
        grew = (last_peak - (at_10k or 0)) / 1024
        row(
            "1,000,000-line task: peak RSS",
            f"{(at_10k or 0) / 1024:.1f} MiB at 10k lines, {last_peak / 1024:.1f} MiB at the end",
            "within 2 MiB",
            grew <= 2,
            f"last index {last_index}; {gaps} lines passed between polls at {rate:g}/s",
        )
    finally:
        proc.kill()


def run_bytes(cmd):
    """Runs taskwatch with -v and sums the bytes of the answers it received."""
    p = subprocess.run(cmd, capture_output=True, text=True)
    total = 0
    for line in p.stderr.splitlines():
        if "→ 200 (" in line:
            total += int(line.split("→ 200 (")[1].split(" bytes")[0])
    return total, p.stdout


def bench_polite(seconds=120, rate=3.0):
    lines = int(seconds * rate)
    proc, url = serve("--scenario", "steady", "--lines", str(lines), "--rate", str(rate))
    try:
        trigger(url, "polite")
        results = {}

        def go(key, n):
            results[key] = run_bytes(
                [BIN, "watch", "--base-url", url, "-i", "2s", "-n", n, "-v", "-o", "json", "polite"]
            )

        threads = [threading.Thread(target=go, args=(k, k)) for k in ("auto", "100")]
        for t in threads:
            t.start()
        py_bytes = None
        try:
            import requests  # noqa: F401

            p = subprocess.run(
                [sys.executable, os.path.join(ROOT, "scripts", "poll.py"), url, "polite", "2"],
                capture_output=True,
                text=True,
            )
            py_bytes = int(p.stderr.split("bytes")[-1])
        except ImportError:
            pass
        for t in threads:
            t.join()
        (auto_b, auto_out), (full_b, full_out) = results["auto"], results["100"]
        same = [
            (r["index"], r["message"]) for r in map(json.loads, auto_out.splitlines()) if r["type"] == "log"
        ] == [(r["index"], r["message"]) for r in map(json.loads, full_out.splitlines()) if r["type"] == "log"]
        no_gap = '"gap"' not in auto_out and '"gap"' not in full_out
        share = auto_b / full_b * 100
        row(
            "polite: bytes received, auto vs 100",
            f"{auto_b} vs {full_b} = {share:.0f}%",
            "<= 25%",
            share <= 25 and same and no_gap,
            ("same output, no gap" if same and no_gap else "OUTPUT DIFFERS")
            + (f"; python loop {py_bytes} bytes" if py_bytes else ""),
        )
    finally:
        proc.kill()


def bench_catchup(seconds=20, rate=80.0, interval=2.0):
    """A task writing faster than a window holds per interval, default flags: lines missed with
    catch-up polls (--min-interval 250ms, the default) and without (--min-interval = -i)."""
    lines = int(seconds * rate)
    overflow = int(rate * interval) - 100
    results = {}

    def go(key, min_interval):
        proc, url = serve("--scenario", "steady", "--lines", str(lines), "--rate", str(rate))
        try:
            trigger(url, key)
            cmd = [BIN, "watch", "--base-url", url, "-o", "json", key]
            if min_interval:
                cmd[2:2] = ["--min-interval", min_interval]
            p = subprocess.run(cmd, capture_output=True, text=True)
            records = [json.loads(l) for l in p.stdout.splitlines()]
            end = records[-1]
            gaps = [r["missed"] for r in records if r["type"] == "gap"]
            first_gap = gaps[0] if gaps else 0
            results[key] = (end["lines"], end["missed"], end["unknown_gaps"], end["requests"], first_gap, len(gaps))
        finally:
            proc.kill()

    threads = [
        threading.Thread(target=go, args=("catchup", None)),
        threading.Thread(target=go, args=("nocatchup", f"{interval:g}s")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shown, missed, unknown, requests, first_gap, gaps = results["catchup"]
    off = results["nocatchup"]
    row(
        f"catch-up: {rate:g} lines/s for {seconds} s",
        f"missed {missed} of {lines} in {gaps} gap(s), {requests} requests",
        "only the first poll's overflow",
        missed <= first_gap and unknown == 0,
        f"overflow of the first poll {first_gap} (about {overflow} expected); shown {shown}; "
        f"without catch-up: shown {off[0]}, missed {off[1]} in {off[5]} gaps, {off[3]} requests",
    )


def bench_fresh(seconds=30, rate=7.3, interval=1.0):
    lines = int(seconds * rate)
    proc, url = serve("--scenario", "steady", "--lines", str(lines), "--rate", str(rate))
    try:
        t0 = time.time()
        trigger(url, "fresh")
        watcher = subprocess.Popen(
            [BIN, "watch", "--base-url", url, "-i", f"{interval}s", "-o", "json", "-q", "fresh"],
            stdout=subprocess.PIPE,
            text=True,
        )
        delays = []
        for line in watcher.stdout:
            now = time.time()
            r = json.loads(line)
            if r["type"] == "log":
                appeared = t0 + r["index"] / rate
                if appeared > t0 + 2:  # past the history shown at start
                    delays.append(now - appeared)
        watcher.wait()
        median = statistics.median(delays) * 1e3
        bound = interval / 2 * 1e3 + 50
        row(
            f"freshness at -i {interval:g}s",
            f"median {median:.0f} ms over {len(delays)} lines",
            f"<= {bound:.0f} ms",
            median <= bound,
        )
    finally:
        proc.kill()


def requests_in(stderr_text):
    """Requests taskwatch made, from its `-v` lines (`GET URL → 200 (…)`)."""
    return sum(1 for line in stderr_text.splitlines() if " → " in line)


def bench_ls(profiles=500, processing=50, latency_ms=20, runs=5):
    """`ls` over `profiles` listed tasks, `processing` of them running, every status answer
    delayed by `latency_ms` (the simulator's `slow` scenario at 100%) so that concurrency
    shows: 500 sequential probes would take 500 x latency."""
    proc, url = serve(
        "--profiles", str(profiles), "--schedule", "0s", "--duration", "10m",
        "--scenario", "slow", "--fault-percent", "100", "--slow-delay", f"{latency_ms}ms",
    )
    try:
        listed = subprocess.run(
            [BIN, "ls", "--base-url", url, "-o", "json"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        ids = [json.loads(l)["task_id"] for l in listed if '"task_kind":"profile"' in l]
        for task in ids[:processing]:
            trigger(url, task)
        done_triggering(url)
        walls = []
        for _ in range(runs):
            t = time.perf_counter()
            out = subprocess.run(
                [BIN, "ls", "--base-url", url, "-o", "json"], capture_output=True, text=True, check=True
            ).stdout
            walls.append(time.perf_counter() - t)
        records = [json.loads(l) for l in out.splitlines()]
        busy = sum(1 for r in records if r["is_processing"])
        counted = subprocess.run(
            [BIN, "ls", "--base-url", url, "-v"], capture_output=True, text=True, check=True
        )
        requests = requests_in(counted.stderr)
        wall = statistics.median(walls)
        ideal = profiles * latency_ms / 1000 / 8
        ok = wall <= 1.5 * ideal + 0.3 and busy == processing and len(ids) == profiles
        row(
            f"ls over {profiles} tasks ({latency_ms} ms answers)",
            f"{wall:.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)}), {requests} requests",
            f"<= 1.5 x {ideal:.2f} s + 0.3",
            ok,
            f"{busy} of {len(records)} rows PROCESSING; sequential would be {profiles * latency_ms / 1000:.0f} s",
        )
    finally:
        proc.kill()


def bench_all_idle(profiles=500, seconds=120):
    """`watch --all` with `profiles` tracked profiles, none processing, default 30 s discovery:
    requests and CPU over `seconds`, scaled to an hour."""
    proc, url = serve("--profiles", str(profiles), "--schedule", "0s")
    try:
        with open("/tmp/taskwatch-bench-all.err", "w") as err:
            watcher = subprocess.Popen(
                [BIN, "watch", "--all", "--base-url", url, "-o", "plain", "-v"],
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
            started = time.time()
            time.sleep(seconds)
            cpu = cpu_seconds(watcher.pid)
            rss = peak_rss_kib(watcher.pid)
            wall = time.time() - started
            watcher.send_signal(2)
            watcher.wait(timeout=10)
        with open("/tmp/taskwatch-bench-all.err") as f:
            requests = requests_in(f.read())
        os.remove("/tmp/taskwatch-bench-all.err")
        per_hour = requests / wall * 3600
        cpu_hour = cpu / wall * 3600
        share = cpu / wall * 100
        row(
            f"watch --all idle, {profiles} profiles",
            f"{per_hour:,.0f} requests/h, {cpu_hour:.1f} CPU s/h ({share:.2f}% of a core)",
            "< 1% of a core",
            share < 1.0,
            f"{requests} requests and {cpu:.2f} CPU s in {wall:.0f} s; peak RSS {rss / 1024:.1f} MiB",
        )
    finally:
        proc.kill()


def bench_archive_many(tasks=500, interval=1.0, seconds=60, runs=3):
    """The 500-task run with and without --archive, alternating (the machine's other work
    shifts both alike): CPU ratio of the medians, and peak RSS with the archive."""
    plain, archived, peaks = [], [], []
    for r in range(runs):
        db = f"/tmp/taskwatch-bench-archive-{r}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        cpu, wall, *_ = watch_many(tasks, interval, seconds, f"plain{r}")
        plain.append(cpu / wall * 100)
        cpu, wall, peak, _, ok, why, _ = watch_many(
            tasks, interval, seconds, f"arch{r}", ("--archive", "--archive-db", db)
        )
        archived.append(cpu / wall * 100)
        peaks.append(peak)
        if not ok:
            row("500 tasks with --archive: exactly once", why, "every line once", False)
    ratio = statistics.median(archived) / max(statistics.median(plain), 1e-9)
    row(
        f"{tasks} tasks at {interval:g}s --archive: CPU",
        f"{statistics.median(archived):.2f}% vs {statistics.median(plain):.2f}% ({ratio:.2f}x)",
        "<= 1.5x without it",
        ratio <= 1.5,
        f"runs with: {', '.join(f'{x:.2f}' for x in archived)}; without: {', '.join(f'{x:.2f}' for x in plain)}",
    )
    mib = max(peaks) / 1024
    row(f"{tasks} tasks --archive: peak RSS", f"{mib:.1f} MiB", "<= 40 MiB", mib <= 40)


def bench_archive_logs(lines=15_000, rate=300.0, target=1_000_000):
    """A run recorded by `wait --archive` (15,000 lines at 300 a second, every one caught), its
    lines then copied in the database (same run, later indices) up to 1,000,000; read back with
    `logs -o plain` to /dev/null (lines a second, best of 3); the database's size against the
    plain text that `logs -o plain` prints, for the recorded run and for the million."""
    import sqlite3

    db = "/tmp/taskwatch-bench-logs.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    proc, url = serve("--scenario", "steady", "--lines", str(lines), "--rate", str(rate))
    try:
        trigger(url, "big")
        done_triggering(url)
        subprocess.run(
            [BIN, "wait", "--base-url", url, "-i", "100ms", "-q", "--archive",
             "--archive-db", db, "big"],
            check=True,
        )
    finally:
        proc.kill()
    def lines_in_archive():
        return json.loads(
            subprocess.run([BIN, "history", "-o", "json", "--archive-db", db],
                           capture_output=True, text=True, check=True).stdout.splitlines()[0]
        )["lines"]

    def size_ratio(label):
        plain = subprocess.run([BIN, "logs", "big", "-o", "plain", "-q", "--archive-db", db],
                               capture_output=True, check=True).stdout
        size = os.path.getsize(db) + (os.path.getsize(db + "-wal") if os.path.exists(db + "-wal") else 0)
        ratio = size / max(len(plain), 1)
        row(
            f"archive size, {label}",
            f"{size / (1024 * 1024):.1f} MiB ({ratio:.2f}x the plain text)",
            "<= 2x the plain text",
            ratio <= 2,
            f"plain text {len(plain) / (1024 * 1024):.1f} MiB",
        )

    recorded = lines_in_archive()
    size_ratio(f"{recorded:,} lines recorded")
    conn = sqlite3.connect(db)
    with conn:
        copies = (target + recorded - 1) // recorded
        for k in range(1, copies):
            conn.execute(
                "INSERT INTO lines (run_id, idx, ts, text) SELECT run_id, idx + ?, ts,"
                " text FROM lines WHERE idx < ?",
                (k * recorded, recorded),
            )
        total = copies * recorded
        conn.execute(
            "UPDATE runs SET lines = ?, last_index = ?", (total, total - 1)
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    recorded = lines_in_archive()
    size_ratio(f"{recorded:,} lines")
    best = None
    for _ in range(3):
        started = time.time()
        subprocess.run([BIN, "logs", "big", "-o", "plain", "-q", "--archive-db", db],
                       stdout=subprocess.DEVNULL, check=True)
        took = time.time() - started
        best = took if best is None else min(best, took)
    speed = recorded / best
    row(
        f"logs -o plain of {recorded:,} lines",
        f"{speed:,.0f} lines/s ({best:.2f} s)",
        ">= 300,000 lines/s",
        speed >= 300_000,
    )


def bench_history(runs=10_000):
    """`history -o json` over an archive of 10,000 recorded runs (written straight into the
    schema taskwatch made, 10 lines each): median of 5."""
    import sqlite3

    db = "/tmp/taskwatch-bench-history.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    # taskwatch creates the file and its schema (prune on an empty archive needs it to exist).
    open(db, "w").close()
    subprocess.run([BIN, "prune", "--older-than", "1d", "--archive-db", db],
                   check=True, capture_output=True)
    conn = sqlite3.connect(db)
    now = time.time()
    with conn:
        for i in range(runs):
            start = now - 86_400 * 30 + i * 60
            conn.execute(
                "INSERT INTO runs (base_url, task_id, profile, started_at, start_known, ended_at,"
                " outcome, exit_code, lines, first_index, last_index, updated_at)"
                " VALUES (?, ?, ?, ?, 1, ?, 'finished', 0, 10, 0, 9, ?)",
                ("http://127.0.0.1:8080", f"task-{i % 500}", f"profile{i % 500}", start,
                 start + 50, start + 50),
            )
            conn.executemany(
                "INSERT INTO lines (run_id, idx, ts, text) VALUES (?, ?, ?, ?)",
                [(i + 1, k, str(int(start) + k), f"Processing post {k}/10") for k in range(10)],
            )
    conn.close()
    times = []
    for _ in range(5):
        started = time.time()
        out = subprocess.run([BIN, "history", "-o", "json", "--archive-db", db],
                             capture_output=True, text=True, check=True).stdout
        times.append(time.time() - started)
    listed = len(out.splitlines())
    ms = statistics.median(times) * 1000
    row(f"history over {listed:,} runs", f"{ms:.0f} ms (median of 5)", "<= 200 ms", ms <= 200)
def _timed_reader(stream, into):
    """Appends (monotonic time, line) for each line of `stream` as it arrives."""
    def go():
        for line in stream:
            into.append((time.monotonic(), line.rstrip("\n")))
    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


def _announced(lines, what):
    """Runs `serve` said it started (`taskwatch serve: HH:MM:SS.mmmZ <what> of @h (ID) started`):
    (arrival, id), in order."""
    runs = []
    for at, line in list(lines):
        if f" {what}" in line and line.endswith(" started"):
            runs.append((at, line.rsplit("(", 1)[1].split(")", 1)[0]))
    return runs


def _pickups(serve_args, watch_args, what, measure_s, wait_s, name, target_s):
    """Starts `serve` with `serve_args` and `watch --all -o json` against it; for every run
    `serve` announces as `what` during `measure_s`, the time from its start to its `follow`
    record and to its first line printed, the index of that line and the lines reported
    missed, waiting at most `wait_s` after the last start for the watcher to find it."""
    proc = subprocess.Popen(
        [BIN, "serve", "--port", "0", "--seed", "1", *serve_args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    url = proc.stdout.readline().strip()
    said, printed = [], []
    _timed_reader(proc.stderr, said)
    watcher = subprocess.Popen(
        [BIN, "watch", "--all", "--base-url", url, "-o", "json", *watch_args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    _timed_reader(watcher.stdout, printed)
    try:
        began = time.monotonic()
        time.sleep(measure_s)
        runs = [(at, i) for at, i in _announced(said, what) if at - began <= measure_s]
        deadline = time.monotonic() + wait_s
        results = {}
        while time.monotonic() < deadline:
            records = []
            for at, line in list(printed):
                try:
                    records.append((at, json.loads(line)))
                except ValueError:
                    pass
            for started, task in runs:
                mine = [(at, r) for at, r in records if r.get("task_id") == task and at >= started]
                follow = next((at for at, r in mine if r["type"] == "follow"), None)
                first = next(((at, r) for at, r in mine if r["type"] == "log"), None)
                if follow is not None and first is not None:
                    missed = sum(r.get("missed") or 0 for at, r in mine
                                 if r["type"] == "gap" and at <= first[0])
                    results[(started, task)] = (follow - started, first[0] - started,
                                                first[1]["index"], missed)
            if len(results) == len(runs) and runs:
                break
            time.sleep(0.5)
        watcher.send_signal(2)
        watcher.wait(timeout=10)
    finally:
        watcher.kill()
        proc.kill()
    found = sorted(results.values())
    if not found:
        row(name, f"none of {len(runs)} runs followed", target_s, False)
        return
    follows = [f for f, _, _, _ in found]
    firsts = [l for _, l, _, _ in found]
    from_zero = sum(1 for _, _, index, _ in found if index == 0)
    missed = [m for _, _, _, m in found]
    ok = len(found) == len(runs) and max(follows) <= target_s
    row(
        name,
        f"median {statistics.median(follows):.1f} s, max {max(follows):.1f} s to follow",
        f"<= {target_s:g} s, every run",
        ok,
        f"{len(found)} of {len(runs)} runs followed; first line printed median "
        f"{statistics.median(firsts):.1f} s, max {max(firsts):.1f} s after the start; "
        f"{from_zero} shown from index 0; lines missed before the first shown: "
        f"{', '.join(str(m) for m in missed)}",
    )
    print("  each run (follow s, first line s, first index, missed):", flush=True)
    for f, l, index, m in found:
        print(f"    {f:7.2f} {l:7.2f} {index:6} {m:6}", flush=True)


def bench_scheduled(profiles=500, every_s=10, measure_s=150):
    """Scheduled runs: `serve --profiles 500 --schedule 10s` starts a profile's run when it is
    due (each runs 60 s); `watch --all` at the defaults (`--discover-interval 30s`,
    `--probe-rate 1`) must follow each within one discovery interval, from its first line."""
    _pickups(
        ["--profiles", str(profiles), "--schedule", f"{every_s}s", "--duration", "60s"],
        [],
        "scheduled run",
        measure_s,
        60,
        f"scheduled runs, {profiles} profiles",
        30,
    )


def bench_forced(profiles=500, every_s=40, measure_s=240):
    """Runs by hand: `serve --profiles 500 --schedule 0s --forced-runs 40s` starts a run on a
    random idle profile every 40 s, outside its schedule, each writing 2 lines a second
    (`--scenario steady`) so that the cost of a late pick-up shows in lines; `watch --all` at
    the defaults must find each within 500 profiles / 1 probe a second."""
    _pickups(
        ["--profiles", str(profiles), "--schedule", "0s", "--forced-runs", f"{every_s}s",
         "--scenario", "steady", "--lines", "2000", "--rate", "2"],
        [],
        "run by hand",
        measure_s,
        profiles + 30,
        f"runs by hand, {profiles} profiles",
        profiles,
    )


def bench_size():
    size = os.path.getsize(BIN) / (1024 * 1024)
    # 8 MiB until the archive (bundled SQLite, about 2.6 MiB) and desktop notifications (zbus,
    # about 0.9 MiB) came: BENCHMARKS.md says what each costs.
    row("dist binary size", f"{size:.2f} MiB", "< 12 MiB", size < 12)


BENCHES = {
    "status": bench_status,
    "many": lambda: (bench_many(500, 1.0, 60, "t500"), bench_python_many(100, 1.0, 60)),
    "many2000": lambda: bench_many(2000, 5.0, 60, "t2000"),
    "memory": bench_memory,
    "polite": bench_polite,
    "fresh": bench_fresh,
    "catchup": bench_catchup,
    "size": bench_size,
    "ls": bench_ls,
    "allidle": bench_all_idle,
    "archive": bench_archive_many,
    "archivelogs": bench_archive_logs,
    "history": bench_history,
    "scheduled": bench_scheduled,
    "forced": bench_forced,
}


def main():
    chosen = sys.argv[1:] or list(BENCHES)
    unknown = [c for c in chosen if c not in BENCHES]
    if unknown:
        sys.exit(f"unknown benchmark {unknown}; choose from {list(BENCHES)}")
    if not os.environ.get("TASKWATCH_BENCH_BIN"):
        subprocess.run(["cargo", "build", "--profile", "dist", "--quiet"], cwd=ROOT, check=True)
    print(f"{'measurement':<34} {'result':<40} {'target':<26} met")
    for name in chosen:
        BENCHES[name]()
    if any(r[3] == "NO" for r in ROWS):
        sys.exit(1)


if __name__ == "__main__":
    main()
