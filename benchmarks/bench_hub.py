"""Capacity of one machine as a course hub: memory per user server and click-to-saved latency at 1, 5, 10, 20 users.

Starts JupyterHub from deploy/jupyterhub/jupyterhub_config.py on 127.0.0.1 (the course hub environment of
``make hub-env``; root, because every user is a Unix account), with one extra service token that creates the users
and starts their servers through the hub's REST API. In each user's server it opens the exercise's editor notebook
as a kernel session and builds the editor as the notebook does (the trainee pack of the Karish exercise, blind
rating and structure locked).

Memory: proportional set size (PSS, shared pages split between their users) of every process of the user's Unix
account (the single-user server and its kernel with the editor open), and of the hub and its proxy.
Latency: every user "clicks" R cells at once, with a random think time between clicks: the message a click in the
grid sends (a widget comm message, through the proxy and the user's server to the kernel) and the time until the
kernel reports the status "Saved", which it does after the atomic write of ratings/<user>.csv and the rescoring.
One user is the baseline of the same run. Loopback only; bounded in time; everything started is stopped.

Run (as root): .venv/bin/python benchmarks/bench_hub.py [--users 1,5,10,20] [--clicks 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
HUB_BIN = Path(os.environ.get("SAT_HUB_ENV", "/opt/sat-hub-env")) / "bin"
TOKEN = secrets.token_hex(16)
STEP_TIMEOUT = 300  # seconds for one server to start or one kernel to build the editor
CLICK_TIMEOUT = 120  # seconds for one click to be saved
EDITOR_CODE = """from sat.widgets import ach_editor
_editor = ach_editor("case", "", blind=True, lock_blind=True, lock_structure=True)
print(_editor.grid.model_id, _editor.status.model_id, _editor.session.analyst)"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(url: str, method: str = "GET", body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=STEP_TIMEOUT) as response:
        text = response.read().decode()
    return json.loads(text) if text else {}


def pss_mib(pids: list[int]) -> float:
    """Sum of the processes' proportional set sizes, MiB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


def pids_of(user: str) -> list[int]:
    out = subprocess.run(["pgrep", "-u", user], capture_output=True, text=True, check=False).stdout
    return [int(p) for p in out.split()]


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    children = [int(p) for p in out.split()]
    return children + [d for c in children for d in descendants(c)]


class Kernel:
    """One user's kernel, spoken to over the server's websocket as a browser would."""

    def __init__(self, base: str, user: str):
        self.base, self.user, self.session = base, user, uuid.uuid4().hex
        self.ws = None
        self.waiters: dict[str, asyncio.Future] = {}
        self.output: list[str] = []
        self.grid = self.status = ""

    async def open(self) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        session = await asyncio.to_thread(
            api,
            f"{self.base}/user/{self.user}/api/sessions",
            "POST",
            {
                "path": "workbook/karish-ach/ach_editor.ipynb",
                "type": "notebook",
                "name": "",
                "kernel": {"name": "python3"},
            },
        )
        url = (
            f"{self.base.replace('http', 'ws')}/user/{self.user}/api/kernels/{session['kernel']['id']}/channels"
            f"?session_id={self.session}"
        )
        self.ws = await websocket_connect(
            HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"}), max_message_size=64 * 1024 * 1024
        )
        asyncio.get_running_loop().create_task(self._read())
        done = asyncio.get_running_loop().create_future()
        request = self._send(
            "shell",
            "execute_request",
            {
                "code": EDITOR_CODE,
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        self.waiters[request] = done
        await asyncio.wait_for(done, STEP_TIMEOUT)
        words = "".join(self.output).split()
        if len(words) != 3 or words[2] != self.user:
            raise RuntimeError(f"{self.user}: the editor did not open as that user: {''.join(self.output)[-500:]}")
        self.grid, self.status = words[0], words[1]

    def _send(self, channel: str, kind: str, content: dict) -> str:
        header = {
            "msg_id": uuid.uuid4().hex,
            "username": self.user,
            "session": self.session,
            "msg_type": kind,
            "version": "5.3",
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self.ws.write_message(
            json.dumps(
                {
                    "header": header,
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": channel,
                    "buffers": [],
                }
            )
        )
        return header["msg_id"]

    async def _read(self) -> None:
        while True:
            text = await self.ws.read_message()
            if text is None or isinstance(text, bytes):
                if text is None:
                    return
                continue
            message = json.loads(text)
            kind, content = message["header"]["msg_type"], message["content"]
            if kind == "stream":
                self.output.append(content.get("text", ""))
            elif kind == "error":
                self.output.append("\n".join(content.get("traceback", [])))
            elif kind == "status" and content.get("execution_state") == "idle":
                parent = message.get("parent_header", {}).get("msg_id")
                if parent in self.waiters:
                    self.waiters.pop(parent).set_result(True)
            elif kind == "comm_msg" and content.get("comm_id") == self.status:
                value = content.get("data", {}).get("state", {}).get("value", "")
                failed = "sat-status-error" in value or "sat-status-conflict" in value
                if "sat-status-saved" in value and "saved" in self.waiters:
                    self.waiters.pop("saved").set_result(time.perf_counter())
                elif failed and "saved" in self.waiters:
                    self.waiters.pop("saved").set_exception(RuntimeError(f"{self.user}: {value[-300:]}"))

    async def click(self, evidence: str, hypothesis: str, code: str) -> float:
        """Seconds from sending a click's message to the status "Saved"."""
        done = asyncio.get_running_loop().create_future()
        self.waiters["saved"] = done
        start = time.perf_counter()
        self._send(
            "shell",
            "comm_msg",
            {
                "comm_id": self.grid,
                "data": {
                    "method": "custom",
                    "content": {"event": "rate", "evidence": evidence, "hypothesis": hypothesis, "code": code},
                },
            },
        )
        return await asyncio.wait_for(done, CLICK_TIMEOUT) - start


async def rate_all(kernels: list[Kernel], cells: list[tuple[str, str]], clicks: int, rng: random.Random) -> list[float]:
    codes = ["CC", "C", "N", "I", "II"]

    async def one(kernel: Kernel, offset: int) -> list[float]:
        times = []
        for k in range(clicks):
            await asyncio.sleep(rng.uniform(0.5, 1.5))  # think time between two clicks
            evidence, hypothesis = cells[(offset + k) % len(cells)]
            times.append(await kernel.click(evidence, hypothesis, codes[(offset + k) % len(codes)]))
        return times

    results = await asyncio.gather(*(one(k, i * 7) for i, k in enumerate(kernels)))
    return [t for r in results for t in r]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(levels: list[int], clicks: int, base: Path) -> None:
    from sat.paths import repo_root
    from sat.store import load_case

    pristine = repo_root()
    case = load_case(pristine / "data" / "cases" / "karish")
    cells = [(e, h) for e in case.evidence_ids for h in case.hypothesis_ids]
    tag = secrets.token_hex(2)
    group = f"satbn{tag}"
    materials = base / "materials"
    shutil.copytree(pristine / "data" / "cases" / "karish", materials / "data" / "cases" / "karish")
    shutil.copytree(pristine / "data" / "exercises" / "karish-ach", materials / "data" / "exercises" / "karish-ach")
    shutil.copytree(pristine / "notebooks" / "ach", materials / "notebooks" / "ach")
    homes = base / "home"
    homes.mkdir(mode=0o755)
    overlay = base / "bench_config.py"
    overlay.write_text(
        f"c = get_config()\nload_subconfig({str(CONFIG)!r})\n"
        f"c.JupyterHub.services = [{{'name': 'sat-bench', 'api_token': {TOKEN!r}}}]\n"
        "c.JupyterHub.load_roles = list(c.JupyterHub.load_roles) + [{'name': 'sat-bench', 'services': ['sat-bench'],"
        " 'scopes': ['admin:users', 'admin:servers', 'access:servers']}]\n"
    )
    env = {
        **os.environ,
        "SAT_ROOT": str(materials),
        "SAT_HUB_INSTRUCTORS": "",
        "SAT_HUB_EXERCISE": "karish-ach",
        "SAT_HUB_HOME_BASE": str(homes),
        "SAT_HUB_STATE_DIR": str(base / "state"),
        "SAT_HUB_GROUP": group,
    }
    with open(base / "hub.log", "wb") as log:
        hub = None
        users: list[str] = []
        kernels: list[Kernel] = []
        try:
            for _ in range(3):  # another process may take a chosen port before the hub binds it: start again
                port, hub_port, api_port = free_port(), free_port(), free_port()
                hub = subprocess.Popen(
                    [
                        str(HUB_BIN / "jupyterhub"),
                        "-f",
                        str(overlay),
                        "--ip=127.0.0.1",
                        f"--port={port}",
                        f"--JupyterHub.hub_port={hub_port}",
                        f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{api_port}",
                    ],
                    cwd=base,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                url = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + 120
                while hub.poll() is None and time.monotonic() < deadline:
                    try:
                        api(f"{url}/hub/api/")
                        break
                    except OSError:
                        time.sleep(0.5)
                if hub.poll() is None and time.monotonic() < deadline:
                    break
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(hub.pid, signal.SIGKILL)
            else:
                raise RuntimeError(f"the hub did not start: {(base / 'hub.log').read_text()[-2000:]}")
            rng = random.Random(12)
            print(
                f"{'users':>5} {'start s/user':>12} {'PSS MiB/user (median, max)':>27} {'hub+proxy MiB':>13} "
                f"{'click-to-saved ms (median, p95, max)':>37} {'clicks':>6}"
            )
            for level in levels:
                started, before = time.perf_counter(), len(users)
                while len(users) < level:
                    name = f"bu{tag}{len(users) + 1:02d}"
                    api(f"{url}/hub/api/users/{name}", "POST")
                    api(f"{url}/hub/api/users/{name}/server", "POST")
                    deadline = time.monotonic() + STEP_TIMEOUT
                    while not api(f"{url}/hub/api/users/{name}").get("servers", {}).get("", {}).get("ready"):
                        if time.monotonic() > deadline:
                            raise RuntimeError(f"{name}'s server did not start")
                        await asyncio.sleep(0.5)
                    users.append(name)
                    kernel = Kernel(url, name)
                    await kernel.open()
                    kernels.append(kernel)
                per_start = (time.perf_counter() - started) / max(1, level - before)
                owned = {u: pids_of(u) for u in users}
                memory = [pss_mib(p) for p in owned.values()]
                user_pids = {pid for p in owned.values() for pid in p}
                hub_memory = pss_mib([hub.pid, *(d for d in descendants(hub.pid) if d not in user_pids)])
                latencies = await rate_all(kernels, cells, clicks, rng)
                ms = [t * 1000 for t in latencies]
                print(
                    f"{level:>5} {per_start:>12.1f} {statistics.median(memory):>15.0f}, {max(memory):>9.0f} "
                    f"{hub_memory:>13.0f} {statistics.median(ms):>15.0f}, {percentile(ms, 0.95):>8.0f}, "
                    f"{max(ms):>9.0f} {len(ms):>6}",
                    flush=True,
                )
        finally:
            for kernel in kernels:
                if kernel.ws is not None:
                    kernel.ws.close()
            if hub is not None and hub.poll() is None:
                os.killpg(hub.pid, signal.SIGTERM)
                try:
                    hub.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    os.killpg(hub.pid, signal.SIGKILL)
                    hub.wait()
            for name in users:
                for pid in pids_of(name):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                subprocess.run(["userdel", "--remove", name], capture_output=True, check=False)
            subprocess.run(["groupdel", group], capture_output=True, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="1,5,10,20", help="comma-separated user counts, ascending")
    parser.add_argument("--clicks", type=int, default=10, help="clicks per user at each level")
    args = parser.parse_args()
    if os.geteuid() != 0 or not (HUB_BIN / "jupyterhub").exists():
        print(f"needs root and the course hub environment in {HUB_BIN.parent} (`make hub-env`)", file=sys.stderr)
        return 2
    levels = sorted({int(n) for n in args.users.split(",")})
    with open("/proc/loadavg") as handle:
        load = handle.read().split()[:3]
    hub_python = subprocess.run(
        [str(HUB_BIN / "python"), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Linux {platform.release()}, "
        f"hub environment Python {hub_python}, load average before the run {' '.join(load)}"
    )
    base = Path(tempfile.mkdtemp(prefix="sat-bench-hub-", dir="/tmp"))
    os.chmod(base, 0o755)
    try:
        asyncio.run(run(levels, args.clicks, base))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
