"""The sound of the score (issue 18): the renderer plays controllers, a room with a tail and a stereo
stage, expression and articulation in the MIDI and in the MusicXML, humanisation that keeps hits exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from cuecraft.compose.articulation import PIZZICATO_PROGRAM, STACCATO_LENGTH, TREMOLO_PROGRAM, articulate, part_name
from cuecraft.compose.cue_writer import write_cue
from cuecraft.compose.expression import EXPRESSION, MODULATION, PAN, SUSTAIN
from cuecraft.compose.humanize import TIMING_LIMIT
from cuecraft.compose.styles import BASS, ENSEMBLES, HARMONY, Part
from cuecraft.compose.tempo_map import solve_tempo_map
from cuecraft.deliver.midi_files import write_musicxml
from cuecraft.model.baseline import MarkovBaseline
from cuecraft.model.events import Note
from cuecraft.project import Mood, MusicSettings
from cuecraft.render.room import REVERB_SEND_CC, ROOMS, add_return, room_return
from cuecraft.render.soundfont import SYSTEM_SOUNDFONTS, find_soundfont
from cuecraft.render.stems import render_stems
from cuecraft.render.synth import Renderer

RATE = 48000


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(find_soundfont(), RATE)


def held_note(program: int = 48, start: float = 0.1, end: float = 1.2, controls: tuple = (), bends: tuple = ()) -> pretty_midi.PrettyMIDI:
    midi = pretty_midi.PrettyMIDI()
    instrument = pretty_midi.Instrument(program)
    instrument.notes.append(pretty_midi.Note(100, 69, start, end))
    instrument.control_changes = [pretty_midi.ControlChange(n, v, t) for t, n, v in controls]
    instrument.pitch_bends = [pretty_midi.PitchBend(p, t) for t, p in bends]
    midi.instruments.append(instrument)
    return midi


def rms_db(audio: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(audio**2)) + 1e-12))


def test_the_renderer_plays_expression_pan_pedal_and_pitch_bend(renderer: Renderer) -> None:
    loud = renderer.render(held_note(controls=((0.0, EXPRESSION, 127),)), RATE)
    soft = renderer.render(held_note(controls=((0.0, EXPRESSION, 30),)), RATE)
    assert rms_db(loud) - rms_db(soft) > 10

    left = renderer.render(held_note(controls=((0.0, PAN, 0),)), RATE)
    right = renderer.render(held_note(controls=((0.0, PAN, 127),)), RATE)
    assert rms_db(left[0]) - rms_db(left[1]) > 4 and rms_db(right[1]) - rms_db(right[0]) > 4  # a stereo sample keeps some width

    piano = dict(program=0, start=0.05, end=0.3)
    pedalled = renderer.render(held_note(**piano, controls=((0.0, SUSTAIN, 127),)), 2 * RATE)
    released = renderer.render(held_note(**piano), 2 * RATE)
    late = slice(RATE, 2 * RATE - RATE // 10)
    assert rms_db(pedalled[:, late]) - rms_db(released[:, late]) > 15  # the pedal holds the string after the key is up

    bent = renderer.render(held_note(program=0, start=0.0, end=1.0, bends=((0.0, 8191),)), RATE)[0]
    spectrum = np.abs(np.fft.rfft(bent * np.hanning(len(bent))))
    assert np.argmax(spectrum) * RATE / len(bent) == pytest.approx(440 * 2 ** (2 / 12), rel=0.02)  # two semitones up


def test_render_parts_gives_each_instrument_alone_and_sums_to_the_render(renderer: Renderer) -> None:
    midi = held_note(program=48, controls=((0.0, PAN, 0),))
    other = pretty_midi.Instrument(73)
    other.notes.append(pretty_midi.Note(90, 76, 0.5, 1.0))
    midi.instruments.append(other)
    chunks = list(renderer.parts_in_chunks(midi, RATE))  # one second: a single chunk
    assert len(chunks) == 1 and chunks[0][0] == 0
    parts = [chunks[0][1][index] for index in sorted(chunks[0][1])]
    assert len(parts) == 2 and rms_db(parts[0][:, : RATE // 2 - 500]) > rms_db(parts[1][:, : RATE // 2 - 500]) + 40  # flute enters at 0.5 s
    assert np.allclose(parts[0] + parts[1], renderer.render(midi, RATE), atol=1e-6)


def test_the_room_adds_a_tail_and_keeps_stems_additive(renderer: Renderer) -> None:
    midi = held_note(program=45, start=0.1, end=0.3, controls=((0.0, REVERB_SEND_CC, 60),))  # a pizzicato: dies fast dry
    n = 3 * RATE
    dry = render_stems(renderer, midi, n)["strings"]
    wet = render_stems(renderer, midi, n, room=ROOMS["scoring stage"])["strings"]
    after = slice(round(1.3 * RATE), round(1.6 * RATE))  # a second after the note
    assert rms_db(wet[:, after]) - rms_db(dry[:, after]) > 20
    assert rms_db(wet[:, after]) > rms_db(wet[:, : round(0.4 * RATE)]) - 45  # still audible, 40-odd dB under the note
    # convolution is linear: the room's return of two sends is the sum of their returns, and the return of
    # a send is that of its pieces, each ringing on from where it starts (how stems are rendered, a chunk at a time)
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((2, RATE)).astype(np.float32) for _ in range(2))
    room = ROOMS["chamber hall"]
    assert np.allclose(room_return(a + b, room, RATE), room_return(a, room, RATE) + room_return(b, room, RATE), atol=1e-3)
    whole, pieces = room_return(a, room, RATE), np.zeros_like(room_return(a, room, RATE))
    for first in range(0, RATE, 10_000):
        add_return(pieces, first, room_return(a[:, first : first + 10_000], room, RATE))
    assert np.allclose(pieces, whole, atol=1e-3) and np.abs(whole).max() > 0.1


def orchestral_cue(baseline: MarkovBaseline, intensity: float, seed: int = 4, style: str = "orchestral",
                   hits: list[float] = ()) -> pretty_midi.PrettyMIDI:  # fmt: skip
    settings = MusicSettings(key="D minor", tempo=112, program=48, velocity=90, seed=seed, style=style)
    return write_cue(baseline, settings, 16.0, None, Mood(valence=-0.2, arousal=0.5, intensity=intensity), list(hits))


def test_every_pitched_part_carries_expression_and_sits_on_the_stage(baseline: MarkovBaseline) -> None:
    midi = orchestral_cue(baseline, 0.9)
    pitched = [i for i in midi.instruments if not i.is_drum and i.notes]
    assert len(pitched) >= 5
    for instrument in pitched:
        numbers = {c.number for c in instrument.control_changes}
        assert {EXPRESSION, PAN, REVERB_SEND_CC} <= numbers, instrument.name
        expression = [c.value for c in instrument.control_changes if c.number == EXPRESSION]
        assert max(expression) - min(expression) >= 15, instrument.name  # it moves: phrases, swells, the close
    pan = {part_name(i.name): next(c.value for c in i.control_changes if c.number == PAN) for i in pitched}
    assert pan["violins"] < 64 < pan["cellos"] < pan["contrabasses"]  # American seating: violins left, basses right
    assert any(MODULATION in {c.number for c in i.control_changes} for i in pitched)


def test_the_expression_swells_into_a_hit_and_dies_away_at_the_close(baseline: MarkovBaseline) -> None:
    tempo_map = solve_tempo_map(16.0, [8.0], 112, 4).tempo_map
    hit = tempo_map.start_beats[1]
    midi = orchestral_cue(baseline, 0.5, hits=[8.0])
    violins = next(i for i in midi.instruments if i.name == "violins")
    curve = sorted((c.time, c.value) for c in violins.control_changes if c.number == EXPRESSION)

    def at(seconds: float) -> int:
        return [v for t, v in curve if t <= seconds + 1e-6][-1]

    assert at(tempo_map.seconds(hit)) >= at(tempo_map.seconds(hit - 2)) + 10
    end = max(n.end for n in violins.notes)
    assert at(end) <= max(v for _, v in curve) - 20
    # the notes struck on the hit are exactly on it (humanisation leaves hits alone), the others within 15 ms of the grid
    on_hit = [n for i in midi.instruments for n in i.notes if abs(n.start - 8.0) < 0.02]
    assert on_hit and all(abs(n.start - 8.0) < 1e-6 for n in on_hit)
    beats = [tempo_map.beat_at(n.start) for i in midi.instruments for n in i.notes]
    off_grid = [abs(b * 12 - round(b * 12)) / 12 * 60 / 112 for b in beats]
    assert max(off_grid) <= TIMING_LIMIT + 0.001 and np.median(off_grid) > 0.001  # (+ half a tick: the file's grid)


def test_humanisation_is_deterministic_per_seed(baseline: MarkovBaseline) -> None:
    def onsets(seed: int) -> list[float]:
        return [n.start for i in orchestral_cue(baseline, 0.6, seed=seed).instruments for n in i.notes]

    assert onsets(7) == onsets(7)


def test_articulation_follows_length_role_and_intensity() -> None:
    violas = Part("violas", (HARMONY,), 48, 48, 84)
    ostinato = [Note(k * 0.5, 0.5, 62 + k % 3, 80) for k in range(8)]  # eighths at 140 bpm: 0.21 s each
    held = [Note(4.0 + 4 * k, 4.0, 57, 80) for k in range(2)]
    quiet = {g.articulation.name: g for g in articulate(violas, ostinato + held, 140, 0.3)}
    assert [n.onset for n in quiet["pizzicato"].notes] == [n.onset for n in ostinato]
    assert "tremolo" not in quiet and [n.duration for n in quiet["arco"].notes] == [4.0, 4.0]
    loud = {g.articulation.name: g for g in articulate(violas, ostinato + held, 140, 0.9)}
    assert [n.duration for n in loud["tremolo"].notes] == [4.0, 4.0]
    assert sorted(n.duration for n in loud["arco"].notes) == [0.5 * STACCATO_LENGTH] * 8  # spiccato, short on the string
    cellos = Part("cellos", (BASS,), 42, 36, 72)
    assert {g.articulation.name for g in articulate(cellos, held, 140, 0.9)} == {"arco"}  # a held bass stays arco


def test_articulation_tracks_use_their_own_programs(baseline: MarkovBaseline) -> None:
    programs = {}
    for intensity in (0.3, 0.9):
        for seed in range(3):
            for style in ("orchestral", "chamber-strings"):
                for i in orchestral_cue(baseline, intensity, seed=seed, style=style).instruments:
                    programs[i.name] = i.program
    pizz = [name for name in programs if name.endswith("pizz.")]
    trem = [name for name in programs if name.endswith("trem.")]
    assert pizz and all(programs[name] == PIZZICATO_PROGRAM for name in pizz)
    assert trem and all(programs[name] == TREMOLO_PROGRAM for name in trem)
    ensemble_parts = {p.name for e in ENSEMBLES.values() for p in e.parts}
    assert all(part_name(name) in ensemble_parts for name in programs)


def test_musicxml_carries_dynamics_hairpins_and_articulations(baseline: MarkovBaseline, tmp_path: Path) -> None:
    for seed in range(8):  # a quiet quartet plucks its ostinati: find a cue that has one
        midi = orchestral_cue(baseline, 0.3, seed=seed, style="chamber-strings", hits=[8.0])
        if any(i.name.endswith("pizz.") for i in midi.instruments):
            break
    path = tmp_path / "cue.mid"
    midi.write(str(path))
    write_musicxml(path, tmp_path / "cue.musicxml")
    xml = (tmp_path / "cue.musicxml").read_text()
    assert xml.count("<dynamics") >= 2 and "<wedge" in xml and "pizz." in xml


def test_an_orchestral_cue_has_a_stereo_image(baseline: MarkovBaseline, renderer: Renderer) -> None:
    midi = orchestral_cue(baseline, 0.8)
    n = 16 * RATE
    mix = sum(render_stems(renderer, midi, n, room=ROOMS["scoring stage"]).values())
    assert np.corrcoef(mix[0], mix[1])[0, 1] < 0.9  # a mono image is 1
    assert abs(rms_db(mix[0]) - rms_db(mix[1])) < 6  # but balanced


@pytest.mark.skipif(not Path(SYSTEM_SOUNDFONTS[0]).is_file(), reason="MuseScore General is not installed")
def test_musescore_general_is_preferred() -> None:
    assert find_soundfont().name == "MuseScore_General_Full.sf2"
