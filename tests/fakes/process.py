"""The bot as a separate process pointed at a `FakeBotAPI`: for crash tests and benchmarks."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.fakes.fake_bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
_TICKS = os.sysconf("SC_CLK_TCK")


class BotProcess:
    """`python -m bot run` (or any other module) with its own data folder and log file."""

    def __init__(
        self,
        server: FakeBotAPI,
        data: Path,
        *,
        command: Sequence[str] = ("-m", "bot", "run"),
        env: dict[str, str] | None = None,
    ) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
        self.env |= {
            "TELEGRAM_BOT_TOKEN": server.token,
            "TELEGRAM_BASE_URL": server.base_url,
            "TELEGRAM_BASE_FILE_URL": server.base_file_url,
            "DATABASE_URL": f"sqlite:///{data / 'partybot.db'}",
            "PYTHONPATH": str(ROOT),
        } | (env or {})
        self.command = list(command)
        self.data = data
        self.process: asyncio.subprocess.Process | None = None
        self.log = (data / "bot.log").open("ab")

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.command,
            cwd=self.data,
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=self.log,
        )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User plus system CPU time so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS

    def rss_mb(self, field: str = "VmRSS") -> float:
        """Resident memory now (`VmRSS`) or at its peak (`VmHWM`), in MiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        raise LookupError(field)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 30)
        self.log.close()
