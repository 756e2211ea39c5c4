"""Hatchling build hook: the wheel carries each catalog compiled (`messages.mo`), not its
`.po`, so an installed bot loads its translations instead of parsing them at every start
(domain/i18n.py reads a `.mo` where there is one). An editable install reads the checkout's
`locales/` and needs nothing from here."""

from __future__ import annotations

import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DOMAIN = "messages"


class CatalogsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        source = Path(self.root) / "locales"
        # Hatchling copies force-included files when it writes the wheel, after this returns;
        # the folder lives until `finalize`.
        self._built = tempfile.TemporaryDirectory(prefix="partybot-catalogs-")
        catalogs = sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        if not catalogs:
            raise RuntimeError(f"no catalogs under {source}")
        for po in catalogs:
            locale = po.parent.parent.name
            mo = Path(self._built.name) / f"{locale}.mo"
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
            with mo.open("wb") as fh:
                write_mo(fh, catalog)
            installed = f"domain/locales/{locale}/LC_MESSAGES/{DOMAIN}.mo"
            build_data["force_include"][str(mo)] = installed

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        built = getattr(self, "_built", None)
        if built is not None:
            built.cleanup()
