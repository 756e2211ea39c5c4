"""Every audit action the code records has a name in both languages, so /audit and the
audit sheet never show a raw code such as `broadcast.sent`."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.i18n import translator
from handlers.exports import ACTION_NAMES, audit_line

ROOT = Path(__file__).resolve().parent.parent
Function = ast.FunctionDef | ast.AsyncFunctionDef


class Codes:
    """The string values an expression can take, followed through local assignments,
    conditional expressions, f-strings and the arguments of every call of the function."""

    def __init__(self) -> None:
        files = [
            p for d in ("domain", "storage", "bot", "handlers") for p in (ROOT / d).rglob("*.py")
        ]
        self.trees = [ast.parse(p.read_text(), str(p)) for p in files]
        self.functions = [f for t in self.trees for f in ast.walk(t) if isinstance(f, Function)]

    def values(self, node: ast.AST, scope: Function) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return self.values(node.body, scope) + self.values(node.orelse, scope)
        if isinstance(node, ast.JoinedStr):
            parts = [
                self.values(p.value if isinstance(p, ast.FormattedValue) else p, scope)
                for p in node.values
            ]
            return ["".join(chosen) for chosen in itertools.product(*parts)]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return [getattr(self._enum(node.value.id), node.attr).value]
        if isinstance(node, ast.Name):
            return self._name(node.id, scope)
        raise AssertionError(f"{scope.name}: cannot follow {ast.dump(node)}")

    @staticmethod
    def _enum(name: str):
        """An enum member in an action code (RegistrationStatus.CONFIRMED) reads as its value."""
        from domain import models

        return getattr(models, name)

    def _name(self, name: str, scope: Function) -> list[str]:
        assigned = [
            a.value
            for a in ast.walk(scope)
            if isinstance(a, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in a.targets)
        ]
        if assigned:
            return [v for value in assigned for v in self.values(value, scope)]
        # A method's callers pass its first argument after `self`.
        params = [a.arg for a in scope.args.args + scope.args.kwonlyargs if a.arg != "self"]
        assert name in params, f"{scope.name}: {name} comes from nowhere"
        return self._passed(scope.name, name, params.index(name))

    def _passed(self, function: str, parameter: str, index: int) -> list[str]:
        found = []
        for caller in self.functions:
            for call in ast.walk(caller):
                if not isinstance(call, ast.Call):
                    continue
                called = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
                if called != function:
                    continue
                for keyword in call.keywords:
                    if keyword.arg == parameter:
                        found += self.values(keyword.value, caller)
                if len(call.args) > index:
                    found += self.values(call.args[index], caller)
        assert found, f"{function}: no call passes {parameter}"
        return found

    def recorded(self) -> set[str]:
        codes: set[str] = set()
        for function in self.functions:
            for call in ast.walk(function):
                if isinstance(call, ast.Call) and getattr(call.func, "attr", None) == "record":
                    for keyword in call.keywords:
                        if keyword.arg == "action":
                            codes.update(self.values(keyword.value, function))
        return codes


def test_every_recorded_action_has_a_name():
    codes = Codes().recorded()
    assert {"broadcast.sent", "hours.approved", "mobile.certificate_issued"} <= codes
    assert {"mobile.change_approved", "cadre.registration_confirmed"} <= codes
    assert sorted(codes - ACTION_NAMES.keys()) == []


def test_the_names_read_in_both_languages():
    zh, en = translator("zh_Hans"), translator("en")
    for code, name in ACTION_NAMES.items():
        assert zh.gettext(name) != name, f"{code} has no Chinese name"
        assert en.gettext(name) == name


def test_an_audit_line_names_the_action_in_both_languages():
    entry = {
        "at": "2026-12-01T09:00:00+00:00",
        "action": "broadcast.sent",
        "actor_name": "王书记",
        "actor_id": 1,
        "subject_type": "broadcast",
        "subject_id": 3,
    }
    shanghai = ZoneInfo("Asia/Shanghai")
    zh = audit_line(translator("zh_Hans"), entry, shanghai)
    en = audit_line(translator("en"), entry, shanghai)
    assert "broadcast.sent" not in zh and "王书记" in zh and "群发" in zh
    assert "broadcast.sent" not in en and "broadcast sent" in en
    # Its time in the one style of each language, not 2026/12/1 17:00.
    assert zh.startswith("2026年12月1日 17:00 ·")
    assert en.startswith("December 1, 2026, 5:00\u202fPM ·")
