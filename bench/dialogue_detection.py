"""Speech found in a film's sound against its subtitles, and how fast it is heard.

Truth: the subtitle spans (a line is on screen while it is spoken, give or take a fraction of a
second). Reports, on a 10 ms grid, the share of subtitled time found as speech (recall) and of found
speech that lies under a subtitle (precision), each span widened by --tolerance seconds (default 0);
and the seconds per film minute of Silero's streaming model (one window per call) against the
sequence model cuecraft uses, on the same sound.

  python bench/dialogue_detection.py [--film ../shared/films/sintel_trailer.mp4 --subtitles ...srt]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from cuecraft.film.dialogue import RATE, THRESHOLD, detect_speech
from cuecraft.film.subtitles import read_srt
from cuecraft.render.mux import read_film_audio

GRID_S = 0.01
FILMS = Path(__file__).resolve().parents[2] / "shared" / "films"


def coverage(spans: list[tuple[float, float]], length: int, widen: float = 0.0) -> np.ndarray:
    covered = np.zeros(length, bool)
    for start, end in spans:
        covered[max(0, int((start - widen) / GRID_S)) : int((end + widen) / GRID_S)] = True
    return covered


def streaming_seconds(mono: np.ndarray) -> float:
    """Wall time of Silero's stock streaming model (TorchScript, one 32 ms window per call) on one thread."""
    import torch
    from silero_vad import get_speech_timestamps, load_silero_vad

    torch.set_num_threads(1)
    model = load_silero_vad()
    started = time.perf_counter()
    get_speech_timestamps(torch.from_numpy(mono), model, threshold=THRESHOLD, sampling_rate=RATE)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--film", type=Path, default=FILMS / "sintel_trailer.mp4")
    parser.add_argument("--subtitles", type=Path, default=FILMS / "sintel_trailer.srt")
    parser.add_argument("--tolerance", type=float, default=0.0, help="seconds each span is widened by when the other is judged")
    args = parser.parse_args()
    lines = [(s.start_s, s.end_s) for s in read_srt(args.subtitles)]
    import av

    with av.open(str(args.film)) as container:
        seconds = float(container.duration / av.time_base)
    audio = read_film_audio(args.film, RATE, round(seconds * RATE))
    if audio is None:
        raise SystemExit(f"{args.film}: no sound to listen to")
    detect_speech(audio[:, :RATE], RATE)  # load the model before timing
    started = time.perf_counter()
    found = detect_speech(audio, RATE)
    sequence = time.perf_counter() - started
    length = int(seconds / GRID_S) + 1
    truth, heard = coverage(lines, length), coverage(found, length)
    recall = (truth & coverage(found, length, args.tolerance)).sum() / max(1, truth.sum())
    precision = (heard & coverage(lines, length, args.tolerance)).sum() / max(1, heard.sum())
    print(f"{args.film.name}: {seconds:.1f} s, {len(lines)} subtitles ({truth.sum() * GRID_S:.1f} s), {len(found)} speech regions found ({heard.sum() * GRID_S:.1f} s)")
    print(f"recall (subtitled time heard as speech) {recall:.1%}; precision (speech heard under a subtitle) {precision:.1%}")
    per_minute = 60 / seconds
    print(f"seconds per film minute: sequence model {sequence * per_minute:.2f}; streaming model {streaming_seconds(audio.mean(axis=0).astype(np.float32)) * per_minute:.2f}")


if __name__ == "__main__":
    main()
