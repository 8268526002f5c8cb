"""The review web app (FastAPI): the film with the cue timeline, takes to audition against picture,
approve/reject/lock, notes, regeneration in the background, A/B comparison, history and export.

Every request is authenticated (session token as a Bearer header or cookie) and every write goes
through ReviewService, which checks the role. Files are served only as the project names them:
request parameters select a cue and take id, never a path.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from cuecraft.compose.styles import ENSEMBLES
from cuecraft.compose.theme import TREATMENTS
from cuecraft.corpus.symbolic import load_midi
from cuecraft.errors import CuecraftError
from cuecraft.project import MAX_TRIM_DB, TakeStatus
from cuecraft.review.auth import Forbidden, Unauthorized, login, require, user_for_token
from cuecraft.review.pianoroll import piano_roll_png
from cuecraft.review.service import Actor, Locked, ReviewService, SettingsChange
from cuecraft.review.store import Conflict

TOKEN_COOKIE = "cuecraft_token"
EXPORT_DIR = "delivery"


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: TakeStatus
    version: int | None = None


class LockChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locked: bool
    version: int | None = None


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    take: str | None = None


class BarsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    first: int = Field(ge=1)
    last: int = Field(ge=1)
    seed: int = 1
    family: str | None = None


class LevelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    db: float = Field(ge=-MAX_TRIM_DB, le=MAX_TRIM_DB)


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    preset: str = "default"


def _status_code(error: CuecraftError) -> int:
    if isinstance(error, Unauthorized):
        return 401
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, (Locked, Conflict)):
        return 409
    if "no cue" in str(error) or "no take" in str(error):
        return 404
    return 400


def current_actor(request: Request) -> Actor:
    """The logged-in user of a request (Bearer token or session cookie)."""
    header = request.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else request.cookies.get(TOKEN_COOKIE, "")
    if not token:
        raise Unauthorized("session", "not logged in")
    name, role = user_for_token(request.app.state.service.store, token)
    return Actor(name, role)


Who = Annotated[Actor, Depends(current_actor)]


def create_app(service: ReviewService) -> FastAPI:
    """The app over one project; `service` carries the store, the model loader and the SoundFont."""
    app = FastAPI(title="cuecraft review", docs_url=None, redoc_url=None)
    app.state.service = service
    folder = service.folder.resolve()

    @app.exception_handler(CuecraftError)
    async def _cuecraft_error(request: Request, error: CuecraftError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=_status_code(error))

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return resources.files("cuecraft.review").joinpath("static/index.html").read_text(encoding="utf-8")

    @app.get("/static/app.js")
    def script() -> Response:
        text = resources.files("cuecraft.review").joinpath("static/app.js").read_text(encoding="utf-8")
        return Response(text, media_type="text/javascript")

    @app.post("/api/login")
    def do_login(credentials: Credentials) -> JSONResponse:
        token = login(service.store, credentials.name, credentials.password)
        response = JSONResponse({"token": token, "user": credentials.name})
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

    @app.get("/api/project")
    def project(who: Who) -> dict:
        current, version = service.project()
        return {"project": current.model_dump(mode="json"), "version": version, "user": who.name, "role": who.role,
                "fps": float(current.film.fps), "styles": list(ENSEMBLES), "treatments": list(TREATMENTS)}  # fmt: skip

    @app.get("/api/history")
    def history(who: Who, cue: str | None = None) -> list[dict]:
        return [entry.__dict__ for entry in service.store.history(cue)]

    @app.post("/api/cues/{cue}/takes/{take}/status")
    def set_status(cue: str, take: str, change: StatusChange, who: Who) -> dict:
        updated = service.set_status(who, cue, take, change.status, change.version)
        return {"cue": updated.cue(cue).model_dump(mode="json"), "version": service.project()[1]}

    @app.post("/api/cues/{cue}/lock")
    def set_lock(cue: str, change: LockChange, who: Who) -> dict:
        updated = service.set_lock(who, cue, change.locked, change.version)
        return {"cue": updated.cue(cue).model_dump(mode="json")}

    @app.post("/api/cues/{cue}/notes")
    def add_note(cue: str, note: NoteIn, who: Who) -> dict:
        updated = service.add_note(who, cue, note.text, note.take)
        return {"cue": updated.cue(cue).model_dump(mode="json")}

    def background(kind: str, cue: str, who: Actor, work) -> dict:  # noqa: ANN001 - work(on_progress) -> message
        job = service.store.create_job(kind, cue, who.name)

        def run() -> None:
            try:
                message = work(lambda fraction, text: service.store.update_job(job, fraction, text))
                service.store.update_job(job, 1.0, message, state="done")
            except CuecraftError as error:
                service.store.update_job(job, 1.0, str(error), state="failed")
            except Exception as error:  # a job must always end in a state the page can show
                service.store.update_job(job, 1.0, f"{error.__class__.__name__}: {error}", state="failed")

        threading.Thread(target=run, name=f"job-{job}", daemon=True).start()
        return {"job": job}

    @app.post("/api/cues/{cue}/regenerate", status_code=202)
    def regenerate(cue: str, change: SettingsChange, who: Who) -> dict:
        service.regenerable(who, cue, change)
        return background("regenerate", cue, who, lambda report: service.regenerate(who, cue, change, report).id)

    @app.post("/api/cues/{cue}/takes/{take}/regenerate-bars", status_code=202)
    def regenerate_bars(cue: str, take: str, bars: BarsIn, who: Who) -> dict:
        service.editable_cue(who, "regenerate", cue, take)
        work = lambda report: service.regenerate_bars(who, cue, take, bars.first, bars.last, bars.seed, report, bars.family).id  # noqa: E731
        return background("regenerate", cue, who, work)

    @app.post("/api/cues/{cue}/takes/{take}/level", status_code=202)
    def set_level(cue: str, take: str, level: LevelIn, who: Who) -> dict:
        service.editable_cue(who, "regenerate", cue, take)
        return background("regenerate", cue, who, lambda report: service.set_level(who, cue, take, level.db, report).id)

    @app.get("/api/jobs/{job}")
    def job(job: int, who: Who) -> dict:
        found = service.store.job(job)
        if found is None:
            raise CuecraftError(f"job {job}", "no cue or job by that number")
        return found

    @app.post("/api/export", status_code=202)
    def export(request: ExportIn, who: Who) -> dict:
        from cuecraft.deliver.package import deliver_project

        require(who.role, "export", who.name)

        def work(report) -> str:  # noqa: ANN001
            result = deliver_project(folder, folder / EXPORT_DIR, request.preset)
            service.store.log(who.name, "export", detail={"preset": request.preset, "lufs": result.loudness.integrated_lufs})
            return f"delivered to {EXPORT_DIR}/"

        return background("export", "*", who, work)

    def _inside(relative: str) -> Path:
        path = (folder / relative).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            raise CuecraftError(relative, "no cue or take file there")
        return path

    @app.get("/media/film")
    def film(who: Who) -> FileResponse:
        return FileResponse(service.project()[0].film.path)

    @app.get("/media/takes/{cue}/{take}.wav")
    def take_audio(cue: str, take: str, who: Who) -> FileResponse:
        found = service.project()[0].cue(cue).take(take)
        return FileResponse(_inside(found.audio), media_type="audio/wav")

    @app.get("/media/takes/{cue}/{take}.png")
    def take_roll(cue: str, take: str, who: Who) -> Response:
        found = service.project()[0].cue(cue).take(take)
        return Response(piano_roll_png(load_midi(_inside(found.midi)), f"{cue} {take}"), media_type="image/png")

    return app
