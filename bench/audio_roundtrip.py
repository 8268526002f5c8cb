"""Render MIDI with cuecraft's renderer, analyse the audio, compare with a known truth.

- Catalog MIDI (VGMIDI by default): tempo within 4 % (octave errors counted apart) and key by the
  MIREX weighted score, against the symbolic analysis of the same file.
- `--pop909`: POP909 songs rendered on the piano from their beat grid, against their annotated chords
  (root and triad family at the middle of each beat), keys and key regions (the local key of each
  beat); the symbolic analysis of the same notes beside it. Odd-numbered songs are the ones the audio
  harmony was chosen on (`--odd`); the report is on even-numbered ones by default.
"""

from __future__ import annotations

import argparse
import bisect
from pathlib import Path

import librosa
import numpy as np
import pretty_midi

from cuecraft.corpus.audio import analyse_audio
from cuecraft.corpus.audio_harmony import hear_harmony
from cuecraft.corpus.chords import chord_at, label_chords
from cuecraft.corpus.evaluation import mirex_key_score, tempo_agreement
from cuecraft.corpus.files import MIDI_SUFFIXES, find_files
from cuecraft.corpus.keyfinding import estimate_key
from cuecraft.corpus.symbolic import analyse_midi, load_midi
from cuecraft.errors import CuecraftError
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.synth import Renderer
from cuecraft.theory import Key

RATE = 22050


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=Path("../shared/data/vgmidi/labelled_midi"))
    parser.add_argument("--pieces", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30.0, help="render this much of each piece")
    parser.add_argument("--pop909", type=Path, help="POP909's songs folder: measure chords and keys heard in audio")
    parser.add_argument("--odd", action="store_true", help="with --pop909: the odd-numbered songs (where the floor was chosen)")
    args = parser.parse_args()
    renderer = Renderer(find_soundfont(), RATE)
    if args.pop909:
        pop909_chords(renderer, args.pop909, args.pieces, args.seconds, args.odd)
        return
    verdicts = {"match": 0, "octave": 0, "miss": 0}
    key_scores, keys_exact, n = [], 0, 0
    for path in find_files([args.data], MIDI_SUFFIXES)[: args.pieces]:
        midi = load_midi(path)
        truth = analyse_midi(midi)
        if truth.tempo_changes or not truth.key:
            continue  # one tempo only: the truth must be a single number
        audio = renderer.render(midi, int(min(args.seconds, truth.duration_s) * RATE))
        found = analyse_audio(audio, RATE)
        n += 1
        verdicts[tempo_agreement(found.tempo_bpm, truth.tempo_bpm)] += 1
        if found.key:
            score = mirex_key_score(Key.parse(found.key), Key.parse(truth.key))
            key_scores.append(score)
            keys_exact += score == 1.0
    print(f"pieces: {n} (piano GM rendering, first {args.seconds:.0f} s each)")
    print(f"tempo within 4 %: {verdicts['match'] / n:.1%}   octave errors: {verdicts['octave'] / n:.1%}   "
          f"misses: {verdicts['miss'] / n:.1%}")
    print(f"key: exact {keys_exact / n:.1%}, MIREX mean {sum(key_scores) / n:.3f} "
          f"({n - len(key_scores)} withheld as atonal)")


def pop909_chords(renderer: Renderer, songs: Path, pieces: int, seconds: float, odd: bool) -> None:
    """Chords and keys heard in rendered POP909 songs against their annotated labels, beside the symbolic
    labeller on the same notes; one song in every few, of one parity, up to `pieces`."""
    from analysis_accuracy import same_chord

    from cuecraft.corpus.global_key import find_key
    from cuecraft.corpus.keyfinding import key_at
    from cuecraft.corpus.local_key_model import note_local_keys
    from cuecraft.corpus.pop909 import read_song

    folders = [f for f in sorted(songs.iterdir()) if f.name.isdigit() and int(f.name) % 2 == int(odd)]
    right, heard_right, total = 0, 0, 0
    local, heard_local = [], []
    keys: dict[str, list[bool]] = {"major": [], "minor": []}
    profile_keys: dict[str, list[bool]] = {"major": [], "minor": []}
    for folder in folders[:: max(1, len(folders) // pieces)][:pieces]:
        try:
            song = read_song(folder)
        except CuecraftError:
            continue
        beat_s = 60.0 / song.tempo
        notes = [n for n in song.notes if n.onset * beat_s < seconds]
        midi = pretty_midi.PrettyMIDI(initial_tempo=song.tempo)
        piano = pretty_midi.Instrument(0)
        piano.notes = [pretty_midi.Note(n.velocity, n.pitch, n.onset * beat_s, (n.onset + n.duration) * beat_s) for n in notes]
        midi.instruments.append(piano)
        audio = renderer.render(midi, int(seconds * RATE))
        mono = librosa.to_mono(audio)
        _, harmony = hear_harmony(mono, RATE)
        profile_key, _ = estimate_key(librosa.feature.chroma_cqt(y=mono, sr=RATE).sum(axis=1))
        symbolic = label_chords(notes)
        symbolic_keys = note_local_keys(notes, symbolic, find_key(notes, symbolic)[0])
        for beat in range(int(seconds / beat_s)):
            truth = chord_at(song.chords, beat + 0.5)
            if truth is None:
                continue
            tracked = bisect.bisect_right(harmony.beat_times_s, (beat + 0.5) * beat_s) - 1
            if (local_truth := key_at(song.keys, beat + 0.5)) is not None:
                span = next((k for k in harmony.local_keys if k.start_beat <= tracked + 0.5 < k.end_beat), None)
                local.append(span is not None and Key.parse(span.key) == local_truth)
                heard_local.append(key_at(symbolic_keys, beat + 0.5) == local_truth)
            total += 1
            right += same_chord(chord_at(harmony.chords, tracked + 0.5), truth)
            heard_right += same_chord(chord_at(symbolic, beat + 0.5), truth)
        keys[song.key.mode].append(harmony.key == song.key)
        profile_keys[song.key.mode].append(profile_key == song.key)
    print(f"POP909 {'odd' if odd else 'even'}-numbered songs, first {seconds:.0f} s of each, piano rendering: "
          f"{sum(map(len, keys.values()))} songs, {total} beats")
    print(f"chords (root + family) from audio: {right / total:.1%}; the symbolic labeller on the same notes: {heard_right / total:.1%}")
    print(f"local key from audio: {np.mean(local):.1%} of {len(local)} beats; the symbolic analysis on the same notes: {np.mean(heard_local):.1%}")
    for name, found in (("key from audio", keys), ("  the chroma profile alone (the earlier audio key)", profile_keys)):
        print(f"{name}: " + ", ".join(f"{mode} {np.mean(hits):.1%} ({len(hits)})" for mode, hits in found.items() if hits))


if __name__ == "__main__":
    main()
