#!/usr/bin/env bash
# Install the Debian packages cuecraft needs, only those missing: FluidSynth, General MIDI SoundFonts
# (MuseScore General, the one scores render with, and FluidR3 GM, the fallback and the comparison in
# docs/sound.md), and Chromium (the review app's and game page's browser tests drive it through playwright).
set -euo pipefail
need=()
ldconfig -p | grep -q 'libfluidsynth\.so' || need+=(libfluidsynth3)
command -v fluidsynth >/dev/null || need+=(fluidsynth)
[ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || need+=(fluid-soundfont-gm)
[ -f /usr/share/sounds/sf2/MuseScore_General_Full.sf2 ] || need+=(musescore-general-soundfont-lossless)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
  echo "error: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
if ! $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
  # MuseScore General is a preference, not a need: without it, render with FluidR3 GM
  fallback=("${need[@]/musescore-general-soundfont-lossless}")
  echo "warning: could not install all of ${need[*]}; trying without MuseScore General" >&2
  $sudo apt-get install -y -qq --no-install-recommends ${fallback[@]} >/dev/null
fi
