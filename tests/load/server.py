"""A real gunicorn serving the app on 127.0.0.1, and a small keep-alive JSON client for it.

Load and crash tests start the server as production does (`gunicorn wsgi:app`, several workers and threads);
crash tests build the app with TESTING so the test-only pause in core.crashpoint may be armed.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8100, 8200)  # the ports this machine leaves to these tests
READY_SECONDS = 90
PRODUCTION_APP = "wsgi:app"
TESTING_APP = "core:create_app({'TESTING': True})"
IDLE_SECONDS = 1.0  # below gunicorn's keep-alive (2 s)


@dataclass
class Answer:
    status: int
    body: dict | list | None
    headers: dict[str, str]
    text: str = ""


class Client:
    """One clerk's connection: JSON in and out, the connection kept open between requests."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._connection: http.client.HTTPConnection | None = None
        self._last_used = 0.0
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers: dict | None = None, form: dict | None = None
                ) -> Answer:
        """Send one request; a connection the server dropped (a killed worker) raises ConnectionError."""
        payload, content_type = _payload(body, form)
        sent = {**self.headers, **(headers or {}), **({"Content-Type": content_type} if payload else {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if time.monotonic() - self._last_used > IDLE_SECONDS:
            self.close()  # gunicorn closes a connection idle for its keep-alive time; do not write into that race
        connection = self._connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self._connection = connection
        try:
            connection.request(method, path, body=payload, headers=sent)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise ConnectionError(f"{method} {path}: {error!r}") from error
        finally:
            self._last_used = time.monotonic()
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _sep, value = cookie.split(";")[0].partition("=")
            self.cookies[name.strip()] = value
        return _answer(response, data)

    def sign_in(self, username: str, password: str) -> None:
        """Sign in through the login form, as a person in a browser does (the session cookie is kept)."""
        page = self.get("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        answer = self.request("POST", "/login", form={"username": username, "password": password, "csrf_token": token})
        if answer.status != 302:
            raise AssertionError(f"sign-in failed: {answer.status}")

    def post(self, path: str, body=None, key: str | None = None) -> Answer:
        return self.request("POST", path, body, {"Idempotency-Key": key} if key else None)

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _payload(body, form: dict | None) -> tuple[bytes | None, str]:
    if form is not None:
        return urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
    return (json.dumps(body).encode() if body is not None else None), "application/json"


def _answer(response: http.client.HTTPResponse, data: bytes) -> Answer:
    text = data.decode("utf-8", "replace")
    body = None
    if response.getheader("Content-Type", "").startswith("application/json"):
        body = json.loads(text)
    return Answer(response.status, body, {key.lower(): value for key, value in response.getheaders()}, text)


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path

    def client(self, token: str | None = None) -> Client:
        return Client(self.port, token)

    def worker_pids(self) -> set[int]:
        """The worker processes gunicorn's master runs now."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def gunicorn(database_url: str, workdir: Path, workers: int = 4, threads: int = 4, app: str = PRODUCTION_APP,
             env: dict[str, str] | None = None) -> Iterator[Server]:
    """Run gunicorn against `database_url` until the block ends; `workdir` holds its instance folder and log."""
    port = free_port()
    log = workdir / f"gunicorn-{port}.log"
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5", "--timeout", "60", app]
    environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "load-test",
                   "INSTANCE_PATH": str(workdir / "instance"), **(env or {})}
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    server = Server(port, process, log)
    try:
        _wait_until_ready(server, workers)
        yield server
    finally:
        _stop(process)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def _wait_until_ready(server: Server, workers: int) -> None:
    deadline = time.monotonic() + READY_SECONDS
    client = server.client()
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            if client.get("/api/v1/openapi.json").status == 200 and len(server.worker_pids()) == workers:
                return
        except ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {READY_SECONDS} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
