"""Originality: an index of the training music's melodic figures, a report per take and theme, a
redraw of flagged takes, and the report where people see it (CLI, cue sheet, review page)."""

from __future__ import annotations

from pathlib import Path

import pretty_midi
import pytest

from cuecraft.compose.cue_writer import KEY_ATTEMPTS
from cuecraft.model.composer import RETRY_SEED_STEP, GenerationRequest
from cuecraft.model.events import Note
from cuecraft.model.originality import NGRAM, OriginalityIndex, figure_keys, shipped_index
from cuecraft.model.training_set import read_midi_piece, vgmidi_group
from cuecraft.review.service import ReviewService
from cuecraft.scoring import ScoreResult
from cuecraft.takes import compose_cue

from tests.conftest import PASSWORD


def wandering(n: int, seed: int, start: float = 0.0) -> list[Note]:
    """A made-up melody: a deterministic walk in C major with mixed rhythms."""
    import numpy as np

    rng = np.random.default_rng(seed)
    scale = [0, 2, 4, 5, 7, 9, 11]
    degree, t, notes = 7, start, []
    for _ in range(n):
        degree = int(np.clip(degree + rng.choice([-3, -2, -1, 1, 2, 4]), 0, 13))
        length = float(rng.choice([0.25, 0.5, 0.75, 1.0]))
        notes.append(Note(t, length, 60 + 12 * (degree // 7) + scale[degree % 7]))
        t += length
    return notes


@pytest.fixture(scope="module")
def pieces(vgmidi_labelled: Path) -> list[tuple[str, list[Note]]]:
    read = [read_midi_piece(p, "vgmidi", vgmidi_group(p.stem)) for p in sorted(vgmidi_labelled.glob("*.mid"))[:30]]
    return [(p.title, p.notes) for p in read if p is not None]


def test_figures_do_not_care_about_key_or_tempo() -> None:
    tune = wandering(20, 1)
    moved = [Note(n.onset + 8, n.duration, n.pitch + 5) for n in tune]
    assert list(figure_keys(tune)) == list(figure_keys(moved))
    assert len(figure_keys(tune)) == 20 - NGRAM + 1
    assert list(figure_keys(tune)) != list(figure_keys(wandering(20, 2)))


def test_a_planted_training_phrase_is_flagged_with_its_source(pieces: list[tuple[str, list[Note]]]) -> None:
    training, held_out = pieces[:20], [notes for _, notes in pieces[20:]]
    index = OriginalityIndex.build(training, held_out)
    title, source = training[7]
    phrase = sorted(source, key=lambda n: n.onset)
    start = phrase[len(phrase) // 3].onset
    copied = [Note(n.onset - start + 16, n.duration, n.pitch - 3) for n in phrase if start <= n.onset < start + 16]
    take = wandering(40, 3) + copied + wandering(20, 4, start=32.0)
    report = index.report(take)
    assert report.flagged and report.source == title
    assert report.longest_notes > index.threshold_notes and report.longest_bars > 1
    fresh = index.report(wandering(80, 5))
    assert not fresh.flagged and fresh.longest_notes <= index.threshold_notes
    assert "FLAGGED" in report.summary and title in report.summary


class Copier:
    """A composer that hands back a training piece's opening for the seeds of a first draw (the
    draw and its key retries) and a made-up tune for later draws."""

    name = "copier"

    def __init__(self, copied: list[Note], seed: int) -> None:
        self.copied, self.first_draw = copied, range(seed, seed + RETRY_SEED_STEP * KEY_ATTEMPTS)

    def generate(self, request: GenerationRequest) -> list[Note]:
        source = self.copied if request.seed in self.first_draw else wandering(200, request.seed)
        return [n for n in source if n.onset < request.length_beats]


def training_piece_notes(vgmidi_labelled: Path) -> tuple[str, list[Note]]:
    titles = set(shipped_index().titles)
    for path in sorted(vgmidi_labelled.glob("*.mid")):
        piece = read_midi_piece(path, "vgmidi", vgmidi_group(path.stem))
        if piece is not None and piece.title in titles and len(piece.notes) > 200:
            return piece.title, [n for n in piece.notes if n.onset < 40]
    pytest.skip("no shipped training piece found among the labelled VGMIDI files")


def test_a_flagged_draw_is_redrawn_and_the_report_says_so(scored: ScoreResult, vgmidi_labelled: Path) -> None:
    title, copied = training_piece_notes(vgmidi_labelled)
    project = scored.project
    cue = max(project.cues, key=lambda c: c.n_frames)
    settings = cue.settings.model_copy(update={"style": "piano", "locale": None})
    composer = Copier(copied, settings.seed)
    midi, report = compose_cue(composer, project.film, cue, settings, None, redraws=0)
    assert report.flagged and report.source == title and not report.redrawn
    midi, report = compose_cue(composer, project.film, cue, settings, None, redraws=2)
    assert not report.flagged and len(report.redrawn) == 1 and title in report.redrawn[0]
    assert isinstance(midi, pretty_midi.PrettyMIDI)


def test_scored_takes_and_themes_carry_their_reports(scored: ScoreResult) -> None:
    threshold = shipped_index().threshold_notes
    for cue in scored.project.cues:
        for take in cue.takes:
            assert take.originality is not None and take.originality.threshold_notes == threshold
            assert 0 <= take.originality.shared_figures <= 1
    assert all(t.originality is not None for t in scored.project.themes)


def test_the_review_page_shows_the_report_and_marks_a_flagged_take(review_project: ReviewService) -> None:
    from cuecraft.review.webapp import create_app
    from tests.browser import chromium, log_in, serve

    project, version = review_project.project()
    take = project.cue("1M2").takes[0]
    flagged = take.originality.model_copy(update={"longest_notes": 40, "longest_bars": 5.0, "source": "Some Game Theme", "flagged": True})
    project.cue("1M2").takes[0] = take.model_copy(update={"originality": flagged})
    review_project.store.save(project, version, "test", "plant a flagged report")
    with serve(create_app(review_project)) as url, chromium() as page:
        log_in(page, url, "clara", PASSWORD)
        page.locator('.cue[data-cue="1M2"]').click()
        line = page.locator('tr[data-take="1M2-t1"] .originality')
        assert "FLAGGED" in line.inner_text() and "Some Game Theme" in line.inner_text()
        assert line.evaluate("e => getComputedStyle(e).color") == "rgb(187, 0, 0)"
        page.locator('.cue[data-cue="1M1"]').click()
        plain = page.locator('tr[data-take="1M1-t1"] .originality')
        assert "longest melody" in plain.inner_text() or "no melodic figure" in plain.inner_text()
        assert "FLAGGED" not in plain.inner_text() or project.cue("1M1").takes[0].originality.flagged


def test_the_cue_sheet_and_takes_listing_carry_it(scored: ScoreResult, tmp_path: Path) -> None:
    import csv

    from cuecraft.deliver.cue_sheet_csv import Credits, write_cue_sheet_csv
    from tests.test_cli import cuecraft

    target = tmp_path / "cue_sheet.csv"
    write_cue_sheet_csv(scored.project, Credits(), target)
    rows = list(csv.DictReader(target.open()))
    assert rows and all(r["originality"] == c.takes[0].originality.summary
                        for r, c in zip(rows, [c for c in scored.project.cues if c.music]))  # fmt: skip
    listing = cuecraft("takes", "-p", str(scored.outdir))
    assert listing.returncode == 0 and listing.stdout.count("originality:") == sum(len(c.takes) for c in scored.project.cues)
