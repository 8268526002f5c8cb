"""The review app under a hostile-but-fair QA pass (issue 13): each finding reproduced and shown closed."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from cuecraft.review import auth
from cuecraft.review.jobs import MAX_WAITING, WORKERS, JobRunner
from cuecraft.review.service import ReviewService
from cuecraft.review.webapp import create_app
from tests.conftest import PASSWORD

OWN = "http://testserver"


def logged_in(service: ReviewService, user: str = "clara") -> tuple[TestClient, str]:
    """A client holding only the session cookie (as a browser does), and the session's token."""
    client = TestClient(create_app(service))
    response = client.post("/api/login", json={"name": user, "password": PASSWORD})
    assert response.status_code == 200
    return client, response.json()["token"]


def test_logout_ends_the_session(review_project: ReviewService) -> None:
    client, token = logged_in(review_project)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/project", headers=bearer).status_code == 200
    assert client.post("/api/logout", headers=bearer).status_code == 200
    assert client.get("/api/project", headers=bearer).status_code == 401


def test_sessions_expire_when_idle_or_old_and_a_password_reset_revokes_them(review_project: ReviewService, monkeypatch) -> None:  # noqa: ANN001
    store = review_project.store
    _, idle = logged_in(review_project)
    _, old = logged_in(review_project)
    _, fresh = logged_in(review_project, "dan")
    with store.transaction() as db:
        db.execute("UPDATE sessions SET seen = seen - ? WHERE token_hash = ?", (auth.SESSION_IDLE_S + 1, auth._token_hash(idle)))
        db.execute("UPDATE sessions SET started = started - ? WHERE token_hash = ?", (auth.SESSION_MAX_S + 1, auth._token_hash(old)))
    for token in (idle, old):
        with pytest.raises(auth.Unauthorized):
            auth.user_for_token(store, token)
    assert auth.user_for_token(store, fresh) == ("dan", "director")
    auth.add_user(store, "dan", "director", "a brand new password")  # the password is reset
    with pytest.raises(auth.Unauthorized):
        auth.user_for_token(store, fresh)
    logged_in(review_project, "vera")  # a login prunes the dead sessions
    with store.connect() as db:
        assert db.execute("SELECT COUNT(*) FROM sessions WHERE token_hash IN (?, ?)",
                          (auth._token_hash(idle), auth._token_hash(old))).fetchone()[0] == 0  # fmt: skip


def test_wrong_passwords_lock_the_name_out_and_unknown_names_cost_as_much(review_project: ReviewService) -> None:
    client = TestClient(create_app(review_project))
    for _ in range(auth.MAX_FAILURES):
        assert client.post("/api/login", json={"name": "clara", "password": "wrong wrong"}).status_code == 401
    locked = client.post("/api/login", json={"name": "clara", "password": PASSWORD})
    assert locked.status_code == 429 and "try again" in locked.json()["detail"]

    def seconds(name: str) -> float:
        started = time.perf_counter()
        client.post("/api/login", json={"name": name, "password": "not it at all"})
        return time.perf_counter() - started

    known = min(seconds("dan") for _ in range(5))  # the least disturbed of five: other processes only add time
    unknown = min(seconds("nobody-here") for _ in range(5))
    assert unknown > 0.6 * known  # scrypt runs for unknown names too


def test_bodies_are_limited_before_parsing_and_never_echoed(review_project: ReviewService) -> None:
    client = TestClient(create_app(review_project))
    huge = client.post("/api/login", content=b'{"name": "' + b"x" * 300_000 + b'"}', headers={"content-type": "application/json"})
    assert huge.status_code == 413 and len(huge.content) < 200
    secret = "s3cret-" + "y" * 300
    invalid = client.post("/api/login", json={"name": "clara", "password": secret})
    assert invalid.status_code == 422 and secret not in invalid.text and "\n" not in invalid.json()["detail"]


@pytest.mark.parametrize("method, url, body", [
    ("GET", "/api/jobs/99999999999999999999999", None),
    ("POST", "/api/cues/1M1/regenerate", '{"tempo": NaN}'),
    ("POST", "/api/cues/1M1/regenerate", '{"valence": Infinity}'),
    ("POST", "/api/cues/1M1/takes/1M1-t1/level", '{"db": NaN}'),
    ("POST", "/api/cues/1M1/notes", '{"text": "\\ud800"}'),
    ("POST", "/api/cues/1M1/regenerate", '{"key": "H major"}'),
    ("POST", "/api/cues/1M1/regenerate", '{"style": "polka"}'),
    ("POST", "/api/cues/1M1/regenerate", '{"seed": 1000000000000000000000000000000}'),
    ("POST", "/api/cues/1M1/takes/1M1-t1/regenerate-bars", '{"first": 5, "last": 2}'),
    ("POST", "/api/export", '{"preset": "nope"}'),
])  # fmt: skip
def test_bad_requests_get_one_line_and_start_no_job(review_project: ReviewService, method: str, url: str, body: str | None) -> None:
    client, token = logged_in(review_project)
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    response = client.request(method, url, content=body, headers=headers)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail
    with review_project.store.connect() as db:
        assert db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 0


def test_state_changes_must_come_from_the_apps_own_page(review_project: ReviewService) -> None:
    client, _ = logged_in(review_project)  # the session cookie only, as a browser holds it
    note = {"text": "from a forged page"}
    assert client.post("/api/cues/1M1/notes", json=note, headers={"Origin": "http://evil.example:8080"}).status_code == 403
    assert client.post("/api/cues/1M1/notes", json=note, headers={"Origin": "http://testserver:9999"}).status_code == 403
    assert client.post("/api/cues/1M1/notes", json=note).status_code == 403  # a cookie and no Origin
    assert client.post("/api/cues/1M1/notes", json=note, headers={"Origin": OWN}).status_code == 200
    assert client.post("/api/cues/1M1/notes", json=note, headers={"Referer": f"{OWN}/"}).status_code == 200
    assert client.get("/openapi.json").status_code == 404


def test_background_jobs_wait_in_a_bounded_queue_and_can_be_cancelled(review_project: ReviewService) -> None:
    runner = JobRunner(review_project.store)
    release = threading.Event()

    def slow(report) -> str:  # noqa: ANN001
        report(0.5, "working")
        release.wait(30)
        report(0.9, "nearly")
        return "made"

    jobs = [runner.submit("regenerate", "1M1", "clara", slow) for _ in range(WORKERS + MAX_WAITING)]
    with pytest.raises(Exception, match="try again"):
        runner.submit("regenerate", "1M1", "clara", slow)
    assert runner.cancel(jobs[-1]) and runner.cancel(jobs[0])
    release.set()
    deadline = time.monotonic() + 30
    while any(review_project.store.job(j)["state"] in ("queued", "running") for j in jobs) and time.monotonic() < deadline:
        time.sleep(0.05)
    states = [review_project.store.job(j)["state"] for j in jobs]
    assert states[0] == "cancelled" and states[-1] == "cancelled" and set(states[1:-1]) == {"done"}
    assert not runner.cancel(jobs[1])  # a finished job cannot be cancelled
