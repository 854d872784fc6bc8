"""The docs as a build would check them: every relative link lands, and the map of the code is the code.

The docs are plain Markdown read on GitHub or in an editor, so nothing renders them and nothing else would
notice a page renamed, a heading reworded or a module added without a word in the architecture page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "contributors" / "architecture.md"

FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# An inline link or image: [text](target) or [text](target "title"); the text may hold code spans.
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, file:
# A code span that names a file or folder of the checkout, such as `bot/store/` or `tests/postgres.py`.
PATH_SPAN = re.compile(r"^(?:[\w.-]+/)+[\w.-]*$|^[\w-]+\.(?:py|sql|toml|yaml|yml|md|lock|service)$")


def documents() -> list[Path]:
    """Every Markdown file a reader is sent to from the README."""
    found = [ROOT / "README.md", ROOT / "CHANGELOG.md"]
    found += sorted((ROOT / "docs").rglob("*.md"))
    found += sorted((ROOT / "bench" / "results").glob("*.md"))
    return found


def prose(text: str) -> Iterator[tuple[int, str]]:
    """The lines outside fenced code blocks, numbered from 1: a `#` or `[x](y)` in a code block is code."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            yield number, line


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: link targets and punctuation dropped, lower case, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading's anchor; a repeated heading gets -1, -2, … as on GitHub."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for _, line in prose(text):
        heading = HEADING.match(line)
        if heading is None:
            continue
        base = slug(heading[2])
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str) -> Iterator[tuple[int, str]]:
    """Every relative link target in the prose (code spans are code, not links)."""
    for number, line in prose(text):
        for target in LINK.findall(CODE_SPAN.sub("", line)):
            if target and not EXTERNAL.match(target):
                yield number, target


def broken_links(document: Path) -> list[str]:
    """What is wrong with each of the document's relative links, one line each."""
    problems = []
    for number, target in links(document.read_text(encoding="utf-8")):
        path, _, anchor = target.partition("#")
        destination = (document.parent / path).resolve() if path else document
        where = f"{document.relative_to(ROOT)}:{number}: {target}"
        if not destination.exists():
            problems.append(f"{where}: no such file {os.path.relpath(destination, ROOT)}")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination.read_text("utf-8")):
            problems.append(f"{where}: no heading in {destination.relative_to(ROOT)} has the anchor #{anchor}")
    return problems


@pytest.mark.parametrize("document", documents(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(document: Path) -> None:
    problems = broken_links(document)
    assert not problems, "links that land nowhere:\n" + "\n".join(problems)


def test_every_docs_page_is_reached_from_the_readme() -> None:
    """A page nothing links to is a page nobody finds; the README is where a newcomer starts."""
    reached = {ROOT / "README.md"}
    waiting = [ROOT / "README.md"]
    while waiting:
        page = waiting.pop()
        for _, target in links(page.read_text(encoding="utf-8")):
            path = target.partition("#")[0]
            found = (page.parent / path).resolve() if path else page
            if found.suffix == ".md" and found.exists() and found not in reached:
                reached.add(found)
                waiting.append(found)
    unreached = [str(page.relative_to(ROOT)) for page in documents() if page not in reached]
    assert not unreached, f"no chain of links from README.md reaches: {', '.join(unreached)}"


def test_every_docs_page_is_linked_from_the_readme_itself() -> None:
    """The README is the table of contents: a newcomer finds every guide from it, not three links deep."""
    readme = ROOT / "README.md"
    linked = {(ROOT / target.partition("#")[0]).resolve() for _, target in links(readme.read_text(encoding="utf-8"))}
    unlinked = [str(page.relative_to(ROOT)) for page in sorted((ROOT / "docs").rglob("*.md")) if page not in linked]
    assert not unlinked, f"README.md links to none of: {', '.join(unlinked)}"


def test_the_link_check_sees_what_github_sees() -> None:
    """The checker itself: anchors by GitHub's rules, and nothing in code taken for a link or heading."""
    text = "# How /search ranks\n## `briefbot store copy`\n## Notes\n## Notes\n"
    text += "```\n# not a heading\n[x](gone.md)\n```\n"
    assert anchors(text) == {"how-search-ranks", "briefbot-store-copy", "notes", "notes-1"}
    assert list(links(text + "see [a](b.md#c), `[d](e.md)`, [f](https://x.example), [g](#h)\n")) == [
        (9, "b.md#c"),
        (9, "#h"),
    ]
    assert slug("Reports flowing in: feeds and articles") == "reports-flowing-in-feeds-and-articles"


def architecture_spans() -> set[str]:
    """The code spans of the architecture page, where it names modules and paths."""
    spans: set[str] = set()
    for _, line in prose(ARCHITECTURE.read_text(encoding="utf-8")):
        spans.update(match[2].strip() for match in CODE_SPAN.finditer(line))
    return spans


def modules() -> list[str]:
    """Every package (as `dir/`) and module (as `dir/file.py`) under bot/ and cogs/, `__init__.py` aside."""
    found = []
    for top in ("bot", "cogs"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            relative = path.relative_to(ROOT)
            if path.name != "__init__.py":
                found.append(relative.as_posix())
            found.append(relative.parent.as_posix() + "/")
    return sorted(set(found))


def test_the_architecture_page_names_every_package_and_module() -> None:
    named = architecture_spans()
    missing = [module for module in modules() if module not in named]
    assert missing == [], (
        f"{ARCHITECTURE.relative_to(ROOT)} does not name these, each as a code span such as `bot/store/search.py`"
        f" with a few words on its role: {', '.join(missing)}"
    )


def test_the_architecture_page_names_no_path_that_is_gone() -> None:
    gone = sorted(span for span in architecture_spans() if PATH_SPAN.match(span) and not (ROOT / span).exists())
    assert gone == [], f"{ARCHITECTURE.relative_to(ROOT)} names paths that do not exist: {', '.join(gone)}"
