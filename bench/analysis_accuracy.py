"""How right is the corpus analysis? Keys and chords against analyses the analysers never saw: human
analysts' (RomanText, the folk tunes' key fields) and a dataset's annotations (POP909).

Truth:
- POP909 (Wang et al. 2020): each song's key (the longest region of key_audio.txt), its key regions
  as local keys (145 of 880 songs change key) and its timed chord labels, on the song's beat grid. Its
  paper says these were made by MIR algorithms (keys from the recordings), the tempo curves by hand
  (corpus.pop909): agreement with them is agreement with those algorithms;
- music21's RomanText analyses with their scores: 20 Bach chorales (found by the BWV number the analysis names) and 48
  Monteverdi madrigals: the home key (the analysis's first key), the local key and the chord of every
  beat. Two chorale analyses are of the chorale in another key than music21's score (Riemenschneider's
  edition transposes some): each analysis is moved to the transposition whose chord tones cover most
  of the score's note time (fit_to_score), and pieces whose truth covers under PAIRING_FIT of it even so
  (an analysis that does not line up with its score) are reported apart; so are the beats of any
  eight-bar passage where it does not (passages_off_the_score: a madrigal analysed from an edition with
  other bar numbers runs off its score near the end), for every truth. Scores are read by corpus.notation, which
  lays each measure at its bar's length (twenty madrigal scores write a resting voice's bar as two whole
  rests, which would put that voice a bar late).
- folk tunes of music21's ABC collections (Ryan's Mammoth, O'Neill's 1850, Aird's Airs, misc folk)
  whose key field names the key with its mode (K:A Dorian, K:Dmix, K:Em), from the half of the files
  the home-key model never learned from (folk_files(1)): the tonic and mode, against the home key and
  the key named with its mode (corpus.modes), tunes whose key field changes within the tune apart;
  Bach and POP909 say how often music in plain major or minor is given a mode;
- the European songs of music21's Essen folk-song collection (essen_songs): the tonic its encoders
  named (the songs are encoded in scale degrees above it; the ABC gives it as the K: field, without the
  mode), against the home key's tonic, the profile's and the last note's, songs that end elsewhere
  apart. The Chinese files are left out: their K: field names the pentatonic scale's gong (do), and
  most of their songs end on its fifth or sixth (the zhi and yu modes);
- the catalog's own game-soundtrack MIDI (VGMusic, every game): the key signature a file's sequencer
  wrote, when it wrote one other than C major; the home key should be that signature's major key or
  its relative minor (score_signatures).
Measures: global key (major and minor pieces apart; the home-key finder, and the pitch profile alone
for comparison; the finder's scorer learned from odd-numbered POP909 songs and the tunes of
folk_files(0), see fit_key_weights.py), local key per beat
(corpus.local_key_model, which learned from the RomanText analyses: on those, each piece is scored by a
model fitted on the other half of the analyses, every other chorale and madrigal (fold_models), so no
piece is scored by a model that saw it; POP909 by the shipped model), chord per beat (root and triad
family: maj (maj, 7, maj7), min (min, min7), dim, aug, sus4), for beats the truth labels while the score sounds.

  python bench/analysis_accuracy.py [--data ../shared/data] [--every 1]
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from cuecraft.corpus.chords import Chord, TimedChord, chord_at, label_chords
from cuecraft.corpus.global_key import find_key
from cuecraft.corpus.keyfinding import TimedKey, estimate_key, key_at, pitch_class_profile
from cuecraft.corpus.local_key_model import LocalKeyModel, fit_local_key_model, note_local_keys
from cuecraft.corpus.modes import SCALES, modal_key_name, scale_time, signature_tonic
from cuecraft.corpus.notation import parse_score, score_notes
from cuecraft.corpus.pop909 import read_song
from cuecraft.corpus.symbolic import in_beats, load_midi
from cuecraft.errors import CuecraftError
from cuecraft.model.events import Note
from cuecraft.theory import PITCH_CLASS_NAMES, Key

PAIRING_FIT = 0.6  # share of note time on the truth's chord tones under which an analysis does not match its score
PASSAGE_BEATS = 32  # the same test passage by passage (eight 4/4 bars): an analysis of another edition drifts off its score
# ABC key-field mode words (their first three letters) as cuecraft's modes; no word: major.
ABC_MODES = {"": "major", "maj": "major", "ion": "major", "m": "minor", "min": "minor", "aeo": "minor", "dor": "dorian",
             "mix": "mixolydian", "phr": "phrygian", "lyd": "lydian", "loc": "locrian"}  # fmt: skip
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"  # the workplace's datasets (POP909, VGMusic)
MIN_TUNE_NOTES = 16  # a folk tune or song shorter than this is passed over (a fragment says little of its key)
FOLK_FOLDERS = ("ryansMammoth", "oneills1850", "airdsAirs", "miscFolk")  # music21 corpus folders of ABC folk tunes
M21_QUALITY = {"major": "maj", "minor": "min", "diminished": "dim", "augmented": "aug", "half-diminished": "dim"}


@dataclass
class Tally:
    """Right/total counts per measure."""

    counts: dict[str, list[int]] = field(default_factory=dict)

    def add(self, name: str, right: bool) -> None:
        self.counts.setdefault(name, [0, 0])
        self.counts[name][0] += int(right)
        self.counts[name][1] += 1

    def report(self, title: str) -> None:
        print(f"## {title}")
        for name, (right, total) in self.counts.items():
            print(f"  {name:<28} {right / max(total, 1):6.1%}  ({right}/{total})")


@dataclass(frozen=True)
class Truth:
    """A piece's notes (beats) with its true key, local keys and chords (as its analysis or annotation gives them)."""

    title: str
    notes: list[Note]
    key: Key
    chords: list[TimedChord]
    keys: list[TimedKey] = ()
    fit: float = 1.0  # share of the notes' time on the truth's chord tones


def chord_tone_shares(notes: list[Note], chords: list[TimedChord]) -> list[float]:
    """Share of the notes' sounding time on the tones of the chord the truth gives at their onset,
    with the chords moved up 0, 1 ... 11 semitones (each note's chord looked up once)."""
    on, total = [0.0] * 12, 0.0
    for n in notes:
        chord = chord_at(chords, n.onset + 1e-6)
        if chord is not None:
            total += n.duration
            for shift in range(12):
                on[shift] += n.duration * ((n.pitch - shift) % 12 in chord.pitch_classes)
    return [x / total if total else 0.0 for x in on]


def passages_off_the_score(piece: Truth) -> set[int]:
    """The PASSAGE_BEATS-long passages (by index) whose notes lie on the truth's chord tones for under
    PAIRING_FIT of their time: the analysis and the score part company there (a bar the analysis skips,
    another edition's bar numbers), whatever the analyser hears."""
    by_passage: dict[int, list[Note]] = {}
    for n in piece.notes:
        by_passage.setdefault(int(n.onset // PASSAGE_BEATS), []).append(n)
    return {index for index, notes in by_passage.items() if chord_tone_shares(notes, piece.chords)[0] < PAIRING_FIT}


def fit_to_score(piece: Truth) -> Truth:
    """The truth moved to the transposition (0-11 semitones up) whose chord tones cover most of the
    score's note time, with that share as its fit: an analysis of the chorale in another key is
    brought to the score's (its numerals are relative to a key, so they move whole)."""
    shares = chord_tone_shares(piece.notes, piece.chords)
    k = max(range(12), key=shares.__getitem__)
    if k == 0:
        return replace(piece, fit=shares[0])
    move = lambda key: Key((key.tonic + k) % 12, key.mode)  # noqa: E731
    return replace(piece, key=move(piece.key), fit=shares[k],
                   chords=[TimedChord(c.start, c.end, Chord((c.chord.root + k) % 12, c.chord.quality)) for c in piece.chords],
                   keys=[TimedKey(t.start, t.end, move(t.key)) for t in piece.keys])  # fmt: skip


def same_chord(estimate: Chord | None, truth: Chord) -> bool:
    return estimate is not None and estimate.root == truth.root and estimate.triad_family() == truth.triad_family()


def rests_on_relative_major(piece: Truth) -> bool:
    """Whether a minor piece's own annotated chords contradict its key label: more time on the relative
    major's tonic triad than on the minor tonic's, and a last chord off the minor tonic."""
    def time_on(root: int, family: str) -> float:
        return sum(c.end - c.start for c in piece.chords if c.chord.root == root and c.chord.triad_family() == family)

    tonic = piece.key.tonic
    return time_on((tonic + 3) % 12, "maj") > time_on(tonic, "min") and piece.chords[-1].chord.root != tonic


def keyed_chords(piece: Truth) -> list[tuple[Chord, Key]]:
    """The truth's chords in order, each with the key it gives them (chords outside its keys left out)."""
    return [(c.chord, key) for c in piece.chords if (key := key_at(piece.keys, (c.start + c.end) / 2)) is not None]


def is_chorale(piece: Truth) -> bool:
    return piece.title.startswith("riemenschneider")


def analysis_groups(pieces: list[Truth]) -> list[list[list[tuple[Chord, Key]]]]:
    """The analyses of `pieces` as the local-key model learns from them: the chorales and the madrigals,
    two groups that weigh alike."""
    return [[keyed_chords(p) for p in pieces if is_chorale(p) == chorales] for chorales in (True, False)]


def fold_of(pieces: list[Truth]) -> list[int]:
    """Each piece's fold (0 or 1): every other piece of its own truth (chorales, madrigals)."""
    seen = {True: 0, False: 0}
    folds = []
    for piece in pieces:
        folds.append(seen[is_chorale(piece)] % 2)
        seen[is_chorale(piece)] += 1
    return folds


def fold_models(pieces: list[Truth]) -> list[LocalKeyModel]:
    """For each piece, a local-key model fitted on the analyses of the other fold (two-fold validation:
    the shipped model learned from every analysis, so the bench measures models that never saw the piece)."""
    folds = fold_of(pieces)
    models = [fit_local_key_model(analysis_groups([p for p, f in zip(pieces, folds) if f != fold])) for fold in (0, 1)]
    return [models[f] for f in folds]


def score(piece: Truth, tally: Tally, local_model: LocalKeyModel | None = None) -> None:
    """Add one piece's key, local-key and chord agreement to `tally`; local keys from `local_model`
    (the shipped one unless given)."""
    found_chords = label_chords(piece.notes)
    profile = pitch_class_profile((n.pitch, n.duration) for n in piece.notes)
    profile_only, _ = estimate_key(profile)
    home = find_key(piece.notes, found_chords)[0]
    tally.add(f"global key, {piece.key.mode}", home == piece.key)
    tally.add(f"  named a mode, {piece.key.mode}", modal_key_name(profile, home) != home.name)
    tally.add(f"  profile alone, {piece.key.mode}", profile_only == piece.key)
    if piece.key.mode == "minor":
        tally.add("  minor, truth's chords rest on the relative major", rests_on_relative_major(piece))
    if piece.keys:
        ends_where_it_starts = piece.keys[0].key == piece.keys[-1].key
        tally.add("  the truth's first and last keys agree", ends_where_it_starts)
        if ends_where_it_starts:  # the truth's home key is its first key: plain where it is also its last
            tally.add(f"  global key, {piece.key.mode}, pieces whose first and last keys agree", home == piece.key)
    apart = passages_off_the_score(piece)
    for beat in sounding_beats(piece):
        if (truth := chord_at(piece.chords, beat + 0.5)) is not None:
            tally.add("  beats set apart: their passage is off the score", beat // PASSAGE_BEATS in apart)
            if beat // PASSAGE_BEATS not in apart:
                tally.add("chord (root + family)", same_chord(chord_at(found_chords, beat + 0.5), truth))
    if piece.keys:
        changes_key = len({k.key for k in piece.keys}) > 1
        for right in local_key_agreement(piece, note_local_keys(piece.notes, found_chords, home, local_model), apart):
            tally.add("local key", right)
            if changes_key:
                tally.add("  local key, pieces that change key", right)


def sounding_beats(piece: Truth) -> range:
    """The beats the truth labels while the score sounds (a beat counts if the music lasts past its middle):
    an analysis can run past the music's end (six chorale analyses hold their last chord a beat past the
    score's last note), and a beat without notes has no key or chord to hear."""
    end = min(max(c.end for c in piece.chords), max(n.onset + n.duration for n in piece.notes))
    return range(math.ceil(end - 0.5))


def local_key_agreement(piece: Truth, found: list[TimedKey], apart: set[int]) -> list[bool]:
    """Whether `found` names the truth's local key, for each beat the truth gives one while the score
    sounds (sounding_beats), outside the passages set `apart` (passages_off_the_score)."""
    return [key_at(found, beat + 0.5) == truth for beat in sounding_beats(piece)
            if beat // PASSAGE_BEATS not in apart and (truth := key_at(piece.keys, beat + 0.5)) is not None]  # fmt: skip


def folk_files(half: int | None = None) -> list[Path]:
    """music21's ABC folk files (FOLK_FOLDERS), sorted by path; with `half` (0 or 1) every other one of them:
    the home-key model (corpus.key_model) learned from the tunes of half 0."""
    import music21

    root = Path(music21.__file__).parent / "corpus"
    files = sorted(p for folder in FOLK_FOLDERS for p in (root / folder).rglob("*.abc"))
    return files if half is None else files[half::2]


def field_tonic(field: re.Match[str]) -> int:
    """The pitch class of a matched K: field's note: its letter (group 1) and sharp or flat (group 2)."""
    return ("C D EF G A B".index(field.group(1)) + {"#": 1, "b": -1, "": 0}[field.group(2)]) % 12


def abc_tunes(path: Path) -> list[str]:
    """The tunes of an ABC file, each from its X: line on."""
    return [tune for tune in re.split(r"(?m)^(?=X:)", path.read_text(errors="ignore")) if tune.startswith("X:")]


def tune_notes(tune: str) -> list[Note]:
    """One ABC tune's notes in beats; none where music21's reader fails on it."""
    try:
        return score_notes(parse_score(tune, format="abc"))
    except Exception:  # noqa: BLE001 - music21's ABC reader raises many kinds on odd tunes; they are passed over
        return []


def folk_tunes(files: list[Path]) -> Iterator[tuple[list[Note], int, str, bool]]:
    """(notes, tonic, mode, one key) of the ABC tunes in `files` whose key field names a key; the mode is
    the field's (minor for aeolian; locrian tunes are passed over); one key: no later key field in the
    tune names another key (a clog whose second strain is written in the subdominant does)."""
    for path in files:
        for tune in abc_tunes(path):
            field = re.search(r"(?m)^K:\s*([A-G])([#b]?)\s*([A-Za-z]*)", tune)
            mode = ABC_MODES.get(field.group(3).lower()[:3]) if field else None
            if mode is None or mode == "locrian":
                continue
            if len(notes := tune_notes(tune)) >= MIN_TUNE_NOTES:
                fields = {re.sub(r"\s+", "", f) for f in re.findall(r"(?m)(?:^K:|\[K:)\s*([^\]\n%]*)", tune)}
                yield notes, field_tonic(field), mode, len(fields) == 1


def score_folk(every: int) -> None:
    """Tonic and mode of the folk tunes the home-key model never learned from (folk_files' half 1): the home
    key, and the key named with its mode; tunes whose key field changes within the tune are reported apart
    (their first key field names one strain's key, not the tune's)."""
    tally = Tally()
    for notes, tonic, mode, one_key in folk_tunes(folk_files(1)[::every]):
        home = find_key(notes)[0]
        if not one_key:
            tally.add("tunes that change key field: home key is the first", home.tonic == tonic and home.mode == mode)
            continue
        named = modal_key_name(pitch_class_profile((n.pitch, n.duration) for n in notes), home)
        if mode in ("major", "minor"):  # a modal tune's home key is major or minor by construction
            tally.add(f"{mode}: home key exact", home.tonic == tonic and home.mode == mode)
        tally.add(f"{mode}: key with its mode exact", named == f"{PITCH_CLASS_NAMES[tonic]} {mode}")
        tally.add(f"{mode}:   tonic right", home.tonic == tonic)
    tally.counts = dict(sorted(tally.counts.items()))
    tally.report("music21 ABC folk tunes the home-key model never learned from (key field names the key), per tune")


def essen_songs(every: int) -> Iterator[tuple[list[Note], int]]:
    """(notes, tonic) of the songs of music21's European Essen files (the Chinese han* files left out)."""
    import music21

    for path in sorted((Path(music21.__file__).parent / "corpus" / "essenFolksong").glob("*.abc")):
        if path.stem.startswith("han"):
            continue
        for tune in abc_tunes(path)[::every]:
            field = re.search(r"(?m)^K:\s*([A-G])([#b]?)", tune)
            if field and len(notes := tune_notes(tune)) >= MIN_TUNE_NOTES:
                yield notes, field_tonic(field)


def score_essen(every: int) -> None:
    """The tonic of the European Essen songs (the home-key finder never learned from them): the home key's,
    the profile's and the last note's, for songs that end on their tonic and songs that end elsewhere."""
    tally = Tally()
    for notes, tonic in essen_songs(every):
        last = max(notes, key=lambda n: (n.onset, -n.pitch)).pitch % 12
        group = "ends on its tonic" if last == tonic else "ends elsewhere"
        tally.add(f"{group}: home key's tonic", find_key(notes)[0].tonic == tonic)
        tally.add(f"{group}: profile alone", estimate_key(pitch_class_profile((n.pitch, n.duration) for n in notes))[0].tonic == tonic)
        tally.add("songs that end on their tonic", last == tonic)
    tally.counts = dict(sorted(tally.counts.items()))
    tally.report("music21 Essen folk songs, European (the encoders' tonic; the finder never learned from them), per song")


def vgmusic_signed(data: Path, every: int) -> Iterator[tuple[list[Note], Key]]:
    """(pitched notes in beats, written key) of the VGMusic files whose sequencer wrote one key signature
    other than C major (most write C major whatever the music: the default says nothing)."""
    for path in sorted((data / "vgmusic" / "midi").rglob("*.mid"))[::every]:
        try:
            midi = load_midi(path)
        except CuecraftError:
            continue
        written = {signature.key_number for signature in midi.key_signature_changes}
        if len(written) != 1 or written == {0}:
            continue
        notes = in_beats(midi, [n for part in midi.instruments if not part.is_drum for n in part.notes])
        if len(notes) >= 32:
            number = written.pop()
            yield notes, Key(number % 12, "minor" if number >= 12 else "major")


def score_signatures(data: Path, every: int) -> None:
    """The home key against the key signature written in game-soundtrack MIDI: whether it is the signature's
    major key or its relative minor (the signature does not say which; a file flagged minor does). A file
    whose notes hold more time on another major scale than the written one's is reported apart: mis-signed
    or transposed after the signature was set. (The key named with its mode is not scored: on a file's own
    scale it agrees by construction.)"""
    tally = Tally()
    for notes, written in vgmusic_signed(data, every):
        profile = pitch_class_profile((n.pitch, n.duration) for n in notes)
        home = find_key(notes)[0]
        signature = signature_tonic(written.tonic, written.mode)
        on_scale = [scale_time(profile, tonic, SCALES["major"]["major"]) for tonic in range(12)]
        group = "notes on its scale" if on_scale.index(max(on_scale)) == signature else "notes on another scale"
        tally.add(f"{group}: home key", signature_tonic(home.tonic, home.mode) == signature)
        alone = estimate_key(profile)[0]
        tally.add(f"{group}: profile alone", signature_tonic(alone.tonic, alone.mode) == signature)
        if written.mode == "minor":
            tally.add("minor written: home key exact", home == written)
    tally.counts = dict(sorted(tally.counts.items()))
    tally.report("VGMusic MIDI with a key signature other than C (the finder never fitted on VGMusic): on that signature, per file")


def pop909_songs(data: Path, every: int) -> Iterator[Truth]:
    for folder in sorted((data / "pop909" / "songs").iterdir())[::every]:
        try:
            song = read_song(folder)
        except CuecraftError:
            continue
        yield Truth(song.title, song.notes, song.key, song.chords, song.keys)


def romantext_pieces(every: int) -> Iterator[Truth]:
    """music21's RomanText analyses paired with their scores, as notes, chords and keys in quarter notes."""
    import music21

    root = Path(music21.__file__).parent / "corpus"
    for analysis in sorted(root.rglob("*.rntxt"))[::every]:
        if analysis.parent.name == "choraleAnalyses":  # the analysis names its chorale: "BWV: 153.1"
            bwv = next((line.split(":", 1)[1].strip() for line in analysis.read_text().splitlines() if line.startswith("BWV:")), "")
            score_path = root / "bach" / f"bwv{bwv}.mxl"
        else:
            score_path = analysis.with_suffix(".mxl")
        if not score_path.is_file():
            continue
        rn, music = parse_score(analysis, format="romantext"), parse_score(score_path)
        notes = score_notes(music)
        numerals = list(rn.recurse().getElementsByClass("RomanNumeral"))
        if not notes or not numerals:
            continue
        starts = aligned_starts(numerals, rn, music)
        chords, keys = [], []
        for i, numeral in enumerate(numerals):
            start = starts[i]
            end = starts[i + 1] if i + 1 < len(numerals) else start + float(numeral.quarterLength)
            if start < 0:
                continue
            quality = M21_QUALITY.get(numeral.quality)
            if quality and end > start:
                chords.append(TimedChord(start, end, Chord(numeral.root().pitchClass, quality)))
            local = Key(numeral.key.tonic.pitchClass, "minor" if numeral.key.mode == "minor" else "major")
            if end > start:
                keys.append(TimedKey(start, end, local))
        if chords:
            yield fit_to_score(Truth(analysis.stem, notes, keys[0].key, chords, keys))


def aligned_starts(numerals: list, analysis: object, music: object) -> list[float]:
    """Each numeral's start in the score's quarter notes: by offset where the analysis and the score
    are equally long, else bar by bar (some madrigal analyses count their bars in other lengths);
    -1 for a bar the score lacks."""
    if abs(float(analysis.highestTime) - float(music.highestTime)) < 1.0:  # type: ignore[attr-defined]
        return [float(n.getOffsetInHierarchy(analysis)) for n in numerals]
    bars = {m.number: float(m.getOffsetInHierarchy(music)) for m in music.parts[0].getElementsByClass("Measure")}  # type: ignore[attr-defined]
    return [bars[n.measureNumber] + float(n.getOffsetInHierarchy(analysis)) - float(n.getContextByClass("Measure").getOffsetInHierarchy(analysis))
            if n.measureNumber in bars else -1.0 for n in numerals]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--every", type=int, default=1, help="every Nth piece only (a quicker look)")
    parser.add_argument("--truth", choices=("all", "romantext", "folk", "essen", "vgmusic", "pop909"), default="all")
    args = parser.parse_args()
    held_out, fitted = Tally(), Tally()
    if args.truth in ("all", "romantext"):
        tallies = {(bach, paired): Tally() for bach in (True, False) for paired in (True, False)}
        pieces = list(romantext_pieces(args.every))
        for piece, model in zip(pieces, fold_models(pieces)):
            paired = piece.fit >= PAIRING_FIT
            if not paired:
                print(f"{piece.title}: its analysis covers {piece.fit:.0%} of the score's note time (misaligned?)")
            score(piece, tallies[is_chorale(piece), paired], model)
        for (bach, paired), tally in tallies.items():
            if not tally.counts:
                continue
            name = "Bach chorales" if bach else "Monteverdi madrigals (modal; their analyses' keys)"
            tally.report(f"music21 RomanText: {name}, {'analysis lines up with the score' if paired else 'analysis off its score'}, "
                         "per quarter note")
    if args.truth in ("all", "folk"):
        score_folk(args.every)
    if args.truth in ("all", "essen"):
        score_essen(args.every)
    if args.truth in ("all", "vgmusic"):
        score_signatures(args.data, args.every)
    if args.truth in ("all", "pop909"):
        for piece in pop909_songs(args.data, args.every):
            score(piece, fitted if int(piece.title) % 2 else held_out)
        held_out.report("POP909 even-numbered songs (held out from the key finder's fit; annotations by MIR algorithms), per beat")
        fitted.report("POP909 odd-numbered songs (the key finder learned from them; annotations by MIR algorithms), per beat")


if __name__ == "__main__":
    main()
