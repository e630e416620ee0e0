"""Hosts of their own on one machine, for benchmarks/cluster.py (needs root).

A Linux bridge in the root namespace holds the network's first address; each
host is a network namespace joined to the bridge by a veth pair, with an address
of its own. So a process started in a host's namespace sees only its own
interface: it reaches PostgreSQL and Redis at the bridge's address (where the
benchmark forwards to them, as they listen on 127.0.0.1 only), and the proxy in
the root namespace reaches it at its address, as across a real network.

Every name starts with PREFIX, so that teardown, and a later run after a
``kill -9``, finds exactly what a run made and removes nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

PREFIX = "pcl-"
BRIDGE = f"{PREFIX}br0"
NETWORK = "10.77.0"  # a /24 of its own
GATEWAY = f"{NETWORK}.1"


def _ip(*args: str, check: bool = True) -> str:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and done.returncode:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def namespaces_ours() -> list[str]:
    names = (line.split()[0] for line in _ip("netns", "list", check=False).splitlines() if line)
    return [name for name in names if name.startswith(PREFIX)]


def links_ours() -> list[str]:
    names = []
    for line in _ip("-o", "link", "show", check=False).splitlines():
        name = line.split(":", 2)[1].strip().split("@", 1)[0]
        if name.startswith(PREFIX):
            names.append(name)
    return names


def network_up(hosts: dict[str, str]) -> None:
    """The bridge at GATEWAY/24 and one namespace per host (name → address)."""
    network_down()  # what a killed run left
    _ip("link", "add", BRIDGE, "type", "bridge")
    _ip("addr", "add", f"{GATEWAY}/24", "dev", BRIDGE)
    _ip("link", "set", BRIDGE, "up")
    for name, address in hosts.items():
        namespace = veth = f"{PREFIX}{name}"
        if len(veth) > 15:
            raise ValueError(f"interface name {veth!r} is longer than Linux allows (15)")
        _ip("netns", "add", namespace)
        _ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        _ip("link", "set", veth, "master", BRIDGE, "up")
        _ip("-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
        _ip("-n", namespace, "link", "set", "eth0", "up")
        _ip("-n", namespace, "link", "set", "lo", "up")


def network_down() -> list[str]:
    """Remove our namespaces (ending any process still in one: only ours run there;
    a namespace lives on while a process holds it) and our links. Returns what was
    removed. Safe to call when there is nothing."""
    removed = []
    for namespace in namespaces_ours():
        for _ in range(2):
            pids = [int(p) for p in _ip("netns", "pids", namespace, check=False).split()]
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            if not pids:
                break
            time.sleep(0.5)
        _ip("netns", "del", namespace, check=False)
        removed.append(namespace)
    for link in links_ours():  # a veth goes with its namespace; the bridge stays
        _ip("link", "del", link, check=False)
        removed.append(link)
    return removed


def spawn(
    command: list[str], *, log: Path, env: dict, cwd: Path, namespace: str | None = None
) -> subprocess.Popen:
    """Start a command (in a host's namespace if given: ``ip netns exec`` execs it,
    so the pid is the command's own) in a process group of its own."""
    if namespace:
        command = ["ip", "netns", "exec", f"{PREFIX}{namespace}", *command]
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, *, grace: float = 20) -> None:
    """SIGTERM to the process group (a Celery worker finishes the task it holds),
    SIGKILL after ``grace`` seconds; then SIGKILL to what is left of the group
    (a forward's per-connection children outlive their parent)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)
