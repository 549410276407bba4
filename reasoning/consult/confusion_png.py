"""A confusion matrix as a PNG heat map, written with the standard library only (zlib + struct).

Rows are the true classes, columns the predicted ones, both numbered 0..n-1 (the legend is in the JSON report);
each cell shows its count in a 3x5 pixel font, darker blue for a larger share of its row.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

__all__ = ["write_confusion_png"]

_FONT = {  # 3x5 digits, rows top to bottom, 3 bits each
    "0": (7, 5, 5, 5, 7), "1": (2, 6, 2, 2, 7), "2": (7, 1, 7, 4, 7), "3": (7, 1, 7, 1, 7), "4": (5, 5, 7, 1, 1),
    "5": (7, 4, 7, 1, 7), "6": (7, 4, 7, 5, 7), "7": (7, 1, 1, 1, 1), "8": (7, 5, 7, 5, 7), "9": (7, 5, 7, 1, 7),
}
_CELL, _SCALE, _MARGIN = 30, 2, 30


def _text(img: list[bytearray], x: int, y: int, s: str, rgb: tuple[int, int, int]) -> None:
    for k, ch in enumerate(s):
        for r, bits in enumerate(_FONT.get(ch, (0, 0, 0, 0, 0))):
            for c in range(3):
                if bits >> (2 - c) & 1:
                    for dy in range(_SCALE):
                        for dx in range(_SCALE):
                            px, py = x + (k * 4 + c) * _SCALE + dx, y + r * _SCALE + dy
                            if 0 <= py < len(img) and 0 <= px * 3 + 2 < len(img[py]):
                                img[py][px * 3: px * 3 + 3] = bytes(rgb)


def write_confusion_png(matrix: Sequence[Sequence[int]], path: Path) -> Path:
    n = len(matrix)
    size = _MARGIN + n * _CELL + 4
    img = [bytearray(b"\xff" * (size * 3)) for _ in range(size)]
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        _text(img, 4, _MARGIN + i * _CELL + 10, str(i), (0, 0, 0))
        for j, v in enumerate(row):
            if i == 0:
                _text(img, _MARGIN + j * _CELL + 8, 8, str(j), (0, 0, 0))
            share = v / total
            rgb = (int(255 - 225 * share), int(255 - 170 * share), 255)
            y0, x0 = _MARGIN + i * _CELL, _MARGIN + j * _CELL
            for y in range(y0 + 1, y0 + _CELL):
                img[y][(x0 + 1) * 3:(x0 + _CELL) * 3] = bytes(rgb) * (_CELL - 1)
            if v:
                ink = (255, 255, 255) if share > 0.5 else (0, 0, 0)
                _text(img, x0 + 3, y0 + 10, str(v), ink)
    raw = b"".join(b"\x00" + bytes(r) for r in img)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return path
