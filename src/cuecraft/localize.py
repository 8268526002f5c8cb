"""`localize`: a culturally adapted version of a scored project. Same cues, timing, hit points,
seeds and film theme; each cue re-composed in the locale's modes and re-orchestrated for its
ensemble and groove (compose.locales). The approved takes' settings are the ones adapted."""

from __future__ import annotations

from pathlib import Path

from cuecraft.compose.locales import LOCALES
from cuecraft.config import ScoreConfig
from cuecraft.errors import CuecraftError
from cuecraft.progress import ProgressReporter, SilentProgress
from cuecraft.project import Project
from cuecraft.preflight import refuse_to_overwrite
from cuecraft.scoring import ScoreResult, StageClock, score_project


def localize_project(project_dir: str | Path, locale: str, outdir: str | Path, config: ScoreConfig = ScoreConfig(),
                     progress: ProgressReporter | None = None) -> ScoreResult:  # fmt: skip
    """Score the project in `project_dir` again for `locale` into `outdir` (a new project folder)."""
    if locale not in LOCALES:
        raise CuecraftError(locale, f"unknown locale (one of: {', '.join(LOCALES)})")
    source = Project.load(project_dir)
    if not source.themes:
        raise CuecraftError(project_dir, "has no film themes to keep")
    outdir = Path(outdir)
    if outdir.resolve() == Path(project_dir).resolve():
        raise CuecraftError(outdir, "a localized score goes into a new folder, not over the original")
    refuse_to_overwrite(outdir)
    ensemble = LOCALES[locale].ensemble
    cues = []
    for cue in source.cues:
        chosen = cue.chosen_take()
        settings = (chosen.settings if chosen else cue.settings).model_copy(
            update={"style": ensemble.name, "program": ensemble.lead.program, "locale": locale})
        cues.append(cue.model_copy(update={"settings": settings, "style": ensemble.name, "takes": [], "locked": False}))
    project = source.model_copy(update={"name": f"{source.name} ({locale})", "cues": cues, "themes": []})
    return score_project(project, outdir, config, StageClock(progress or SilentProgress()), themes=source.themes)
