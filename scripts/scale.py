#!/usr/bin/env python3
"""Scale figures for broker, all in one run (docs/performance.md):

1. 1,000 profiles: wall time of `broker status` and `broker profile list`;
2. `broker refresh --all --force` over 200 AI profiles with the emulator adding 100 ms of
   latency to every request (target: within 2x of 200 x 100 ms / concurrency);
3. 128 concurrent `broker token` on one expired netdisk-style profile: exactly one request
   at the emulator, and the p50/p99 latency of the 128 processes;
4. warm `broker token`: median and peak RSS (see scripts/bench.py for the side-by-side).

Usage: python3 scripts/scale.py [--binary target/release/broker]
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

DEMO_APP_KEY = "demo-app-key"
DEMO_SECRET_KEY = "demo-secret-key"
CONCURRENCY = 8  # src/commands/refresh.rs
GNU_TIME = "/usr/bin/time"


def run(argv, env, stdin=None, check=True):
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, input=stdin, capture_output=True)
    took = time.perf_counter() - start
    if check and proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return took, proc


def admin(base, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + "/_emulator/" + path, data=data, method="POST" if data else "GET",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read() or b"null")


def write_profiles(home, base, names, grant="ai"):
    cfg = os.path.join(home, ".config/broker/profiles.toml")
    with open(cfg, "a") as f:
        for n in names:
            f.write(f'\n[profiles.{n}]\ngrant = "{grant}"\napp_key = "{DEMO_APP_KEY}"\n'
                    f'secret_key_env = "DEMO_SK"\nendpoint = "{base}"\n')


def expire(binary, home, env, profile):
    """Moves the stored token's expiry into the past, as the reference age tool sees it."""
    state = os.path.join(home, f".local/state/broker/profiles/{profile}.age")
    identity = os.path.join(home, ".config/broker/identity.txt")
    plain = subprocess.run(["age", "-d", "-i", identity, state], check=True, capture_output=True).stdout
    data = json.loads(plain)
    data["expires_at"] = "2000-01-01T00:00:00Z"
    recipient = run([binary, "init"], env)[1].stdout.decode().split()[0]
    subprocess.run(["age", "-r", recipient, "-o", state], input=json.dumps(data).encode(), check=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/broker")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["cargo", "build", "--release", "--quiet"], check=True)
    binary = os.path.abspath(args.binary)

    home = tempfile.mkdtemp(prefix="broker-scale-")
    env = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DEMO_SK": DEMO_SECRET_KEY}
    emulator = subprocess.Popen([binary, "emulator"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        base = emulator.stdout.readline().decode().strip()
        run([binary, "init"], env)
        print(f"machine: {os.cpu_count()} cores; emulator at {base}")

        # 1. 1,000 profiles.
        write_profiles(home, base, [f"p{i:04}" for i in range(1000)])
        for argv in (["status"], ["profile", "list"]):
            times = [run([binary, *argv], env)[0] for _ in range(5)]
            print(f"1000 profiles: broker {' '.join(argv):<13} median {statistics.median(times) * 1000:8.1f} ms (5 runs)")

        # 2. refresh --all over 200 profiles with 100 ms latency per request. A second config
        # holds just those 200, so the figure is about rotation, not the 1,000 above.
        small = os.path.join(home, "two-hundred.toml")
        with open(os.path.join(home, ".config/broker/profiles.toml")) as f:
            head = f.read().split("\n[profiles.", 1)[0]
        with open(small, "w") as f:
            f.write(head)
        env200 = dict(env, BROKER_CONFIG=small)
        names = [f"r{i:03}" for i in range(200)]
        with open(small, "a") as f:
            for n in names:
                f.write(f'\n[profiles.{n}]\ngrant = "ai"\napp_key = "{DEMO_APP_KEY}"\n'
                        f'secret_key_env = "DEMO_SK"\nendpoint = "{base}"\n')
        admin(base, "settings", {"latency_ms": 100})
        admin(base, "counters/reset", {})
        took, _ = run([binary, "refresh", "--all", "--force"], env200)
        ideal = 200 * 0.1 / CONCURRENCY
        requests = admin(base, "counters")["requests"]
        verdict = "met" if took <= 2 * ideal else "NOT met"
        print(f"refresh --all, 200 profiles, +100 ms each: {took:6.2f} s ({requests} requests; "
              f"ideal {ideal:.2f} s at concurrency {CONCURRENCY}; target within 2x: {verdict})")
        admin(base, "settings", {"latency_ms": 0})

        # 3. 128 concurrent `broker token` on one expired profile.
        env1 = dict(env, BROKER_CONFIG=small)
        run([binary, "token", "r000"], env1)
        expire(binary, home, env1, "r000")
        admin(base, "counters/reset", {})

        def one(_):
            took, proc = run([binary, "token", "r000"], env1, check=False)
            return took, proc.returncode, proc.stdout

        with concurrent.futures.ThreadPoolExecutor(max_workers=128) as pool:
            results = list(pool.map(one, range(128)))
        times = sorted(r[0] for r in results)
        failures = sum(1 for r in results if r[1] != 0)
        tokens = {r[2] for r in results if r[1] == 0}
        requests = admin(base, "counters")["grants"].get("client_credentials", 0)
        print(f"128 concurrent token on an expired profile: {requests} request(s) at the emulator, "
              f"{len(tokens)} distinct token(s), {failures} failure(s); "
              f"p50 {statistics.median(times) * 1000:.0f} ms, p99 {times[int(len(times) * 0.99) - 1] * 1000:.0f} ms")

        # 4. warm token.
        times = [run([binary, "token", "r000"], env1)[0] for _ in range(30)]
        rss = 0
        if os.path.exists(GNU_TIME):
            with tempfile.NamedTemporaryFile(mode="r") as out:
                for _ in range(10):
                    subprocess.run([GNU_TIME, "-f", "%M", "-o", out.name, binary, "token", "r000"], env=env1,
                                   check=True, capture_output=True)
                    out.seek(0)
                    rss = max(rss, int(out.read().strip().splitlines()[-1]))
        print(f"warm broker token: median {statistics.median(times) * 1000:.2f} ms (30 runs, via subprocess), "
              f"peak RSS {rss / 1024:.1f} MB")
    finally:
        emulator.terminate()
        emulator.wait()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
