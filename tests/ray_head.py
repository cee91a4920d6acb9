"""A local Ray head for tests and benchmarks: `ray start --head --block` in its own process group,
so stopping it stops this cluster alone (`ray stop` would stop every Ray on the machine)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

RAY_BIN = Path(sys.executable).with_name("ray")


def start_head(node_cache: Path, num_cpus: int = 2, timeout: float = 90.0) -> tuple[str, subprocess.Popen]:
    """(address, process) of a head on loopback whose node keeps its models in `node_cache`;
    this process is connected to it when this returns."""
    from dl_core.engine.ray_executor import connect

    port = _free_port()
    # No Serve proxies to drain: without this the head waits 30 s on SIGTERM.
    env = dict(os.environ, DL_LAB_CACHE_DIR=str(node_cache), RAY_USAGE_STATS_ENABLED="0",
               RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S="0")
    head = subprocess.Popen(
        [str(RAY_BIN), "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
         "--include-dashboard=false", f"--num-cpus={num_cpus}", "--num-gpus=0",
         f"--object-store-memory={200 * 2**20}", "--disable-usage-stats"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if head.poll() is not None:
            raise RuntimeError(f"ray start exited with code {head.returncode}")
        try:
            connect(address)
            return address, head
        except ValueError:
            if time.monotonic() > deadline:
                stop_head(head)
                raise
            time.sleep(1.0)


def stop_head(head: subprocess.Popen) -> None:
    import ray

    ray.shutdown()
    # SIGTERM to the head alone: its handler stops its processes in order (SIGTERM to the whole
    # group at once leaves `ray start --block` waiting); SIGKILL to what is left.
    head.terminate()
    try:
        head.wait(20)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(head.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
