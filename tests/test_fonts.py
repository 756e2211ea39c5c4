"""The font check at start-up (domain/fonts.py) reads the file itself, without Pillow, and
takes what Pillow can draw with and nothing it cannot."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import ImageFont

from domain import fonts

BUNDLED = fonts.CANDIDATES[0]


def collection_of(font: bytes) -> bytes:
    """A font collection (.ttc) holding `font`: its table offsets moved past the header."""
    header = b"ttcf" + struct.pack(">HHII", 1, 0, 1, 16)
    count = struct.unpack(">H", font[4:6])[0]
    records = bytearray(font[12 : 12 + 16 * count])
    for i in range(count):
        tag, checksum, start, length = struct.unpack_from(">4sIII", records, 16 * i)
        struct.pack_into(">4sIII", records, 16 * i, tag, checksum, start + len(header), length)
    return header + font[:12] + bytes(records) + font[12 + 16 * count :]


def pillow_draws_with(path: Path) -> bool:
    try:
        ImageFont.truetype(str(path), 12)
    except OSError:
        return False
    return True


def test_the_bundled_font_is_found_and_pillow_draws_with_it():
    assert fonts.find() == BUNDLED
    assert pillow_draws_with(BUNDLED)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda font: b"not a font at all", id="garbage"),
        pytest.param(lambda font: b"\x00\x01\x00\x00 truncated", id="a header alone"),
        pytest.param(lambda font: font[:4096], id="cut short"),
        pytest.param(lambda font: b"", id="empty"),
        pytest.param(lambda font: b"ttcf" + struct.pack(">HHI", 1, 0, 2), id="an empty collection"),
    ],
)
def test_what_is_not_a_whole_font_is_refused_as_pillow_refuses_it(tmp_path, content):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(content(BUNDLED.read_bytes()))
    assert not fonts.is_font(broken)
    assert not pillow_draws_with(broken)
    with pytest.raises(fonts.FontMissing):
        fonts.find(broken)


def test_a_font_collection_is_taken(tmp_path):
    collection = tmp_path / "fonts.ttc"
    collection.write_bytes(collection_of(BUNDLED.read_bytes()))
    assert pillow_draws_with(collection)
    assert fonts.find(collection) == collection


def test_start_up_checks_the_font_without_loading_pillow():
    script = "import sys; from domain import fonts; fonts.find(); print('PIL' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert found.stdout.strip() == "False", found.stderr
