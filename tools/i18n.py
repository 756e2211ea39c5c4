"""Keep the gettext catalogs in step with the code.

python tools/i18n.py update   # extract messages.pot, merge into every .po; English
                              # msgstrs of new messages are filled with the msgid
python tools/i18n.py check    # CI: fail when the template or a catalog is stale,
                              # a message is untranslated or fuzzy, or placeholders differ
python tools/i18n.py compile  # write the .mo files (the Docker build runs this)
python tools/i18n.py merge LOCALE FILE.po...
                              # fill LOCALE's untranslated messages from other catalogs,
                              # e.g. both sides of a merge of two feature branches
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
TEMPLATE = LOCALES / "messages.pot"
CATALOG_LOCALES = ("zh_Hans", "en")
SOURCE_LOCALE = "en"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


# NP_ marks a button label, say, that is translated later with its context.
KEYWORDS = {**DEFAULT_KEYWORDS, "NP_": ((1, "c"), 2)}


def extract() -> Catalog:
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    catalog = Catalog(project="partybot", msgid_bugs_address="", fuzzy=False)
    for _file, _line, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, auto_comments=comments, context=context)
    return catalog


def po_path(locale: str) -> Path:
    return LOCALES / locale / "LC_MESSAGES" / "messages.po"


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(
            fh,
            catalog,
            width=100,
            no_location=True,
            sort_output=True,
            omit_header=False,
            ignore_obsolete=True,
        )


def keys(catalog: Catalog) -> set[tuple]:
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in catalog if m.id}


def update() -> None:
    template = extract()
    write(TEMPLATE, template)
    for locale in CATALOG_LOCALES:
        path = po_path(locale)
        catalog = read(path, locale) if path.exists() else Catalog(locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False
        catalog.project, catalog.version = "partybot", ""
        if locale == SOURCE_LOCALE:
            for message in catalog:
                if message.id and not _translated(message):
                    message.string = message.id
        write(path, catalog)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return all(strings) and not message.fuzzy


def problems() -> list[str]:
    found = []
    template = extract()
    if not TEMPLATE.exists() or keys(read(TEMPLATE)) != keys(template):
        found.append("locales/messages.pot is stale: run `python tools/i18n.py update`")
    for locale in CATALOG_LOCALES:
        path = po_path(locale)
        if not path.exists():
            found.append(f"{locale}: catalog missing")
            continue
        catalog = read(path, locale)
        missing = keys(template) - keys(catalog)
        if missing:
            example = min(missing)
            found.append(f"{locale}: {len(missing)} messages missing, e.g. {example}")
        for message in catalog:
            if not message.id:
                continue
            if not _translated(message):
                found.append(f"{locale}: untranslated or fuzzy: {message.id!r}")
                continue
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
            for string in strings:
                if set(PLACEHOLDER.findall(string)) != expected:
                    found.append(f"{locale}: placeholders differ in {message.id!r}")
    return found


def merge(locale: str, sources: list[Path]) -> int:
    path = po_path(locale)
    catalog = read(path, locale)
    known = {}
    for source in sources:
        for message in read(source, locale):
            if message.id and _translated(message):
                known.setdefault((message.context, keys_id(message)), message.string)
    filled = 0
    for message in catalog:
        key = (message.context, keys_id(message))
        if message.id and not _translated(message) and key in known:
            message.string, message.flags = known[key], set()
            filled += 1
    write(path, catalog)
    print(f"{path.relative_to(ROOT)}: {filled} messages filled")
    return filled


def keys_id(message) -> str | tuple:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        sys.path.insert(0, str(ROOT))
        from domain.i18n import compile_catalogs

        for path in compile_catalogs():
            print(path)
    elif command == "merge" and len(argv) > 3:
        merge(argv[2], [Path(a) for a in argv[3:]])
    elif command == "check":
        issues = problems()
        for issue in issues:
            print(issue, file=sys.stderr)
        if issues:
            return 1
        print("catalogs are complete and up to date")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
