#!/usr/bin/env python3
"""Benchmarks the shared store of a fleet (`[store] backend = "redis"`, docs/fleet.md) against
a real redis-server and `broker emulator`, both started here on loopback:

1. warm `broker token` with the Redis backend side by side with the file backend, in one
   run, alternating (target: Redis at most 1.3x the file backend);
2. a refresh storm: 3 homes (separate config and state folders, one identity, one Redis and
   prefix) x 32 concurrent `broker token` on an expired profile: how many requests reach the
   emulator (target: 1), how many distinct tokens are printed (target: 1), and the p50/p99
   latency, against the same fan-out on a warm token.

Usage: python3 scripts/fleet_bench.py [--runs N] [--binary target/release/broker]
Needs redis-server, redis-cli and age (scripts/test.sh installs them).
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

DEMO_APP_KEY = "demo-app-key"
DEMO_SECRET_KEY = "demo-secret-key"
PREFIX = "bench"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv, env, stdin=None):
    proc = subprocess.run(argv, env=env, input=stdin, capture_output=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


def timed(argv, env):
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {proc.stderr.decode(errors='replace')}")
    return elapsed, proc.stdout


def spawn_timed(argv, env):
    """Wall time of one spawn, stdout and stderr to /dev/null (as bench.py measures)."""
    devnull = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, env, file_actions=devnull)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
    return time.perf_counter() - start


def pct(values, p):
    values = sorted(values)
    return values[max(0, int(round(len(values) * p)) - 1)]


def home_env(home):
    return {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def redis_cli(port, *args, stdin=None):
    return subprocess.run(["redis-cli", "-p", str(port), *args], input=stdin,
                          capture_output=True, check=True).stdout


def counters(base):
    with urllib.request.urlopen(f"{base}/_emulator/counters") as r:
        return json.load(r)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--binary", default="target/release/broker")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["cargo", "build", "--release", "--quiet"], check=True)
    binary = os.path.abspath(args.binary)
    for tool in ("redis-server", "redis-cli", "age"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed (scripts/test.sh installs it)")

    top = tempfile.mkdtemp(prefix="broker-fleet-bench-")
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", top],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = os.path.join(top, "file-home")
    os.makedirs(first)
    emulator = subprocess.Popen([binary, "emulator"], env=home_env(first), stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
    try:
        base = emulator.stdout.readline().decode().strip()
        while subprocess.run(["redis-cli", "-p", str(port), "PING"], capture_output=True).stdout.strip() != b"PONG":
            time.sleep(0.02)
        url = f"redis://127.0.0.1:{port}/0"
        # The file home, then three Redis homes with the same identity and profile.
        env = home_env(first)
        run([binary, "init"], env)
        run([binary, "profile", "add", "ai", "--grant", "ai", "--app-key", DEMO_APP_KEY, "--endpoint", base],
            env, DEMO_SECRET_KEY.encode())
        config = os.path.join(first, ".config/broker/profiles.toml")
        identity = os.path.join(first, ".config/broker/identity.txt")
        homes = []
        for i in range(3):
            h = os.path.join(top, f"redis-home-{i}")
            os.makedirs(os.path.join(h, ".config/broker"))
            text = open(config).read().replace(
                "[store]\n", f'[store]\nbackend = "redis"\nurl = "{url}"\nprefix = "{PREFIX}"\n', 1)
            open(os.path.join(h, ".config/broker/profiles.toml"), "w").write(text)
            shutil.copy(identity, os.path.join(h, ".config/broker/identity.txt"))
            homes.append(h)
        run([binary, "token", "ai"], env)
        for h in homes:
            run([binary, "token", "ai"], home_env(h))

        print(f"machine: {os.cpu_count()} cores; redis-server {run(['redis-server', '--version'], env).split()[2].decode()}")
        # 1. Warm token, alternating so both see the same machine load.
        file_t, redis_t = [], []
        for _ in range(args.runs):
            file_t.append(spawn_timed([binary, "token", "ai"], env))
            redis_t.append(spawn_timed([binary, "token", "ai"], home_env(homes[0])))
        fm, rm = statistics.median(file_t), statistics.median(redis_t)
        print(f"warm `broker token`, file backend   median {fm * 1000:6.2f} ms  p90 {pct(file_t, 0.9) * 1000:6.2f} ms")
        print(f"warm `broker token`, Redis backend  median {rm * 1000:6.2f} ms  p90 {pct(redis_t, 0.9) * 1000:6.2f} ms")
        print(f"ratio Redis / file: {rm / fm:.2f} (target <= 1.3: {'met' if rm / fm <= 1.3 else 'NOT met'})")

        # 2. The storm: warm first, then expired.
        def storm():
            argvs = [(h, [binary, "token", "ai"]) for h in homes for _ in range(32)]
            with ThreadPoolExecutor(max_workers=len(argvs)) as pool:
                return list(pool.map(lambda a: timed(a[1], home_env(a[0])), argvs))

        warm = storm()
        sealed = redis_cli(port, "--raw", "GET", f"{PREFIX}:ai:state")[:-1]
        plain = subprocess.run(["age", "-d", "-i", identity], input=sealed, capture_output=True, check=True).stdout
        state = json.loads(plain)
        state["expires_at"] = "2000-01-01T00:00:00Z"
        recipient = run([binary, "init"], env).decode().strip()
        resealed = subprocess.run(["age", "-r", recipient], input=json.dumps(state).encode(),
                                  capture_output=True, check=True).stdout
        redis_cli(port, "-x", "SET", f"{PREFIX}:ai:state", stdin=resealed)
        # Move the version on (as every write does) so that the local copies see the change.
        redis_cli(port, "INCRBY", f"{PREFIX}:ai:version", "1000")
        before = counters(base).get("grants", {}).get("client_credentials", 0)
        expired = storm()
        requests = counters(base).get("grants", {}).get("client_credentials", 0) - before
        tokens = {out for _, out in expired}
        for name, results in (("warm", warm), ("expired", expired)):
            t = [e for e, _ in results]
            print(f"3 homes x 32 `broker token`, {name:<7}  p50 {pct(t, 0.5) * 1000:6.1f} ms  p99 {pct(t, 0.99) * 1000:6.1f} ms")
        print(f"expired storm: {requests} request(s) at the emulator, {len(tokens)} distinct token(s) "
              f"(target 1 and 1: {'met' if requests == 1 and len(tokens) == 1 else 'NOT met'})")
    finally:
        emulator.terminate()
        emulator.wait()
        redis.terminate()
        redis.wait()
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
