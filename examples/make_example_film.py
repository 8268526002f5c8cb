"""Make the demo film: 69 s, 24 fps, seven shots of distinct colour and motion, with room tone."""

import sys

from cuecraft.film.testfilm import make_test_film

if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "examples/film.mp4"
    cuts = make_test_film(target)
    print(f"wrote {target}: cuts at frames {cuts}")
