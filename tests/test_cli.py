"""The operator's command line, run as a real process."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from domain import admin
from storage.db import Database
from tests.conftest import TOKEN
from tests.fakes.fake_bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db' / 'partybot.db'}"
    env["PYTHONPATH"] = str(ROOT)
    return env | extra


def partybot(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=environment(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("token", "message"), [(None, "TELEGRAM_BOT_TOKEN is not set"), ("abc", "malformed")]
)
def test_run_without_a_good_token_says_so_in_one_line(tmp_path, token, message):
    extra = {"TELEGRAM_BOT_TOKEN": token} if token else {}
    result = partybot(tmp_path, "run", **extra)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_bad_configuration_is_one_line(tmp_path):
    result = partybot(tmp_path, "migrate", BOT_TIMEZONE="Mars/Olympus")
    assert result.returncode == 2
    assert "BOT_TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_operator_commands(tmp_path):
    assert "schema version" in partybot(tmp_path, "migrate").stdout
    branch = partybot(tmp_path, "branch", "add", "幸福社区党支部", "--district", "城关区")
    assert branch.returncode == 0, branch.stderr
    branch_id = branch.stdout.strip()
    assert branch_id.isdigit()

    again = partybot(tmp_path, "branch", "add", "幸福社区党支部", "--district", "城关区")
    assert again.returncode == 1 and "already exists" in again.stderr

    ok = partybot(
        tmp_path, "secretary", "add", "--branch", branch_id, "--telegram-id", "4242", "--name", "王"
    )
    assert ok.returncode == 0, ok.stderr
    for args, message in [
        (
            ["secretary", "add", "--branch", "999", "--telegram-id", "1", "--name", "王"],
            "no branch with id 999",
        ),
        (
            ["secretary", "add", "--branch", branch_id, "--telegram-id", "-5", "--name", "王"],
            "positive number",
        ),
        (["invite", "create", "--branch", "999"], "no branch with id 999"),
        (["invite", "create", "--branch", branch_id, "--uses", "0"], "--uses"),
    ]:
        result = partybot(tmp_path, *args)
        assert result.returncode == 1, args
        assert message in result.stderr and "Traceback" not in result.stderr

    invite = partybot(
        tmp_path,
        "invite",
        "create",
        "--branch",
        branch_id,
        "--role",
        "cadre",
        "--uses",
        "3",
        TELEGRAM_BOT_USERNAME="community_party_bot",
    )
    link, code = invite.stdout.strip().splitlines()
    assert link == f"https://t.me/community_party_bot?start={code}"

    backup = partybot(tmp_path, "backup", str(tmp_path / "backups" / "b.db"))
    assert backup.returncode == 0 and (tmp_path / "backups" / "b.db").stat().st_size > 0

    bad = partybot(
        tmp_path, "secretary", "add", "--branch", "x", "--telegram-id", "1", "--name", "王"
    )
    assert bad.returncode == 2 and "invalid int value" in bad.stderr


def talking_to(tmp_path: Path, server: FakeBotAPI) -> dict[str, str]:
    return environment(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=server.base_url,
        TELEGRAM_BASE_FILE_URL=server.base_file_url,
    )


async def in_background(
    tmp_path: Path, env: dict[str, str], *args: str
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_run_answers_over_http_and_stops_cleanly_on_sigterm(tmp_path):
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    try:
        env = talking_to(tmp_path, server)
        process = await in_background(tmp_path, env, "run")
        user = server.new_user("Ann", language_code="en")
        server.push_text(user, "/start")
        replies = await server.wait_for_messages(user["id"], 1, timeout=30)
        assert "To join your branch" in replies[0]["text"]
        assert server.commands, "the command menu was not published"
        heartbeat = tmp_path / "db" / "heartbeat"
        for _ in range(100):
            if heartbeat.exists():
                break
            await asyncio.sleep(0.05)
        health = await in_background(tmp_path, env, "health")
        assert await health.wait() == 0
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        log = stderr.decode()
        assert process.returncode == 0, log
        assert "starting partybot" in log
        assert TOKEN not in log and TOKEN.split(":")[1] not in log
    finally:
        await server.stop()


async def test_sigterm_while_the_secretary_menus_go_out_stops_at_once(tmp_path):
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    try:
        secretaries = [server.new_user(f"书记{n}")["id"] for n in range(40)]
        async with Database(tmp_path / "db" / "partybot.db") as db:
            branch = await admin.add_branch(db, "幸福社区党支部")
            for telegram_id in secretaries:
                await admin.add_secretary(db, branch.id, telegram_id)
        # 40 menus at 0.2 s each: 8 s, if the stop waited for them.
        server.inject("setMyCommands", status=200, delay=0.2, times=None)
        env = talking_to(tmp_path, server)
        process = await in_background(tmp_path, env, "run")
        await asyncio.wait_for(server.polling.wait(), 30)
        await asyncio.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        stopping = asyncio.get_running_loop().time()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()
        assert asyncio.get_running_loop().time() - stopping < 4
        menus = [scope for scope, _ in server.commands if scope != "default"]
        assert 0 < len(menus) < len(secretaries)  # polling began while the menus went out
    finally:
        await server.stop()


def test_import_from_the_shell(tmp_path):
    branch_id = partybot(tmp_path, "branch", "add", "幸福社区党支部").stdout.strip()
    roster = tmp_path / "名册.csv"
    roster.write_text("姓名,手机号,类别\n李明,13800138000,居民党员\n张伟,139,流动\n", "utf-8")
    bad = partybot(tmp_path, "import", str(roster), "--branch", branch_id)
    assert bad.returncode == 1
    assert "row 3 手机号: That is not a valid phone number" in bad.stderr
    assert "nothing imported" in bad.stderr and "Traceback" not in bad.stderr

    roster.write_text("姓名,手机号,类别\n李明,13800138000,居民党员\n张伟,13900139000,流动\n")
    ok = partybot(
        tmp_path, "import", str(roster), "--branch", branch_id, TELEGRAM_BOT_USERNAME="pb"
    )
    assert ok.returncode == 0, ok.stderr
    assert "imported 2 new, 0 already known" in ok.stdout
    assert "李明\t13800138000\t" in ok.stdout and "https://t.me/pb?start=" in ok.stdout

    wrong = partybot(tmp_path, "import", str(tmp_path / "x.pdf"), "--branch", branch_id)
    assert wrong.returncode == 1 and "cannot read" in wrong.stderr
    other = partybot(tmp_path, "import", str(roster), "--branch", "99")
    assert other.returncode == 1 and "no branch with id 99" in other.stderr


def help_of(top: argparse.ArgumentParser, *words: str, capsys) -> str:
    with pytest.raises(SystemExit):
        top.parse_args([*words, "--help"])
    return capsys.readouterr().out


def test_a_command_alone_lists_what_it_lists_among_all_commands(capsys):
    every_parser, every = cli.parser()
    assert help_of(cli.parser(["run"])[0], capsys=capsys) == help_of(every_parser, capsys=capsys)
    for name, _, _ in cli.COMMANDS:
        alone_parser, alone = cli.parser([name])
        assert {k: v for k, v in alone.items() if k[0] == name} == {
            k: v for k, v in every.items() if k[0] == name
        }
        for words in [(name,), *(key for key in every if key[0] == name and key[1])]:
            assert help_of(alone_parser, *words, capsys=capsys) == help_of(
                every_parser, *words, capsys=capsys
            ), words


# `service.run` replaced: what a run has imported once it imports the application.
_PROBE = """
import sys
from bot import cli
from bot.cli import service

def run(settings, args):
    import bot.app
    from telegram.ext import _updater
    groups = sorted(m for m in sys.modules if m.startswith("bot.cli."))
    print(args.webhook, _updater.WEBHOOKS_AVAILABLE, sys.modules.get("tornado") is not None)
    print(*groups)
    return 0

service.run = run
raise SystemExit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    ("args", "webhook"), [(["run"], False), ([], False), (["run", "--webhook"], True)]
)
def test_run_imports_no_other_command_group_and_polling_no_webhook_server(tmp_path, args, webhook):
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=tmp_path,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    modes, groups = result.stdout.splitlines()
    assert modes == f"{webhook} {webhook} {webhook}"  # tornado only for a webhook
    assert groups == "bot.cli.service bot.cli.shell"
