"""The one font with Chinese glyphs the bot draws with: certificate cards and report charts.

The install brings one: Noto Sans SC Regular (SIL Open Font License 1.1), shipped by the
`pylopdf-fonts-zh-cn` package, so `pip install` alone draws Chinese without root or a
system font. Operators may set another (`BOT_FONT`); a configured path is taken alone, so a
typo fails loudly instead of silently falling back. Unset, the bundled font comes first,
then the usual system places.
"""

from __future__ import annotations

from pathlib import Path

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
    """The first candidate Pillow can load; FontMissing when none can."""
    from PIL import ImageFont  # see domain.spreadsheets.new_workbook

    tried = (Path(configured),) if configured else CANDIDATES
    for candidate in tried:
        if not candidate.is_file():
            continue
        try:
            ImageFont.truetype(str(candidate), 12)
        except OSError:  # not a font (truncated, or not one at all)
            continue
        return candidate
    raise FontMissing("font_missing", tried=", ".join(str(c) for c in tried))
