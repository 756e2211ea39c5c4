"""Hatchling build hook: the wheel carries each catalog compiled (`messages.mo`), not its
`.po`, so an installed bot loads its translations instead of parsing them at every start
(domain/i18n.py reads a `.mo` where there is one). An editable install reads the checkout's
`locales/` and needs nothing from here."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        # The program's own compiler (and list of locales), from the tree being built; it
        # needs only Babel, the hook's dependency.
        sys.path.insert(0, self.root)
        from domain import i18n

        # Hatchling copies force-included files when it writes the wheel, after this returns;
        # the folder lives until `finalize`.
        self._built = tempfile.TemporaryDirectory(prefix="partybot-catalogs-")
        for locale in i18n.LOCALES:
            mo = Path(self._built.name) / f"{locale}.mo"
            with mo.open("wb") as fh:
                i18n.compile_catalog(locale, fh)
            installed = f"domain/locales/{locale}/LC_MESSAGES/{i18n.DOMAIN}.mo"
            build_data["force_include"][str(mo)] = installed

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        built = getattr(self, "_built", None)
        if built is not None:
            built.cleanup()
