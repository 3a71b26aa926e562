"""The HTML page in a real headless Chromium: what a person sees on screen and on a printed A4 page.

The screenshot is read with the stdlib (zlib + struct) to check pixels a person would notice: the
banner's colour band at the top with text on it, a rationale card's direction badge, a page that is
not blank. The page printed to PDF and read back with pdftotext checks the visible text, in order,
from the banner to the disclaimer, including the trials table below the fold.

Needs /usr/bin/chromium and poppler-utils (`.ci/install-chromium` installs both). Without chromium
the tests skip on a developer's machine, but fail under CI (CI=true), where they must run.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from igfrules.rendering.html import render_html
from igfrules.rendering.text import BANNER, DIRECTION_WORDS, TRIALS_HEADING
from igfrules.report import Report
from tests.integration.test_html import real_report, sample_report

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1240, 1754  # A4 proportions at 150 dpi
WHITE = (255, 255, 255)
BANNER_BG = (0xFF, 0xF3, 0xCD)
BADGE_BG = {"supports": (0xD9, 0xF2, 0xDD), "does_not_support": (0xF8, 0xD7, 0xDA),
            "caution": (0xFF, 0xF0, 0xC2)}
REPORTS = ["sample", "her2-trastuzumab-pretreated.yaml",
           "hr-positive-her2-negative-nonvisceral.yaml"]


def _require_tools() -> None:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: run .ci/install-chromium (as root)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it, so its absence there is a broken CI, not a skip
        pytest.skip(message)
    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: run .ci/install-chromium (as root)")


def _chromium(work: Path, page: Path, *args: str) -> None:
    profile = work / f"profile-{len(list(work.glob('profile-*')))}"  # fresh: no state between runs
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars", *args,
               page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, f"chromium exit {result.returncode}:\n{result.stderr[-3000:]}"


# -- a minimal PNG reader: 8-bit RGB/RGBA, non-interlaced, which is what Chromium writes ----------

@dataclass(frozen=True)
class Image:
    width: int
    height: int
    channels: int
    rows: tuple[bytes, ...]

    def pixels(self, y: int) -> list[tuple[int, ...]]:
        row, c = self.rows[y], self.channels
        return [tuple(row[x:x + 3]) for x in range(0, len(row), c)]


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def read_png(data: bytes) -> Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + length])
        elif kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, f"unexpected PNG format {header}"
    c = 3 if colour == 2 else 4
    stride = width * c
    raw = zlib.decompress(b"".join(idat))
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        # Undo the scanline filter (PNG spec, section 9): 0 none, 1 sub, 2 up, 3 average, 4 paeth.
        if kind == 2:  # most of Chromium's rows, so done in one pass
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif kind != 0:
            for i in range(stride):
                left = line[i - c] if i >= c else 0
                if kind == 1:
                    line[i] = (line[i] + left) & 255
                elif kind == 3:
                    line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
                else:
                    line[i] = (line[i] + _paeth(left, prev[i], prev[i - c] if i >= c else 0)) & 255
        rows.append(bytes(line))
        prev = line
    return Image(width, height, c, tuple(rows))


# -- one rendering per report, shared by the tests ------------------------------------------------

@dataclass(frozen=True)
class Rendered:
    report: Report
    png: bytes
    image: Image
    text: str  # the printed page's visible text in drawing order, with no whitespace at all
    pdfinfo: str


@pytest.fixture(scope="module", params=REPORTS)
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    _require_tools()
    name = request.param
    report = sample_report() if name == "sample" else real_report(request.getfixturevalue("kb"), name)
    work = tmp_path_factory.mktemp("browser")
    page = work / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    png, pdf = work / "screen.png", work / "print.pdf"
    _chromium(work, page, f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}")
    _chromium(work, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    # -raw: drawing order, so a table reads cell by cell instead of line by line across cells.
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    data = png.read_bytes()
    # NFKC: a font's ligature glyphs come back from the PDF as single characters (U+FB01 "fi").
    text = _squash(unicodedata.normalize("NFKC", text))
    return Rendered(report, data, read_png(data), text, info)


def _squash(text: str) -> str:
    """Text without whitespace: where a line wraps (even after a hyphen) is layout, not content."""
    return "".join(text.split())


def assert_in_order(text: str, parts: list[str]) -> None:
    pos = 0
    for part in map(_squash, parts):
        found = text.find(part, pos)
        assert found >= 0, f"{part!r} not found after position {pos}: ...{text[pos:pos + 300]}"
        pos = found + len(part)


# -- the screenshot -------------------------------------------------------------------------------

def test_screenshot_is_a_full_page_not_a_blank(rendered: Rendered) -> None:
    image = rendered.image
    assert (image.width, image.height) == (WIDTH, HEIGHT)
    assert len(rendered.png) > 50_000  # a blank page of this size compresses to a few kB
    assert len(set(image.rows)) > 300  # lines of text make many distinct pixel rows
    inked = sum(1 for y in range(0, image.height, 8) for p in image.pixels(y) if p != WHITE)
    assert inked > 5_000


def test_screenshot_opens_with_the_research_banner(rendered: Rendered) -> None:
    top = [p for y in range(60) for p in rendered.image.pixels(y)]
    assert sum(p == BANNER_BG for p in top) > 20_000  # the banner's colour band spans the top
    assert sum(max(p) < 90 for p in top) > 500  # and carries dark text and a dark border


def test_screenshot_shows_a_rationale_card_with_its_direction_badge(rendered: Rendered) -> None:
    if not rendered.report.rationales:
        pytest.skip("no rationale for this case")
    colour = BADGE_BG[rendered.report.rationales[0].evidence.direction]
    seen = sum(p == colour for y in range(rendered.image.height) for p in rendered.image.pixels(y))
    assert seen > 300, "the first card's direction badge is not on screen"


# -- the printed page -----------------------------------------------------------------------------

def test_prints_on_a4(rendered: Rendered) -> None:
    assert "(A4)" in rendered.pdfinfo, rendered.pdfinfo


def test_printed_text_runs_from_banner_to_disclaimer(rendered: Rendered) -> None:
    report, text = rendered.report, rendered.text
    assert text.startswith(_squash(BANNER))
    assert text.endswith(_squash(report.disclaimer))
    titles = [r.title for r in report.rationales]
    badges = [DIRECTION_WORDS[r.evidence.direction].upper() for r in report.rationales]
    assert_in_order(text, [f"Candidate research rationales ({len(report.rationales)})",
                           *[part for pair in zip(titles, badges, strict=True) for part in pair]])
    needs = f"Information that would change the answer ({len(report.needs_information)})"
    assert_in_order(text, [needs,
                           *[n.rule_id for n in report.needs_information],
                           "The review's conclusion", report.conclusion])


def test_printed_trials_table(rendered: Rendered) -> None:
    report, text = rendered.report, rendered.text
    heading = f"{TRIALS_HEADING} ({len(report.trials)})"
    if not report.trials:
        assert_in_order(text, [heading, "None."])
        return
    columns = ["NCT", "Acronym", "Title", "Regimen", "Phase", "Primary outcome", "Status per the review, and since"]
    # -raw reads the table cell by cell: each row's id, acronym and title come out together.
    rows = [f"{t.nct_id}{t.acronym}{t.title}" for t in report.trials]
    assert_in_order(text, [heading, *columns, *rows])
    for t in report.trials:
        assert _squash(t.status_words) in text and t.status_as_of in t.status_words
