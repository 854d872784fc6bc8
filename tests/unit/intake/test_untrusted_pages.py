"""Reports are untrusted input: mutated corpus pages are read without a crash, a hang or unbounded memory.

Hypothesis breaks the corpus's pages the ways hostile or broken pages come (markup cut off or unbalanced,
a huge paragraph, thousands of empty ones, mixed scripts and right-to-left marks, control characters, tags
nested thousands deep) and each is read as intake reads it: `extract_html`, the report's language, then
`candidates`. Reading may refuse a page (`ParseError`); nothing else may escape, take long or keep memory.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.intake_quality import seed_gazetteer
from bot.intake.language import detect_language
from bot.intake.parse import ParseError, extract_html
from bot.intake.sentences import candidates

PAGES = sorted((Path(__file__).resolve().parents[2] / "intake_corpus" / "pages").glob("*.html"))
GAZETTEER, _ = seed_gazetteer()
LATEST = date(2024, 2, 1)
#: Seconds one mutated page may take to read on a loaded two-core machine (a clean page takes a fraction).
BOUND = 20.0
#: Megabytes the process may grow by over the whole run.
GROWTH = 400

_SCRIPTS = st.text(
    alphabet=st.sampled_from(list("ကခဂ၁၂။၊中文缅甸。，ابتسالعربيةשלוםAaZz09 .,\u200b\u200d\u202e\u2066\ufeff\u0301")),
    max_size=400,
)
_CONTROLS = st.text(
    alphabet=st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\r", "\t", "\x0b", "\ud7ff", "\x85"]), max_size=50
)


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


@st.composite
def mutated(draw: st.DrawFn) -> str:
    page = draw(st.sampled_from(PAGES)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["cut", "huge", "empty", "scripts", "controls", "nest", "unbalanced"]))
        at = draw(st.integers(0, len(page)))
        if kind == "cut":
            page = page[:at]
        elif kind == "huge":
            word = draw(st.sampled_from(["junta ", "Shan State said. ", "ကခ ", "中文", "x"]))
            page = page[:at] + "<p>" + word * draw(st.integers(1000, 40_000)) + "</p>" + page[at:]
        elif kind == "empty":
            page = page[:at] + "<p></p>" * draw(st.integers(100, 20_000)) + page[at:]
        elif kind == "scripts":
            page = page[:at] + "<p>" + draw(_SCRIPTS) + "</p>" + page[at:]
        elif kind == "controls":
            page = page[:at] + draw(_CONTROLS) + page[at:]
        elif kind == "nest":
            depth = draw(st.integers(100, 5000))
            tag = draw(st.sampled_from(["div", "p", "span", "blockquote", "table"]))
            page = page[:at] + f"<{tag}>" * depth + "The junta said so on Friday." + f"</{tag}>" * depth + page[at:]
        else:
            page = (
                page[:at]
                + draw(st.sampled_from(["<p", "</div></div>", "<!--", "<script>", "<![CDATA[", "&#x"]))
                + page[at:]
            )
    return page


START_RSS = _rss_mb()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated())
def test_a_mutated_page_is_read_or_refused_quickly_and_without_keeping_memory(page):
    started = time.monotonic()
    try:
        article = extract_html(page.encode("utf-8", errors="surrogatepass"), None)
    except ParseError:
        return
    language = detect_language(article.text, article.language)
    found = candidates(article.text, GAZETTEER, LATEST, published=article.published, language=language)
    assert all(len(s.text) <= 2000 for s in found)
    assert time.monotonic() - started < BOUND
    assert _rss_mb() - START_RSS < GROWTH
