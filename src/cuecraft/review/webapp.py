"""The review web app (FastAPI): the film with the cue timeline, takes to audition against picture,
approve/reject/lock, notes, regeneration in the background, A/B comparison, history and export.

Every request is authenticated (session token as a Bearer header or cookie) and every write goes
through ReviewService, which checks the role. Files are served only as the project names them:
request parameters select a cue and take id, never a path.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi import Path as PathParameter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from cuecraft.compose.styles import ENSEMBLES
from cuecraft.compose.theme import TREATMENTS
from cuecraft.corpus.symbolic import load_midi
from cuecraft.errors import CuecraftError
from cuecraft.project import MAX_TRIM_DB, TakeStatus, now_utc
from cuecraft.deliver.presets import PRESETS
from cuecraft.project import Seed
from cuecraft.review.auth import Forbidden, TooManyAttempts, Unauthorized, login, logout, require, user_for_token
from cuecraft.review.guard import RequestGuard
from cuecraft.review.jobs import Busy, JobRunner
from cuecraft.review.pianoroll import piano_roll_png
from cuecraft.review.waveform import peak_envelope
from cuecraft.review.service import Actor, Locked, ReviewService, SettingsChange, Text
from cuecraft.review.store import Conflict

TOKEN_COOKIE = "cuecraft_token"
EXPORT_DIR = "delivery"


STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)  # request bodies: no unknown fields, no NaN or infinity
MAX_JOB = 2**62


class Credentials(BaseModel):
    model_config = STRICT
    name: Text = Field(min_length=1, max_length=64)
    password: Text = Field(min_length=1, max_length=256)


class StatusChange(BaseModel):
    model_config = STRICT
    status: TakeStatus
    version: int | None = None


class LockChange(BaseModel):
    model_config = STRICT
    locked: bool
    version: int | None = None


class NoteIn(BaseModel):
    model_config = STRICT
    text: Text = Field(min_length=1, max_length=2000)
    take: str | None = None


class BarsIn(BaseModel):
    model_config = STRICT
    first: int = Field(ge=1, le=10_000)
    last: int = Field(ge=1, le=10_000)
    seed: Seed = 1
    family: str | None = Field(None, max_length=32)

    @model_validator(mode="after")
    def _in_order(self) -> BarsIn:
        if self.first > self.last:
            raise ValueError(f"bars {self.first}-{self.last}: the first comes after the last")
        return self


class LevelIn(BaseModel):
    model_config = STRICT
    db: float = Field(ge=-MAX_TRIM_DB, le=MAX_TRIM_DB)


def _known_preset(name: str) -> str:
    if name not in PRESETS:
        raise ValueError(f"unknown loudness preset {name!r} (one of: {', '.join(PRESETS)})")
    return name


class ExportIn(BaseModel):
    model_config = STRICT
    preset: Annotated[str, AfterValidator(_known_preset)] = "default"
    include_unapproved: bool = False  # deliver cues without an approved take too (their newest take), knowingly


def new_export_folder(root: Path, preset: str) -> Path:
    """A folder for one delivery, named by the time and preset and never one that exists: an
    export never overwrites an earlier one."""
    stamp = now_utc().replace(":", "").replace("-", "")[:15]
    target, number = root / f"{stamp}-{preset}", 1
    while target.exists():
        number += 1
        target = root / f"{stamp}-{preset}-{number}"
    return target


def _status_code(error: CuecraftError) -> int:
    if isinstance(error, Unauthorized):
        return 401
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, (Locked, Conflict)):
        return 409
    if isinstance(error, (TooManyAttempts, Busy)):
        return 429
    if "no cue" in str(error) or "no take" in str(error):
        return 404
    return 400


def current_actor(request: Request) -> Actor:
    """The logged-in user of a request (Bearer token or session cookie)."""
    name, role = user_for_token(request.app.state.service.store, session_token(request))
    return Actor(name, role)


def session_token(request: Request) -> str:
    """The request's session token: a Bearer header, else the session cookie."""
    header = request.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else request.cookies.get(TOKEN_COOKIE, "")
    if not token:
        raise Unauthorized("session", "not logged in")
    return token


Who = Annotated[Actor, Depends(current_actor)]


def create_app(service: ReviewService) -> FastAPI:
    """The app over one project; `service` carries the store, the model loader and the SoundFont."""
    app = FastAPI(title="cuecraft review", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(RequestGuard)
    app.state.service = service
    folder = service.folder.resolve()
    jobs = JobRunner(service.store)

    @app.exception_handler(CuecraftError)
    async def _cuecraft_error(request: Request, error: CuecraftError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=_status_code(error))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        """One line naming the field and the problem; the input itself is never sent back."""
        first = error.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse({"detail": f"{where}: {first.get('msg', 'invalid')}"}, status_code=422)

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return resources.files("cuecraft.review").joinpath("static/index.html").read_text(encoding="utf-8")

    @app.get("/static/app.js")
    def script() -> Response:
        text = resources.files("cuecraft.review").joinpath("static/app.js").read_text(encoding="utf-8")
        return Response(text, media_type="text/javascript")

    @app.post("/api/login")
    def do_login(credentials: Credentials, request: Request) -> JSONResponse:
        client = request.client.host if request.client else ""
        token = login(service.store, credentials.name, credentials.password, client)
        response = JSONResponse({"token": token, "user": credentials.name})
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

    @app.post("/api/logout")
    def do_logout(request: Request) -> JSONResponse:
        logout(service.store, session_token(request))
        response = JSONResponse({"detail": "logged out"})
        response.delete_cookie(TOKEN_COOKIE)
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
        return {"job": jobs.submit(kind, cue, who.name, work)}

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
    def job(job: Annotated[int, PathParameter(ge=1, le=MAX_JOB)], who: Who) -> dict:
        found = service.store.job(job)
        if found is None:
            raise CuecraftError(f"job {job}", "no cue or job by that number")
        return found

    @app.post("/api/jobs/{job}/cancel")
    def cancel(job: Annotated[int, PathParameter(ge=1, le=MAX_JOB)], who: Who) -> dict:
        require(who.role, "regenerate", who.name)
        if not jobs.cancel(job):
            raise CuecraftError(f"job {job}", "no cue or job by that number still waiting or running")
        return {"job": job, "detail": "cancelling"}

    @app.post("/api/export", status_code=202)
    def export(request: ExportIn, who: Who) -> dict:
        from cuecraft.deliver.package import deliver_project

        require(who.role, "export", who.name)
        unapproved = [c.id for c in service.project()[0].cues if c.music and not any(t.status == TakeStatus.approved for t in c.takes)]
        if unapproved and not request.include_unapproved:
            raise Conflict(", ".join(unapproved), "no approved take: approve one, or export with include_unapproved")

        def work(report) -> str:  # noqa: ANN001
            target = new_export_folder(folder / EXPORT_DIR, request.preset)  # named as the job runs: jobs run one at a time
            result = deliver_project(folder, target, request.preset)
            service.store.log(who.name, "export", detail={"preset": request.preset, "lufs": result.loudness.integrated_lufs,
                                                          "folder": target.name, "unapproved": unapproved})  # fmt: skip
            return f"delivered to {EXPORT_DIR}/{target.name}/"

        return background("export", "*", who, work)

    @app.get("/api/exports")
    def exports(who: Who) -> list[dict]:
        """Every delivery made from the page, newest first, with the files to download."""
        found = sorted((d for d in (folder / EXPORT_DIR).glob("*") if d.is_dir() and not d.name.startswith(".")), reverse=True)
        return [{"name": d.name, "files": sorted(str(f.relative_to(d)) for f in d.rglob("*") if f.is_file())} for d in found]

    @app.get("/media/exports/{name}/{file:path}")
    def export_file(name: str, file: str, who: Who) -> FileResponse:
        path = _inside(f"{EXPORT_DIR}/{name}/{file}")
        return FileResponse(path, filename=path.name)

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

    @app.get("/media/takes/{cue}/{take}.peaks")
    def take_peaks(cue: str, take: str, who: Who) -> dict:
        """The take's waveform overview: its length and the peak of each of 600 slices."""
        return peak_envelope(_inside(service.project()[0].cue(cue).take(take).audio))

    @app.get("/media/takes/{cue}/{take}.png")
    def take_roll(cue: str, take: str, who: Who) -> Response:
        found = service.project()[0].cue(cue).take(take)
        return Response(piano_roll_png(load_midi(_inside(found.midi)), f"{cue} {take}"), media_type="image/png")

    return app
