#!/usr/bin/env python3
"""Benchmarks broker's hot path: `broker token` on a warm cache, side by side with `curl`
POSTing client_credentials to the emulator on loopback (the cheapest way a script could get
a token without broker).

Usage: python3 scripts/bench.py [--runs N] [--binary target/release/broker]
Prints the median and p90 wall time and the peak RSS of each, over N runs (default 50).
Targets (docs/performance.md): median under 3 ms, peak RSS under 10 MB, faster than curl.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

DEMO_APP_KEY = "demo-app-key"
DEMO_SECRET_KEY = "demo-secret-key"
GNU_TIME = "/usr/bin/time"  # Debian package `time`


def run_once(argv, env, stdin=None):
    """Runs argv; returns (seconds, peak RSS in KiB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(stdin)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {err.decode(errors='replace')}")
    return elapsed, out


def measure(argv, env, runs):
    """Wall time of each run (spawned directly), and the peak RSS of each run measured by GNU
    time in a second series: a child spawned from Python itself would report Python's own
    high-water mark, which exec inherits."""
    devnull = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    times, rss = [], []
    for _ in range(runs):
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=devnull)
        _, status = os.waitpid(pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
    with tempfile.NamedTemporaryFile(mode="r") as out:
        for _ in range(runs):
            subprocess.run([GNU_TIME, "-f", "%M", "-o", out.name, *argv], env=env, check=True,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            out.seek(0)
            rss.append(int(out.read().strip().splitlines()[-1]))  # KiB
    return times, rss


def report(name, times, rss):
    times = sorted(times)
    p90 = times[int(len(times) * 0.9) - 1]
    print(f"{name:<34} median {statistics.median(times) * 1000:7.2f} ms   p90 {p90 * 1000:7.2f} ms   "
          f"peak RSS {max(rss) / 1024:6.1f} MB   ({len(times)} runs)")
    return statistics.median(times), max(rss)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--binary", default="target/release/broker")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["cargo", "build", "--release", "--quiet"], check=True)
    binary = os.path.abspath(args.binary)
    if not os.path.exists(GNU_TIME):
        sys.exit("GNU time is needed for peak RSS (apt-get install time)")
    curl = shutil.which("curl")
    if not curl:
        sys.exit("curl is needed for the side-by-side figure (apt-get install curl)")

    home = tempfile.mkdtemp(prefix="broker-bench-")
    env = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    emulator = subprocess.Popen([binary, "emulator"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        base = emulator.stdout.readline().decode().strip()
        run_once([binary, "init"], env)
        run_once([binary, "profile", "add", "ai-bench", "--grant", "ai", "--app-key", DEMO_APP_KEY,
                  "--endpoint", base], env, DEMO_SECRET_KEY.encode())
        run_once([binary, "use", "ai-bench"], env)
        run_once([binary, "token"], env)  # warm the cache

        print(f"machine: {os.cpu_count()} cores; identity: X25519; emulator at {base}")
        broker_median, broker_rss = report("broker token (warm cache)", *measure([binary, "token"], env, args.runs))
        curl_argv = [curl, "-s", "-X", "POST", f"{base}/oauth/2.0/token",
                     "-d", f"grant_type=client_credentials&client_id={DEMO_APP_KEY}&client_secret={DEMO_SECRET_KEY}"]
        curl_median, _ = report("curl client_credentials (loopback)", *measure(curl_argv, env, args.runs))
        ok = broker_median < 0.003 and broker_rss < 10 * 1024 and broker_median < curl_median
        print(f"targets (median < 3 ms, peak RSS < 10 MB, faster than curl): {'met' if ok else 'NOT met'}")
    finally:
        emulator.terminate()
        emulator.wait()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
