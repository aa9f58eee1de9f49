#!/usr/bin/env python3
"""Gets a token from `broker agent` over its socket, without spawning broker.

Usage: token_client.py [PROFILE]          prints the token
       token_client.py --rejected TOKEN [PROFILE]   reports a refused token, prints a good one

The socket: BROKER_AGENT_SOCK, else $XDG_RUNTIME_DIR/broker/agent.sock, else agent.sock in
broker's state folder (docs/agent.md). Exits with broker's exit code on an error the agent
answers, and 1 when no agent answers.
"""

import json
import os
import socket
import sys


def socket_path():
    if os.environ.get("BROKER_AGENT_SOCK"):
        return os.environ["BROKER_AGENT_SOCK"]
    if os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(os.environ["XDG_RUNTIME_DIR"], "broker", "agent.sock")
    state = os.environ.get("BROKER_STATE_DIR") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "broker")
    return os.path.join(state, "agent.sock")


class Agent:
    """One connection, many requests: one JSON object per line each way."""

    def __init__(self, path=None):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path or socket_path())
        self.file = self.sock.makefile("rwb")
        self.next_id = 0

    def ask(self, verb, profile=None, **options):
        self.next_id += 1
        request = {"id": self.next_id, "verb": verb, "options": options}
        if profile:
            request["profile"] = profile
        self.file.write(json.dumps(request).encode() + b"\n")
        self.file.flush()
        answer = json.loads(self.file.readline())
        if "error" in answer:
            raise AgentError(answer["error"])
        return answer["ok"]


class AgentError(Exception):
    def __init__(self, error):
        super().__init__(error["message"])
        self.code, self.exit, self.hint = error["code"], error["exit"], error.get("hint")


def main():
    args = sys.argv[1:]
    rejected = None
    if args[:1] == ["--rejected"]:
        rejected, args = args[1], args[2:]
    profile = args[0] if args else None
    try:
        agent = Agent()
        if rejected is not None:
            ok = agent.ask("rejected", profile, token=rejected)
        else:
            ok = agent.ask("token", profile)
    except AgentError as e:
        print(f"error: {e}", file=sys.stderr)
        if e.hint:
            print(f"hint: {e.hint}", file=sys.stderr)
        sys.exit(e.exit)
    except OSError as e:
        print(f"error: no agent: {e}", file=sys.stderr)
        sys.exit(1)
    print(ok["access_token"])


if __name__ == "__main__":
    main()
