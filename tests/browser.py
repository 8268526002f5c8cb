"""Helpers for browser tests: a uvicorn server in a thread, Debian's Chromium driven by playwright."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("CUECRAFT_SCREENSHOTS", Path(__file__).resolve().parents[1] / "out" / "screenshots"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app) -> Iterator[str]:  # noqa: ANN001 - any ASGI app
    """Serve `app` on a free local port for the block; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium page (Debian's browser; playwright never downloads one)."""
    if not CHROMIUM.is_file():
        pytest.skip("Debian chromium is not installed (make install does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--autoplay-policy=no-user-gesture-required", "--no-sandbox"])  # fmt: skip
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 900})
        finally:
            browser.close()


def log_in(page, url: str, name: str, password: str) -> None:  # noqa: ANN001 - a playwright Page
    """Open the review page at `url` and log in."""
    page.goto(url)
    page.fill("#loginName", name)
    page.fill("#loginPassword", password)
    page.click("#loginButton")
