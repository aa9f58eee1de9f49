#!/usr/bin/env python3
"""Benchmarks `broker agent` (docs/performance.md, "The agent"):

- a token over the socket from a client already connected (the Python example's way),
  p50/p99 per request;
- `broker token` via the agent vs alone, on a warm cache, side by side;
- with a passphrase-protected identity: `broker token` via the agent vs alone (alone pays
  the passphrase's scrypt on every call).

Usage: python3 scripts/agent_bench.py [--runs N] [--binary target/release/broker]
Targets: socket round trip <= 0.2 ms p50; `broker token` via the agent no slower than alone.
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

DEMO_APP_KEY = "demo-app-key"
DEMO_SECRET_KEY = "demo-secret-key"
PASSPHRASE = "bench passphrase"


def run(argv, env, stdin=None):
    proc = subprocess.run(argv, env=env, input=stdin, capture_output=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


def spawn_times(argv, env, runs):
    devnull = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=devnull)
        _, status = os.waitpid(pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
    return times


def pct(times, p):
    times = sorted(times)
    return times[min(len(times) - 1, int(len(times) * p))]


def report(name, times):
    print(f"{name:<44} p50 {statistics.median(times) * 1000:8.3f} ms   "
          f"p99 {pct(times, 0.99) * 1000:8.3f} ms   ({len(times)} runs)")
    return statistics.median(times)


def home_with_profile(binary, base, passphrase):
    home = tempfile.mkdtemp(prefix="broker-agent-bench-")
    env = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if passphrase:
        run([binary, "init", "--passphrase"], {**env, "BROKER_AGE_PASSPHRASE": PASSPHRASE})
    else:
        run([binary, "init"], env)
    run([binary, "profile", "add", "ai-bench", "--grant", "ai", "--app-key", DEMO_APP_KEY,
         "--endpoint", base], env, DEMO_SECRET_KEY.encode())
    run([binary, "use", "ai-bench"], env)
    warm = {**env, "BROKER_AGE_PASSPHRASE": PASSPHRASE} if passphrase else env
    run([binary, "token"], warm)
    return home, env


def start_agent(binary, env):
    sock = os.path.join(env["HOME"], ".local/state/broker/agent.sock")
    agent = subprocess.Popen([binary, "agent"], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(500):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock)
            s.close()
            return agent, sock
        except OSError:
            time.sleep(0.01)
    sys.exit("the agent did not start")


def stop(agent):
    agent.terminate()
    agent.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--binary", default="target/release/broker")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    emu_env = {"HOME": tempfile.mkdtemp(), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    emulator = subprocess.Popen([binary, "emulator"], env=emu_env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
    homes = [emu_env["HOME"]]
    try:
        base = emulator.stdout.readline().decode().strip()
        print(f"machine: {os.cpu_count()} cores; emulator at {base}")

        home, env = home_with_profile(binary, base, passphrase=False)
        homes.append(home)
        agent, sock = start_agent(binary, env)
        try:
            # Interleaved, so that the machine's drift hits both series alike; "alone" points
            # the clients at a socket that does not exist.
            alone_env = {**env, "BROKER_AGENT_SOCK": os.path.join(home, "no-agent.sock")}
            alone_t, via_t = [], []
            for _ in range(args.runs):
                alone_t += spawn_times([binary, "token"], alone_env, 1)
                via_t += spawn_times([binary, "token"], env, 1)
            alone = report("broker token, alone (warm)", alone_t)
            via = report("broker token, via the agent", via_t)
            conn = socket.socket(socket.AF_UNIX)
            conn.connect(sock)
            f = conn.makefile("rwb")
            times = []
            for i in range(args.runs * 10):
                start = time.perf_counter()
                f.write(json.dumps({"id": i, "verb": "token", "profile": "ai-bench"}).encode() + b"\n")
                f.flush()
                answer = json.loads(f.readline())
                times.append(time.perf_counter() - start)
                assert "ok" in answer, answer
            rtt = report("socket round trip (connected client)", times)
            conn.close()
        finally:
            stop(agent)

        home, env = home_with_profile(binary, base, passphrase=True)
        homes.append(home)
        with_pass = {**env, "BROKER_AGE_PASSPHRASE": PASSPHRASE}
        slow = report("passphrase identity: broker token, alone",
                      spawn_times([binary, "token"], with_pass, max(3, args.runs // 40)))
        agent, _ = start_agent(binary, with_pass)
        try:
            fast = report("passphrase identity: broker token, via agent",
                          spawn_times([binary, "token"], env, args.runs))
        finally:
            stop(agent)
        ok = rtt <= 0.0002 and via <= alone
        print(f"targets (round trip p50 <= 0.2 ms, via agent no slower than alone): "
              f"{'met' if ok else 'NOT met'}; passphrase: {slow / fast:.0f}x faster via the agent")
    finally:
        emulator.terminate()
        emulator.wait()
        for h in homes:
            shutil.rmtree(h, ignore_errors=True)


if __name__ == "__main__":
    main()
