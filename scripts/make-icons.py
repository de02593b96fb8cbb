#!/usr/bin/env python3
"""Draws the toolbar icons (a pink tile crossed by a dashed road) into extension/icons/.

Run once when the design changes; the PNGs are committed. Standard library only.
"""
import struct
import zlib
from pathlib import Path

PINK = (255, 144, 232, 255)
INK = (30, 30, 30, 255)
CLEAR = (0, 0, 0, 0)


def pixel(x: float, y: float) -> tuple:
    # Rounded tile: transparent outside a corner radius of 18 % of the side.
    r = 0.18
    cx = min(max(x, r), 1 - r)
    cy = min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return CLEAR
    # A diagonal road with a dashed centre line.
    d = abs(x - (1 - y))
    if d < 0.20:
        along = (x + (1 - y)) / 2
        if d < 0.035 and int(along * 6) % 2 == 0:
            return PINK
        return INK
    return PINK


def png(size: int) -> bytes:
    rows = b""
    for j in range(size):
        rows += b"\x00" + b"".join(bytes(pixel((i + 0.5) / size, (j + 0.5) / size)) for i in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


out = Path(__file__).resolve().parent.parent / "extension" / "icons"
out.mkdir(parents=True, exist_ok=True)
for s in (16, 32, 48, 128):
    (out / f"icon-{s}.png").write_bytes(png(s))
