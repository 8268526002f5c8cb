"""How well Basic Pitch (corpus.transcription) hears notes in renders of MIDI with known notes, and how
well its pitched share tells music from unpitched sound (corpus.audio.MIN_PITCHED_SHARE).

Notes (mir_eval's transcription measures; onsets within 50 ms, pitch within a quarter tone):
- POP909 even-numbered songs on the piano (the melody, counter-line and accompaniment);
- VGMIDI labelled piano pieces;
- VGMusic files of the games held out of training, every part on its GM instrument and the drum kit
  playing (the truth is the pitched parts: a soundtrack as a listener hears it).
Each is rendered by cuecraft's FluidSynth renderer (first `--seconds` of each piece). Reported:
precision, recall and F1 on onsets alone, on onsets and offsets (offset within 20 % of the note or
50 ms), and on onsets with the octave ignored (what chords and keys read).
Gate: the same VGMusic files whole, their drum parts alone, and three noises; the earlier gate
(the chroma's key-profile correlation above 0.45) beside it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable
from pathlib import Path

import librosa
import mir_eval
import numpy as np
import pretty_midi

from cuecraft.corpus.audio import MIN_PITCHED_SHARE
from cuecraft.corpus.audio_harmony import hear_harmony
from cuecraft.corpus.files import MIDI_SUFFIXES, find_files
from cuecraft.corpus.symbolic import load_midi
from cuecraft.corpus.transcription import HeardNote, transcribe
from cuecraft.errors import CuecraftError
from cuecraft.model.training_set import vgmusic_midis
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.synth import Renderer

RATE = 22050
EARLIER_GATE = 0.45  # the chroma gate this replaced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--pieces", type=int, default=30, help="per source")
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    renderer = Renderer(find_soundfont(), RATE)
    held_out = [m for m in vgmusic_midis(args.data, held_out=True) if m.get_end_time() > 10][:: 7][: args.pieces]
    sources = {
        "POP909 even songs, piano": pop909_midis(args.data / "pop909" / "songs", args.pieces),
        "VGMIDI labelled, piano": (load_midi(p) for p in find_files([args.data / "vgmidi" / "labelled_midi"], MIDI_SUFFIXES)[: args.pieces]),
        "VGMusic held-out games, ensemble + drums": iter(held_out),
    }
    print(f"{'source':44s} {'pieces':>6s}  {'onset P/R/F1':>16s}  {'+offset F1':>10s}  {'octave-free F1':>14s}  {'s per audio min':>15s}")
    for name, midis in sources.items():
        note_scores(name, midis, renderer, args.seconds)
    gate(held_out, renderer, args.seconds)


def pop909_midis(songs: Path, pieces: int) -> Iterable[pretty_midi.PrettyMIDI]:
    """Every few even-numbered POP909 songs, as their MIDI files (all three parts on the piano)."""
    folders = [f for f in sorted(songs.iterdir()) if f.name.isdigit() and int(f.name) % 2 == 0]
    for folder in folders[:: max(1, len(folders) // pieces)][:pieces]:
        try:
            yield load_midi(folder / f"{folder.name}.mid")
        except CuecraftError:
            continue


def note_scores(name: str, midis: Iterable[pretty_midi.PrettyMIDI], renderer: Renderer, seconds: float) -> None:
    """Print the mean transcription scores of one source's pieces, and the time it took."""
    scores, spent, heard_s = [], 0.0, 0.0
    for midi in midis:
        truth = [n for inst in midi.instruments if not inst.is_drum for n in inst.notes if n.start < seconds - 0.5]
        if len(truth) < 10:
            continue
        mono = librosa.to_mono(renderer.render(midi, int(seconds * RATE)))
        start = time.perf_counter()
        heard = [n for n in transcribe(mono, RATE) if n.start_s < seconds - 0.5]
        spent += time.perf_counter() - start
        heard_s += len(mono) / RATE
        scores.append(compare(truth, heard))
    mean = np.mean(scores, axis=0)
    print(f"{name:44s} {len(scores):6d}  {mean[0]:.2f}/{mean[1]:.2f}/{mean[2]:.2f}  {mean[3]:10.2f}  {mean[4]:14.2f}  {spent / heard_s * 60:15.2f}")


def compare(truth: list[pretty_midi.Note], heard: list[HeardNote]) -> tuple[float, ...]:
    """Onset precision, recall, F1; F1 with offsets; F1 with pitches folded to one octave."""
    ref_iv = np.array([[n.start, n.end] for n in truth])
    ref_hz = librosa.midi_to_hz(np.array([n.pitch for n in truth]))
    if not heard:
        return (0.0, 0.0, 0.0, 0.0, 0.0)
    est_iv = np.array([[n.start_s, n.end_s] for n in heard])
    est_hz = librosa.midi_to_hz(np.array([n.pitch for n in heard]))
    p, r, f, _ = mir_eval.transcription.precision_recall_f1_overlap(ref_iv, ref_hz, est_iv, est_hz, offset_ratio=None)
    _, _, f_off, _ = mir_eval.transcription.precision_recall_f1_overlap(ref_iv, ref_hz, est_iv, est_hz)
    folded = lambda notes: librosa.midi_to_hz(60 + np.array([n.pitch for n in notes]) % 12)  # noqa: E731
    _, _, f_pc, _ = mir_eval.transcription.precision_recall_f1_overlap(ref_iv, folded(truth), est_iv, folded(heard), offset_ratio=None)
    return (p, r, f, f_off, f_pc)


def gate(midis: list[pretty_midi.PrettyMIDI], renderer: Renderer, seconds: float) -> None:
    """The pitched share and the earlier chroma gate on music, drum parts alone and noise."""
    rng = np.random.default_rng(0)
    white = rng.normal(0, 0.1, int(seconds * RATE))
    sounds: dict[str, list[np.ndarray]] = {
        "music (whole files)": [],
        "drum parts alone": [],
        "noise (white, pink, brown)": [white, pink(white), np.cumsum(white) / np.abs(np.cumsum(white)).max() * 0.3],
    }
    for midi in midis:
        sounds["music (whole files)"].append(librosa.to_mono(renderer.render(midi, int(seconds * RATE))))
        drums = [inst for inst in midi.instruments if inst.is_drum and len(inst.notes) >= 20]
        if drums:
            kit = pretty_midi.PrettyMIDI(resolution=midi.resolution)
            kit.instruments = drums
            sounds["drum parts alone"].append(librosa.to_mono(renderer.render(kit, int(seconds * RATE))))
    print(f"\ngate: pitched share >= {MIN_PITCHED_SHARE} (earlier: chroma key correlation >= {EARLIER_GATE})")
    for name, clips in sounds.items():
        found = [hear_harmony(np.asarray(clip, np.float32), RATE)[1] for clip in clips]
        shares = np.array([h.pitched_share for h in found])
        correlation = np.array([h.key_confidence for h in found])
        want_tonal = name.startswith("music")
        print(f"  {name:28s} {len(clips):3d} clips: pitched share {np.min(shares):.2f}-{np.max(shares):.2f}, "
              f"judged {'tonal' if want_tonal else 'unpitched'} {np.mean((shares >= MIN_PITCHED_SHARE) == want_tonal):.0%}; "
              f"earlier gate {np.mean((correlation >= EARLIER_GATE) == want_tonal):.0%}")


def pink(white: np.ndarray) -> np.ndarray:
    """White noise filtered to fall 3 dB an octave (1/f power), at the white noise's level."""
    spectrum = np.fft.rfft(white)
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
    shaped = np.fft.irfft(spectrum, len(white))
    return shaped / np.abs(shaped).max() * np.abs(white).max()


if __name__ == "__main__":
    main()
