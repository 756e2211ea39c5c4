"""What the domain says when it refuses what someone typed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.errors import InvalidInput


def refusal(read: Callable[..., object], *args: object) -> str:
    """The code of the InvalidInput `read(*args)` raises; fails the test when it accepts."""
    with pytest.raises(InvalidInput) as refused:
        read(*args)
    return refused.value.code
