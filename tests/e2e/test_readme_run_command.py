"""The first README command starts a real server: run it on a free port and ask /healthz."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import free_port


def test_shopcare_run_demo_serves_healthz(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "NICEGUI"))}
    env["SHOPCARE_DATA_DIR"] = str(tmp_path / "data")
    exe = shutil.which("shopcare") or shutil.which(
        "shopcare", path=str(Path(sys.executable).parent)
    )
    command = (
        [exe, "run", "--demo", "--port", str(port)]
        if exe
        else [sys.executable, "-m", "shopcare", "run", "--demo", "--port", str(port)]
    )
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        health = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None, f"server did not answer; exit code {server.poll()}"
        assert health.status_code == 200, health.text
        body = health.json()
        assert body["database"] == {"ok": True, "schema_current": True}
        assert body["scheduler"]["running"] is True
        jobs = {j["id"] for j in body["scheduler"]["jobs"]}
        assert jobs == {
            "poll", "dispatch", "flush_views", "reconcile", "heartbeat", "backup", "reminders",
            "retention", "return_labels", "return_watch",
        }  # fmt: skip
        login = httpx.get(f"http://127.0.0.1:{port}/admin", follow_redirects=False, timeout=5)
        assert login.status_code in (302, 303, 307)
        assert "/admin/login" in login.headers["location"]
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert "Demo admin login: user 'admin', password '" in output
    assert "Traceback" not in output
