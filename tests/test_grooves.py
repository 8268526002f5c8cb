"""Drum grooves: read from drum parts, learned with the bars played after them, played by drum kits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pretty_midi
from typer.testing import CliRunner

from cuecraft.cli import app
from cuecraft.compose.orchestration import orchestrate
from cuecraft.compose.styles import ENSEMBLES
from cuecraft.corpus.drums import DRUM_CLASSES, DrumPart, drum_part, hits
from cuecraft.model.events import Note
from cuecraft.model.grooves import GrooveModel
from cuecraft.model.training_set import is_held_out_game

KICK, SNARE, HAT, LOW_TOM = (list(DRUM_CLASSES).index(name) for name in ("kick", "snare", "closed hat", "low tom"))


def steps(*on: int) -> int:
    return sum(1 << s for s in on)


def backbeat_song(bars: int = 8, tempo: float = 120.0) -> pretty_midi.PrettyMIDI:
    """Kick on 1 and 3, snare on 2 and 4, closed hat on the eighths; every fourth bar ends on a low-tom
    fill in sixteenths instead of the fourth beat's snare and hats; a conga (not a kit class) throughout."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    drums = pretty_midi.Instrument(0, is_drum=True)
    beat = 60.0 / tempo
    for bar in range(bars):
        fill = bar % 4 == 3
        for step in range(16):
            t = (bar * 16 + step) * beat / 4
            hit = lambda pitch, velocity: drums.notes.append(pretty_midi.Note(velocity, pitch, t, t + beat / 8))  # noqa: E731
            if step in (0, 8):
                hit(36, 110)
            if step == 4 or (step == 12 and not fill):
                hit(38, 100)
            if step % 2 == 0 and not (fill and step >= 12):
                hit(42, 70)
            if fill and step >= 12:
                hit(45, 100)
            hit(63, 60)
    midi.instruments.append(drums)
    return midi


def test_a_drum_part_is_read_as_bar_patterns_of_kit_classes() -> None:
    part = drum_part(backbeat_song())
    assert part is not None and part.steps == 16 and len(part.bars) == 8 and abs(part.tempo - 120) < 0.01
    groove, fill = part.bars[0], part.bars[3]
    assert groove[KICK] == steps(0, 8) and groove[SNARE] == steps(4, 12) and groove[HAT] == steps(*range(0, 16, 2))
    assert fill[SNARE] == steps(4) and fill[LOW_TOM] == steps(12, 13, 14, 15) and fill[HAT] == steps(0, 2, 4, 6, 8, 10)
    assert hits(groove) == 12 and part.bars[1] == groove
    assert part.velocity_offsets[KICK] > part.velocity_offsets[SNARE] > part.velocity_offsets[HAT]  # its accents
    waltz = backbeat_song()
    waltz.time_signature_changes = [pretty_midi.TimeSignature(5, 4, 0)]
    assert drum_part(waltz) is None  # a meter other than 3/4 or 4/4


def kick_part(strokes: int) -> DrumPart:
    """Eight bars of a kick struck on the first `strokes` sixteenths."""
    bar = tuple(steps(*range(strokes)) if c == KICK else 0 for c in range(len(DRUM_CLASSES)))
    return DrumPart([bar] * 8, 16, 120.0, (0.0,) * len(DRUM_CLASSES))


def test_grooves_are_learned_with_the_bars_that_follow_them_and_chosen_by_intensity() -> None:
    busy = drum_part(backbeat_song())
    model = GrooveModel.fit([busy] * 3 + [kick_part(n) for n in range(1, 12) for _ in range(3)])
    assert sorted(hits(g.pattern) for g in model.grooves[16]) == list(range(1, 13))
    backbeat = next(g for g in model.grooves[16] if g.pattern == busy.bars[0])
    assert backbeat.count == 6  # two phrases in each of three parts
    played = [{model.bar_at(backbeat, place, np.random.default_rng(seed)) for seed in range(5)} for place in range(4)]
    assert played == [{busy.bars[0]}, {busy.bars[0]}, {busy.bars[0]}, {busy.bars[3]}]  # the groove thrice, then its fill
    plain = next(g for g in model.grooves[16] if g.pattern != busy.bars[0])
    assert {model.bar_at(plain, 3, np.random.default_rng(seed)) for seed in range(5)} == {plain.pattern}  # no fill: itself
    for seed in range(10):
        rng = np.random.default_rng(seed)
        assert hits(model.choose(16, 0.95, 120.0, rng).pattern) >= 8 and hits(model.choose(16, 0.05, 120.0, rng).pattern) <= 5
    assert len(GrooveModel.fit([busy, busy]).grooves.get(16, [])) == 0  # two parts: one file's habit, not kept


def test_kits_play_learned_grooves_denser_when_intense_in_periods_that_repeat() -> None:
    """The shipped grooves (learned from VGMusic): a cue's eight-bar periods are played alike (two
    phrases opening on one groove), and a more intense cue draws denser grooves."""
    material = [Note(beat, 1, 60, 80) for beat in range(64)]

    def drum_bars(intensity: float, seed: int) -> list[list[tuple[float, int]]]:
        parts = orchestrate(material, ENSEMBLES["electronic"], intensity, bars=16, beats_per_bar=4, final_beat=64, velocity=90,
                            tempo=140.0, seed=seed)  # fmt: skip
        drums = [n for p in parts if p.part.is_drum for n in p.notes if n.onset < 64]
        return [sorted((n.onset - 4 * bar, n.pitch) for n in drums if 4 * bar <= n.onset < 4 * bar + 4) for bar in range(16)]

    density = {}
    for intensity in (0.3, 0.95):
        per_bar = []
        for seed in range(8):
            bars = drum_bars(intensity, seed)
            assert bars[0] and bars[0] == bars[4] and bars[:8] == bars[8:], (intensity, seed)
            per_bar.append(np.mean([len(b) for b in bars]))
        density[intensity] = float(np.mean(per_bar))
    assert density[0.95] > 1.5 * density[0.3], density
    assert drum_bars(0.6, 4) == drum_bars(0.6, 4)  # a cue's seed draws the same groove again


def test_train_grooves_reads_the_training_games_and_passes_over_a_corrupt_file(tmp_path: Path) -> None:
    root = tmp_path / "vgmusic" / "midi"
    games = [name for name in (f"game{i}" for i in range(40)) if not is_held_out_game(name)][:3]
    for game in games:
        (root / game).mkdir(parents=True)
        backbeat_song().write(str(root / game / "theme.mid"))
    (root / games[0] / "broken.mid").write_bytes(b"MThd not really a midi file")
    out = tmp_path / "grooves.json"
    result = CliRunner().invoke(app, ["train-grooves", "--data", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    model = GrooveModel.load(out)
    assert model.parts == 3 and [g.pattern for g in model.grooves[16]] == [drum_part(backbeat_song()).bars[0]]
