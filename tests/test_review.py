"""The review app's rules through its HTTP API: roles, locks, optimistic locking, paths, bad input,
background regeneration, the audit log, and a server killed mid-regeneration."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile
from fastapi.testclient import TestClient

from cuecraft.project import Project, TakeStatus
from cuecraft.review.service import Actor, ReviewService, SettingsChange
from cuecraft.review.store import MIGRATIONS, ProjectStore
from cuecraft.review.waveform import peak_envelope
from cuecraft.review.webapp import create_app
from tests.conftest import PASSWORD

COMPOSER = Actor("clara", "composer")


def client_for(service: ReviewService, user: str | None) -> TestClient:
    client = TestClient(create_app(service))
    if user:
        token = client.post("/api/login", json={"name": user, "password": PASSWORD}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
    return client


def finished_job(client: TestClient, job: int, seconds: float = 180) -> dict:
    """The job's status once it is no longer running (generous: a loaded CI machine is slow)."""
    deadline = time.monotonic() + seconds
    while (status := client.get(f"/api/jobs/{job}").json())["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
    return status


def test_login_is_required_and_passwords_are_checked(review_project: ReviewService) -> None:
    anonymous = client_for(review_project, None)
    assert anonymous.get("/api/project").status_code == 401
    wrong = anonymous.post("/api/login", json={"name": "clara", "password": "not the password"})
    assert wrong.status_code == 401 and "wrong password" in wrong.json()["detail"]
    seen = client_for(review_project, "clara").get("/api/project").json()
    assert seen["role"] == "composer"
    assert "japanese" in seen["styles"] and seen["treatments"][-1] == "reharmonization"  # the page offers every ensemble (localized ones too)
    with ProjectStore(review_project.folder).connect() as db:
        stored = [row[0] for row in db.execute("SELECT password_hash FROM users")]
    assert all(h.startswith("scrypt$") and PASSWORD not in h for h in stored)


def test_roles_are_enforced_on_every_write(review_project: ReviewService) -> None:
    viewer, director = client_for(review_project, "vera"), client_for(review_project, "dan")
    assert viewer.get("/api/project").status_code == 200
    denied = viewer.post("/api/cues/1M1/takes/1M1-t1/status", json={"status": "approved"})
    assert denied.status_code == 403 and "viewer may not approve" in denied.json()["detail"]
    assert viewer.post("/api/cues/1M1/notes", json={"text": "nice"}).status_code == 403
    assert director.post("/api/cues/1M1/takes/1M1-t1/status", json={"status": "approved"}).status_code == 200
    assert director.post("/api/cues/1M1/regenerate", json={"tempo": 90}).status_code == 403
    assert director.post("/api/cues/1M1/lock", json={"locked": True}).status_code == 403
    project, _ = review_project.project()
    assert project.cue("1M1").take("1M1-t1").status == TakeStatus.approved
    assert Project.load(review_project.folder).cue("1M1").take("1M1-t1").status == TakeStatus.approved  # exported


def test_a_locked_cue_refuses_regeneration_and_decisions(review_project: ReviewService) -> None:
    composer = client_for(review_project, "clara")
    assert composer.post("/api/cues/1M2/lock", json={"locked": True}).status_code == 200
    refused = composer.post("/api/cues/1M2/regenerate", json={"tempo": 100})
    assert refused.status_code == 409 and "locked" in refused.json()["detail"]
    assert composer.post("/api/cues/1M2/takes/1M2-t1/status", json={"status": "rejected"}).status_code == 409
    with pytest.raises(Exception, match="locked"):
        review_project.regenerate(COMPOSER, "1M2", SettingsChange(tempo=100))
    assert len(review_project.project()[0].cue("1M2").takes) == 1
    assert composer.post("/api/cues/1M2/lock", json={"locked": False}).status_code == 200


def test_concurrent_approvals_end_in_one_consistent_state(review_project: ReviewService) -> None:
    second = review_project.regenerate(COMPOSER, "1M3", SettingsChange(seed=9))
    takes = ["1M3-t1", second.id]
    errors: list[Exception] = []

    def approve(take: str) -> None:
        try:
            ReviewService(review_project.folder).set_status(COMPOSER, "1M3", take, TakeStatus.approved)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(takes[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    cue = review_project.project()[0].cue("1M3")
    assert sum(t.status == TakeStatus.approved for t in cue.takes) == 1
    assert len([e for e in review_project.store.history("1M3") if e.action == "approved"]) == 8

    # Pinned to a version, the second of two writers gets a conflict instead of a silent overwrite.
    composer = client_for(review_project, "clara")
    version = composer.get("/api/project").json()["version"]
    first = composer.post("/api/cues/1M3/takes/1M3-t1/status", json={"status": "approved", "version": version})
    late = composer.post(f"/api/cues/1M3/takes/{second.id}/status", json={"status": "approved", "version": version})
    assert first.status_code == 200 and late.status_code == 409


def test_paths_never_come_from_the_request(review_project: ReviewService) -> None:
    composer = client_for(review_project, "clara")
    assert composer.get("/media/takes/1M1/1M1-t1.wav").status_code == 200
    for url in ("/media/takes/1M1/..%2F..%2Fproject.wav", "/media/takes/..%2F..%2F/etc.wav", "/media/takes/1M1/1M1-t9.wav"):
        assert composer.get(url).status_code == 404, url
    project, version = review_project.project()
    project.cue("1M1").takes[0].audio = "../../../../etc/passwd"  # a tampered project file
    review_project.store.save(project, version, "mallory", "tamper")
    refused = composer.get("/media/takes/1M1/1M1-t1.wav")
    assert refused.status_code == 404 and "no cue or take file" in refused.json()["detail"]


def test_bad_json_gets_a_4xx_with_a_message(review_project: ReviewService) -> None:
    composer = client_for(review_project, "clara")
    broken = composer.post("/api/cues/1M1/notes", content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422 and "JSON" in str(broken.json()["detail"])
    unknown = composer.post("/api/cues/1M1/takes/1M1-t1/status", json={"status": "maybe"})
    assert unknown.status_code == 422 and "status" in str(unknown.json()["detail"])
    assert composer.post("/api/cues/9M9/notes", json={"text": "hello"}).status_code == 404


def test_regeneration_runs_in_the_background_and_adds_a_take(review_project: ReviewService) -> None:
    composer = client_for(review_project, "clara")
    started = composer.post("/api/cues/1M4/regenerate", json={"tempo": 84, "style": "electronic", "seed": 5, "intensity": 0.8,
                                                          "theme_treatment": "reharmonization", "theme": "T2"})
    assert started.status_code == 202
    status = finished_job(composer, started.json()["job"])
    assert status["state"] == "done" and status["progress"] == 1.0, status
    project = review_project.project()[0]
    cue = project.cue("1M4")
    new = cue.takes[-1]
    assert new.id == "1M4-t2" and new.settings.style == "electronic" and new.settings.tempo == 84 and new.source == "regenerated"
    assert new.settings.theme_treatment == "reharmonization" and new.settings.theme == "T2"
    unknown = composer.post("/api/cues/1M4/regenerate", json={"theme": "T7"})
    assert unknown.status_code == 400 and "no such theme" in unknown.json()["detail"]
    info = soundfile.info(review_project.folder / new.audio)
    assert abs(info.frames - project.film.frames_to_samples(cue.n_frames, 48000)) <= 1
    note = composer.post("/api/cues/1M4/notes", json={"text": "better: keep the synth", "take": new.id})
    assert note.status_code == 200
    log = [(e.user, e.action, e.take) for e in review_project.store.history("1M4")]
    assert log == [("clara", "regenerate", "1M4-t2"), ("clara", "note", "1M4-t2")]
    roll = composer.get(f"/media/takes/1M4/{new.id}.png")
    assert roll.status_code == 200 and roll.content[:4] == b"\x89PNG"
    wave = composer.get(f"/media/takes/1M4/{new.id}.peaks").json()
    audio, rate = soundfile.read(review_project.folder / new.audio)
    assert wave["seconds"] == pytest.approx(len(audio) / rate) and len(wave["peaks"]) == 600
    assert max(wave["peaks"]) == pytest.approx(min(1.0, abs(audio).max()), abs=1e-3)


def test_a_waveform_overview_holds_each_slices_peak(tmp_path: Path) -> None:
    """Silence, then a tone at half scale on the right channel only, then a click at 0.9: each slice its own peak."""
    rate = 8000
    audio = np.zeros((3 * rate, 2), dtype=np.float32)
    audio[rate : 2 * rate, 1] = 0.5 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)
    audio[int(2.5 * rate), 0] = -0.9
    soundfile.write(tmp_path / "take.wav", audio, rate, subtype="FLOAT")
    wave = peak_envelope(tmp_path / "take.wav", bins=30)
    peaks = wave["peaks"]
    assert wave["seconds"] == 3.0 and len(peaks) == 30
    assert max(peaks[:10]) == 0.0 and min(peaks[10:20]) > 0.45 and max(peaks[10:20]) == pytest.approx(0.5, abs=1e-3)
    assert peaks[25] == pytest.approx(0.9, abs=1e-3) and peaks[20:25] == [0.0] * 5 and peaks[26:] == [0.0] * 4


def test_the_audit_log_is_append_only(review_project: ReviewService) -> None:
    review_project.add_note(COMPOSER, "1M1", "louder horns")
    with pytest.raises(Exception, match="append-only"):
        with review_project.store.connect() as db:
            db.execute("DELETE FROM audit")
    assert review_project.store.schema_version() == len(MIGRATIONS)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_killing_the_server_mid_regeneration_loses_nothing(review_project: ReviewService, baseline_path: Path) -> None:
    folder = review_project.folder
    review_project.set_status(COMPOSER, "1M5", "1M5-t1", TakeStatus.approved)
    approved = folder / review_project.project()[0].cue("1M5").take("1M5-t1").audio
    digest = hashlib.sha256(approved.read_bytes()).hexdigest()
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "cuecraft", "review", str(folder), "--port", str(port), "--model", "baseline",
                               "--model-path", str(baseline_path)], start_new_session=True)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        token = httpx.post(base + "/api/login", json={"name": "clara", "password": PASSWORD}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.post(base + "/api/cues/1M5/regenerate", json={"seed": 3}, headers=headers).status_code == 202
        time.sleep(0.6)  # mid-regeneration (model load, composing or rendering)
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    restarted = ReviewService(folder)
    project = restarted.project()[0]
    assert project.cue("1M5").take("1M5-t1").status == TakeStatus.approved
    assert hashlib.sha256(approved.read_bytes()).hexdigest() == digest
    assert Project.load(folder).cue("1M5").take("1M5-t1").status == TakeStatus.approved
    assert not list((folder / "cues").glob(".*"))  # no temporary left behind
    for cue in project.cues:
        for take in cue.takes:
            assert soundfile.info(folder / take.audio).frames > 0
    assert all(e.action != "regenerate" or e.take for e in restarted.store.history())


def test_review_verbs_from_the_command_line(review_project: ReviewService) -> None:
    folder = str(review_project.folder)
    run = [sys.executable, "-m", "cuecraft"]
    approved = subprocess.run([*run, "approve", "1M6", "1M6-t1", "-p", folder, "--user", "ana"], capture_output=True, text=True)
    assert approved.returncode == 0, approved.stderr
    listing = subprocess.run([*run, "takes", "-p", folder], capture_output=True, text=True).stdout
    assert "1M6-t1   approved" in listing
    missing = subprocess.run([*run, "approve", "1M6", "1M6-t7", "-p", folder], capture_output=True, text=True)
    assert missing.returncode == 2 and "no take '1M6-t7'" in missing.stderr
    log = subprocess.run([*run, "history", "-p", folder, "--cue", "1M6"], capture_output=True, text=True).stdout
    assert "ana" in log and "approved" in log
    added = subprocess.run([*run, "add-user", "eve", "--role", "editor", "-p", folder], capture_output=True, text=True,
                           env={**os.environ, "CUECRAFT_PASSWORD": "editor password"})  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert client_for(review_project, None).post("/api/login", json={"name": "eve", "password": "editor password"}).status_code == 200


def test_a_daw_edited_midi_becomes_a_take_that_renders_to_the_cue_length(review_project: ReviewService, tmp_path: Path) -> None:
    import pretty_midi

    project, _ = review_project.project()
    cue = project.cue("1M7")
    edited = pretty_midi.PrettyMIDI(str(review_project.folder / cue.takes[0].midi))
    for instrument in edited.instruments:
        for n in instrument.notes:
            n.pitch += 2  # the composer moved it up a tone
    path = tmp_path / "1M7 edited.mid"
    edited.write(str(path))
    result = subprocess.run([sys.executable, "-m", "cuecraft", "import-take", "1M7", str(path), "-p", str(review_project.folder)],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    take = review_project.project()[0].cue("1M7").takes[-1]
    assert take.source == "imported" and take.id == "1M7-t2"
    assert soundfile.info(review_project.folder / take.audio).frames == project.film.frames_to_samples(cue.n_frames, 48000)
    again = pretty_midi.PrettyMIDI(str(review_project.folder / take.midi))
    assert sorted(n.pitch for i in again.instruments for n in i.notes) == sorted(n.pitch for i in edited.instruments for n in i.notes)
    empty = tmp_path / "empty.mid"
    pretty_midi.PrettyMIDI().write(str(empty))
    refused = subprocess.run([sys.executable, "-m", "cuecraft", "import-take", "1M7", str(empty), "-p", str(review_project.folder)],
                             capture_output=True, text=True)  # fmt: skip
    assert refused.returncode == 2 and "has no notes to import" in refused.stderr


def test_export_delivers_the_approved_score_in_the_background(review_project: ReviewService) -> None:
    import json

    composer = client_for(review_project, "clara")
    music = [c.id for c in review_project.project()[0].cues if c.music]
    assert composer.post("/api/cues/1M1/takes/1M1-t1/status", json={"status": "approved"}).status_code == 200
    assert client_for(review_project, "vera").post("/api/export", json={}).status_code == 403
    assert len(music) > 1  # an "approved score" with cues nobody approved is refused, naming them, unless asked for knowingly
    refused = composer.post("/api/export", json={"preset": "ebu-r128"})
    assert refused.status_code == 409 and ", ".join(music[1:]) in refused.json()["detail"]
    status = finished_job(composer, composer.post("/api/export", json={"preset": "ebu-r128", "include_unapproved": True}).json()["job"])
    assert status["state"] == "done", status
    first = composer.get("/api/exports").json()[0]
    report = json.loads((review_project.folder / "delivery" / first["name"] / "loudness.json").read_text())
    assert report["preset"]["name"] == "ebu-r128" and abs(report["measured"]["integrated_lufs"] + 23.0) <= 0.5
    before = (review_project.folder / "delivery" / first["name"] / "loudness.json").read_bytes()
    assert finished_job(composer, composer.post("/api/export", json={"include_unapproved": True}).json()["job"])["state"] == "done"
    listed = composer.get("/api/exports").json()
    assert len(listed) == 2 and listed[1]["name"] == first["name"]  # a second export is a new folder: the first is kept
    assert (review_project.folder / "delivery" / first["name"] / "loudness.json").read_bytes() == before
    wav = next(f for f in listed[0]["files"] if f.endswith(".wav"))
    download = composer.get(f"/media/exports/{listed[0]['name']}/{wav}")
    assert download.status_code == 200 and download.content[:4] == b"RIFF"
    assert composer.get(f"/media/exports/{listed[0]['name']}/../../project.json").status_code in (400, 404)
    exports = [e for e in review_project.store.history() if e.action == "export"]
    assert len(exports) == 2 and exports[0].detail["unapproved"] == music[1:]


def test_a_job_whose_take_was_saved_before_the_server_died_is_done_not_interrupted(review_project: ReviewService) -> None:
    store = review_project.store
    saved, lost = store.create_job("regenerate", "1M1", "clara"), store.create_job("regenerate", "1M2", "clara")
    for job in (saved, lost):
        store.update_job(job, 0.9, "saving")
    store.log("clara", "regenerate", "1M1", "1M1-t7")  # the save's audit entry, as the save writes it with the project
    restarted = ReviewService(review_project.folder)
    assert restarted.store.job(saved)["state"] == "done" and restarted.store.job(saved)["message"] == "1M1-t7"
    assert restarted.store.job(lost)["state"] == "interrupted"
