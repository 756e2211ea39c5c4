"""A SQLite database is run by one process: a second `partybot run` on the same file is
refused with a clear line, and a killed bot leaves nothing that stops the next one."""

from __future__ import annotations

import asyncio
import sys

import pytest

from bot import instance
from tests.conftest import TOKEN
from tests.fakes.fake_bot_api import FakeBotAPI
from tests.fakes.process import BotProcess

pytestmark = pytest.mark.sqlite_only("one process per SQLite file")


async def test_a_second_run_on_the_same_file_is_refused_and_a_killed_one_frees_it(tmp_path):
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    first = BotProcess(server, tmp_path)
    try:
        await first.start()
        await asyncio.wait_for(server.polling.wait(), 60)
        second = await asyncio.create_subprocess_exec(
            sys.executable,
            *first.command,
            cwd=tmp_path,
            env=first.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(second.communicate(), 60)
        assert second.returncode != 0
        line = err.decode().strip().splitlines()[-1]
        assert line.startswith(f"partybot: another `partybot run` (pid {first.pid}) is running")
        assert str(tmp_path / "partybot.db") in line

        await first.kill()
        instance.claim(tmp_path / "partybot.db").close()  # free again, nothing to clear
    finally:
        await first.stop()
        await server.stop()
