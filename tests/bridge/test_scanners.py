"""The SANE driver against SANE's real `test` backend (sane-utils), A4 and greyscale."""

import pikepdf
import pytest
from PIL import Image

from tests.bridge.peripherals import page_count, pdfinfo_pages
from visiorelais.bridge.scanners import (
    SCANNERS,
    SaneCapabilities,
    SaneCommandScanner,
    ScanFailed,
    ScanOptions,
    pages_to_pdf,
    scanner_create,
)

FEEDER = ScanOptions(resolution=150, mode="Gray", source="ADF")


async def scan_pages(scanner, folder, options=FEEDER):
    seen = []

    async def on_page(count, page):
        seen.append((count, page.exists()))

    pages = await scanner.scan(folder=folder, options=options, on_page=on_page)
    return pages, seen


async def test_a_scan_of_three_pages_from_the_feeder_becomes_one_pdf_of_three_a4_pages(sane_test, tmp_path):
    scanner = SaneCommandScanner(device="test", page_limit=3)

    pages, seen = await scan_pages(scanner, tmp_path / "pages")
    pdf = pages_to_pdf(pages, tmp_path / "scan.pdf", resolution=150)

    assert seen == [(1, True), (2, True), (3, True)]
    assert page_count(pdf) == 3
    assert pdfinfo_pages(pdf) == 3
    with pikepdf.open(pdf) as document:
        width, height = (float(value) for value in document.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


async def test_the_feeder_gives_all_its_pages_when_under_the_limit(sane_test, tmp_path):
    # The test scanner's feeder holds 10 pages.
    pages, _ = await scan_pages(SaneCommandScanner(device="test", page_limit=50), tmp_path / "pages")

    assert len(pages) == 10


async def test_the_flatbed_gives_one_page(sane_test, tmp_path):
    options = ScanOptions(resolution=100, source="Flatbed")

    pages, _ = await scan_pages(SaneCommandScanner(device="test"), tmp_path / "pages", options)

    assert len(pages) == 1


async def test_pages_are_greyscale_at_the_asked_resolution(sane_test, tmp_path):
    pages, _ = await scan_pages(SaneCommandScanner(device="test", page_limit=1), tmp_path / "pages")

    with Image.open(pages[0]) as image:
        assert image.mode == "L"
        assert round(image.info["dpi"][0]) == 150
        width, height = image.size
    assert abs(width - 210 / 25.4 * 150) <= 1
    assert abs(height - 297 / 25.4 * 150) <= 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [("SANE_STATUS_JAMMED", "jammed"), ("SANE_STATUS_NO_DOCS", "no_docs"), ("SANE_STATUS_COVER_OPEN", "cover_open")],
)
async def test_each_forced_fault_gives_its_reason(sane_test, tmp_path, status, reason):
    scanner = SaneCommandScanner(device="test", page_limit=3, extra_args=["--read-return-value", status])

    with pytest.raises(ScanFailed) as failure:
        await scan_pages(scanner, tmp_path / "pages")

    assert failure.value.reason == reason


async def test_an_unknown_device_is_no_scanner(sane_test, tmp_path):
    with pytest.raises(ScanFailed) as failure:
        await scan_pages(SaneCommandScanner(device="nosuchscanner"), tmp_path / "pages")

    assert failure.value.reason == "no_scanner"


async def test_without_a_device_it_takes_the_first_one_sane_finds(sane_test):
    scanner = SaneCommandScanner()

    assert await scanner.device_name() == "test:0"
    assert await scanner.health() == {"present": True, "ready": True, "detail": "test:0", "adf": True}


async def test_health_says_when_there_is_no_scanner(sane_test):
    (sane_test.directory / "dll.conf").write_text("")

    health = await SaneCommandScanner().health()

    assert health["present"] is False
    assert health["ready"] is False


def test_the_sane_driver_is_registered():
    assert SCANNERS["sane"] is SaneCommandScanner
    assert isinstance(scanner_create("sane", device="test"), SaneCommandScanner)
    with pytest.raises(KeyError, match="known: sane"):
        scanner_create("twain")


def test_capabilities_are_read_from_scanimage_listings():
    listing = """
  Scan mode:
    --mode Lineart|Gray|Color [Lineart]
        Selects the scan mode.
    --resolution 75|150|300|600dpi [75]
    --source Flatbed|ADF Front|ADF Duplex [Flatbed]
"""
    caps = SaneCapabilities.parse(listing)

    assert caps.mode_for("Gray") == "Gray"
    assert caps.resolution_for(200) == 150
    assert caps.resolution_for(250) == 300
    assert caps.feeder() == "ADF Front"
    assert caps.flatbed() == "Flatbed"
    ranged = SaneCapabilities.parse("    --resolution 1..1200dpi (in steps of 1) [50]\n")
    assert ranged.resolution_for(300) == 300
    assert ranged.resolution_for(5000) == 1200
