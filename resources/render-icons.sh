#!/bin/sh
# Renders the application icon's PNG sizes for the hicolor theme from icons/sockpit.svg.
# The PNGs are committed so that a build needs no SVG renderer; run this after changing
# the SVG. Needs rsvg-convert (Debian: librsvg2-bin).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/png"
for size in 16 32 48 64 128 256; do
    rsvg-convert --width "$size" --height "$size" "$here/icons/sockpit.svg" \
        --output "$here/png/sockpit-$size.png"
done

# The Windows installer's icon: an .ico holding the PNGs as they are (allowed since
# Windows Vista), packed here so that no extra tool is needed.
mkdir -p "$here/windows"
python3 - "$here" <<'PY'
import struct, sys
here = sys.argv[1]
sizes = [16, 32, 48, 256]
images = [open(f"{here}/png/sockpit-{s}.png", "rb").read() for s in sizes]
header = struct.pack("<HHH", 0, 1, len(images))
offset = len(header) + 16 * len(images)
entries = b""
for size, data in zip(sizes, images):
    side = 0 if size == 256 else size  # 0 means 256 in an ICONDIRENTRY
    entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
    offset += len(data)
with open(f"{here}/windows/sockpit.ico", "wb") as out:
    out.write(header + entries + b"".join(images))
PY
