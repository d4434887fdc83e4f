"""The printable book (`make pdf`: tools/book_pdf.py prints _build/html to _build/pdf/book.pdf).

Every chapter's title starts a bookmarked section and appears in its text, every chapter's
section holds figures, and no page is blank. Skipped where no PDF was built (CNNLIB_PDF names
another file); CI builds it first.
"""

import os
import unicodedata
from pathlib import Path

import pytest

from conftest import ROOT

PDF = Path(os.environ.get("CNNLIB_PDF") or ROOT / "_build" / "pdf" / "book.pdf")


@pytest.fixture(scope="module")
def book():
    if not PDF.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{PDF} is missing: run `make pdf` before the PDF tests")
        pytest.skip("no PDF: run `make pdf` first")
    from pypdf import PdfReader

    reader = PdfReader(PDF)
    sections = [(item.title, reader.get_destination_page_number(item))
                for item in reader.outline]
    texts = [page.extract_text() or "" for page in reader.pages]
    images = [len(page.images) for page in reader.pages]
    return reader, sections, texts, images


def chapter_titles():
    """The h1 of each chapter notebook, as the site and the PDF show it."""
    import json

    from tools.book_pdf import toc_pages

    titles = {}
    for doc in toc_pages():
        if doc.startswith("chapters/"):
            cells = json.loads((ROOT / f"{doc}.ipynb").read_text())["cells"]
            first = "".join(cells[0]["source"]).splitlines()[0]
            titles[doc] = first.lstrip("# ").strip()
    return titles


def normalise(text):
    """Lower case, single spaces, no soft hyphens, ligatures spelled out (a PDF's "ﬁ")."""
    text = unicodedata.normalize("NFKC", text.replace("\u00ad", ""))
    return " ".join(text.split()).lower()


def test_every_page_of_the_book_is_a_bookmarked_section(book):
    reader, sections, _, _ = book
    from tools.book_pdf import toc_pages

    assert len(sections) == len(toc_pages()), [title for title, _ in sections]
    starts = [first for _, first in sections]
    assert starts == sorted(starts) and starts[0] == 0 and starts[-1] < len(reader.pages)


def test_every_chapter_title_and_its_figures_are_in_the_pdf(book):
    reader, sections, texts, images = book
    starts = [first for _, first in sections] + [len(reader.pages)]
    titles = [title for title, _ in sections]
    for doc, title in chapter_titles().items():
        assert title in titles, f"no bookmark for {doc}: {title!r}"
        index = titles.index(title)
        pages = range(starts[index], starts[index + 1])
        assert normalise(title) in normalise(texts[pages[0]]), f"{title!r} not on its first page"
        figures = sum(images[p] for p in pages)
        assert figures >= 1, f"{doc}: no figure in its {len(pages)} pages"


def test_no_blank_page(book):
    reader, _, texts, images = book
    blank = [n + 1 for n, (text, count) in enumerate(zip(texts, images))
             if len(text.strip()) < 20 and count == 0]
    assert len(reader.pages) > 50
    assert not blank, f"blank pages: {blank}"
