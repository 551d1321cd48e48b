"""An app host as `make run` starts it (scripts/run.sh: migrate, superadmin, gunicorn), and a small HTTP client that
signs in to it, for the tests of several hosts and for bench/load_bench.py."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# These hosts are about sharing a database and a directory: their superadmin signs in with its password alone
# (tests/security/test_two_factor.py covers the second step).
NO_SECOND_FACTOR = {"MFA_REQUIRED_FOR": ""}


class AppHost:
    """`scripts/run.sh 127.0.0.1 PORT` with `env` on top of this process' environment (LDAP_URL set, so the
    throwaway directory of `make run` is not used); its output goes to `log`."""

    def __init__(self, port: int, env: dict[str, str], log: Path):
        self.port, self.env, self.log = port, env, log
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, seconds: float = 120) -> None:
        with open(self.log, "ab") as log:
            self._proc = subprocess.Popen(["bash", "scripts/run.sh", "127.0.0.1", str(self.port)], cwd=ROOT,
                                          env={**os.environ, **NO_SECOND_FACTOR, **self.env}, stdin=subprocess.DEVNULL,
                                          stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"app host exited with {self._proc.returncode}: {self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/login/", timeout=5) as response:  # noqa: S310 - http on loopback
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"app host did not answer within {seconds} s: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)  # gunicorn and its workers
            try:
                self._proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
        self._proc = None


@dataclass
class Answer:
    status: int
    location: str
    body: str


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer the caller looks at


class Console:
    """One signed-in browser session on `base_url`: cookies kept, CSRF token sent with every POST, no redirects
    followed. Sessions live in the database, so a session signed in on one host is valid on another sharing it."""

    def __init__(self, base_url: str, cookies: http.cookiejar.CookieJar | None = None):
        self.base_url = base_url
        self.cookies = cookies if cookies is not None else http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def on(self, base_url: str) -> Console:
        """The same session (cookies) against another host."""
        return Console(base_url, self.cookies)

    def get(self, path: str) -> Answer:
        return self._send(self._request(path))

    def post(self, path: str, data: dict[str, str]) -> Answer:
        token = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        return self._send(self._request(path, data=body, headers={"Referer": self.base_url}))

    def sign_in(self, username: str, password: str) -> None:
        self.get("/login/")  # the CSRF cookie
        answer = self.post("/login/", {"username": username, "password": password})
        if answer.status != 302:
            raise AssertionError(f"sign-in as {username} failed ({answer.status})")

    def _request(self, path: str, **options) -> urllib.request.Request:
        return urllib.request.Request(self.base_url + path, **options)  # noqa: S310 - always the host's http:// URL

    def _send(self, request: urllib.request.Request) -> Answer:
        try:
            with self._opener.open(request, timeout=60) as response:
                return Answer(response.status, response.headers.get("Location", ""), response.read().decode())
        except urllib.error.HTTPError as e:  # 3xx (not followed), 4xx and 5xx are answers too
            return Answer(e.code, e.headers.get("Location", ""), e.read().decode())
