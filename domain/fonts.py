"""The one font with Chinese glyphs the bot draws with: certificate cards and report charts.

Operators set it once (`BOT_FONT`); unset, the usual places are searched. A configured
path is taken alone, so a typo fails loudly instead of silently falling back.
"""

from __future__ import annotations

from pathlib import Path

from domain.errors import DomainError

# Debian's fonts-wqy-microhei first (the Dockerfile and the README's test command install it).
CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/System/Library/Fonts/PingFang.ttc"),
)


class FontMissing(DomainError):
    code = "font_missing"


def find(configured: str | Path | None = None) -> Path:
    tried = (Path(configured),) if configured else CANDIDATES
    for candidate in tried:
        if candidate.is_file():
            return candidate
    raise FontMissing("font_missing", tried=", ".join(str(c) for c in tried))
