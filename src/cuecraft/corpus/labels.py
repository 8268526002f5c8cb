"""Emotion labels that sources ship with their pieces, matched to files by name."""

from __future__ import annotations

import csv
import re
from pathlib import Path, PurePosixPath

import numpy as np

from cuecraft.errors import CuecraftError


def read_vgmidi_labels(csv_path: str | Path) -> dict[str, tuple[float, float]]:
    """VGMIDI's labelled CSV as {file stem: (valence, arousal)}.

    The CSV labels phrases (`…_0.mid`, `…_1.mid`) of the pieces here (`….mid`): the stem is the phrase
    file's name without its phrase index. Labels are -1/1 per dimension (Ferreira & Whitehead 2019);
    a piece whose phrases disagree gets their mean (e.g. 0.0).
    """
    path = Path(csv_path)
    phrases: dict[str, list[tuple[float, float]]] = {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                stem = re.sub(r"_\d+$", "", PurePosixPath(row["midi"]).stem)
                phrases.setdefault(stem, []).append((float(row["valence"]), float(row["arousal"])))
    except (OSError, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise CuecraftError(path, f"not a VGMIDI label file ({exc.__class__.__name__}: {exc})") from None
    return {stem: tuple(float(x) for x in np.mean(values, axis=0)) for stem, values in phrases.items()}  # type: ignore[misc]
