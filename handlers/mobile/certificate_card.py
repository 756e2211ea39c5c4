"""The activity certificate as a PNG card: its lines in a CJK font, and a QR code.

Rendering needs a font with Chinese glyphs (the install brings one, domain/fonts.py).
Without one the card would be boxes, so the bot sends the certificate as text only, says
so in it, and logs a warning for the operator.
"""

from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from domain import fonts

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 900, 520
MARGIN = 40
RED = (178, 34, 34)
QR_SIDE = 260
TEXT_WIDTH = WIDTH - 2 * MARGIN - QR_SIDE - 20  # long addresses must not run under the QR


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> str:
    if draw.textlength(text, font=font) <= TEXT_WIDTH:
        return text
    while text and draw.textlength(text + "…", font=font) > TEXT_WIDTH:
        text = text[:-1]
    return text + "…"


@cache
def find_font(configured: Path | None) -> Path | None:
    try:
        return fonts.find(configured)
    except fonts.FontMissing as missing:
        log.warning(
            "no usable font with Chinese glyphs (tried %s); certificates are sent as text "
            "only. Set BOT_FONT to one, or reinstall partybot (it brings one).",
            missing.params["tried"],
        )
        return None


def render(lines: list[str], qr_payload: str, font_path: Path | None = None) -> bytes | None:
    """The first line is the title; None when no CJK font is available."""
    found = find_font(font_path)
    if found is None:
        return None
    import qrcode  # see domain.spreadsheets.new_workbook
    from PIL import Image, ImageDraw, ImageFont

    title_font = ImageFont.truetype(str(found), 40)
    body_font = ImageFont.truetype(str(found), 26)
    card = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(card)
    draw.rectangle((8, 8, WIDTH - 9, HEIGHT - 9), outline=RED, width=6)
    draw.text((MARGIN, MARGIN), lines[0], font=title_font, fill=RED)
    y = MARGIN + 70
    for line in lines[1:]:
        draw.text((MARGIN, y), _fit(draw, line, body_font), font=body_font, fill="black")
        y += 42
    qr = qrcode.make(qr_payload, box_size=6, border=2).get_image().convert("RGB")
    qr = qr.resize((QR_SIDE, QR_SIDE))
    card.paste(qr, (WIDTH - MARGIN - QR_SIDE, HEIGHT - MARGIN - QR_SIDE))
    buffer = io.BytesIO()
    card.save(buffer, format="PNG")
    return buffer.getvalue()
