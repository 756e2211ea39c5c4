"""The one font with Chinese glyphs the bot draws with: certificate cards and report charts.

The install brings one: Noto Sans SC Regular (SIL Open Font License 1.1), shipped by the
`pylopdf-fonts-zh-cn` package, so `pip install` alone draws Chinese without root or a
system font. Operators may set another (`BOT_FONT`); a configured path is taken alone, so a
typo fails loudly instead of silently falling back. Unset, the bundled font comes first,
then the usual system places.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from domain.errors import DomainError

SYSTEM_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/System/Library/Fonts/PingFang.ttc"),
)


def _bundled() -> tuple[Path, ...]:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:  # a broken install; the system's fonts may still do
        return ()
    return (pylopdf_fonts_zh_cn.sans_path(),)


CANDIDATES = (*_bundled(), *SYSTEM_CANDIDATES)


class FontMissing(DomainError):
    code = "font_missing"


def find(configured: str | Path | None = None) -> Path:
    """The first candidate that is a font file; FontMissing when none is."""
    tried = (Path(configured),) if configured else CANDIDATES
    for candidate in tried:
        if candidate.is_file() and is_font(candidate):
            return candidate
    raise FontMissing("font_missing", tried=", ".join(str(c) for c in tried))


# TrueType, OpenType with CFF outlines, Apple's TrueType.
_SFNT = (b"\x00\x01\x00\x00", b"OTTO", b"true")
_NEEDED = {b"cmap", b"head"}  # character to glyph, and the font's header


def is_font(path: Path) -> bool:
    """An OpenType or TrueType font (or a collection of them) whose table directory and
    tables lie within the file: what FreeType needs to open it. Read here without Pillow,
    which start-up would otherwise import for this check alone (~4 MiB of the idle bot);
    drawing imports it when it draws."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(12)
        if head[:4] == b"ttcf" and len(head) == 12:
            (count,) = struct.unpack(">I", head[8:12])
            raw = fh.read(4 * count)
            if count == 0 or len(raw) < 4 * count:
                return False
            offsets = struct.unpack(f">{count}I", raw)
        else:
            offsets = (0,)
        return all(_font_at(fh, offset, size) for offset in offsets)


def _font_at(fh: BinaryIO, offset: int, size: int) -> bool:
    fh.seek(offset)
    header = fh.read(12)
    if len(header) < 12 or header[:4] not in _SFNT:
        return False
    (count,) = struct.unpack(">H", header[4:6])
    records = fh.read(16 * count)
    if count == 0 or len(records) < 16 * count:
        return False
    tags = set()
    for tag, _checksum, start, length in struct.iter_unpack(">4sIII", records):
        if start + length > size:
            return False
        tags.add(tag)
    return tags >= _NEEDED
