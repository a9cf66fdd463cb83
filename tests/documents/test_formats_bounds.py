"""Conversion failures and bounds: corrupt, encrypted, zip bombs, memory, time; and the cache."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from assistant.documents.formats import ConvertLimits, convert_file, limits_from_settings, runner
from assistant.documents.formats.cache import converter_key
from assistant.errors import BadInputError
from assistant.settings import Settings

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "real"
DOCX = (REAL / "par-known-styles.docx").read_bytes()
PDF = (REAL / "crazyones.pdf").read_bytes()


def _docx_with(extra: dict[str, bytes] | None = None, body_paras: int = 0) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(DOCX)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml" and body_paras:
                para = b"<w:p><w:r><w:t>The quick brown fox jumps over the lazy dog again and again.</w:t></w:r></w:p>"
                data = data.replace(b"<w:body>", b"<w:body>" + para * body_paras, 1)
            z.writestr(info, data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def _fails(name: str, data: bytes, limits: ConvertLimits | None = None, cache_dir: Path | None = None) -> BadInputError:
    with pytest.raises(BadInputError) as err:
        convert_file(Path(name), data, cache_dir, limits)
    message = str(err.value)
    assert message.startswith(f"{name}: ") and "\n" not in message and "Traceback" not in message
    return err.value


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("notes.docx", DOCX[:5000], "corrupt or not a DOCX archive"),
    ("notes.docx", b"PK\x03\x04 this is not really a zip", "corrupt or not a DOCX archive"),
    ("notes.docx", b"%PDF-1.4 a PDF renamed", "corrupt or not a DOCX archive"),
    ("scan.pdf", PDF[: len(PDF) // 3], "corrupt or not a PDF"),
    ("scan.pdf", b"<html>not a pdf</html>", "corrupt or not a PDF"),
    ("adr.rst", "Title\n=====\n\nCaf\xe9\n".encode("latin-1"), "not UTF-8"),
    ("notes.odt", b"whatever", "archie cannot convert .odt"),
    ("empty.html", b"  \n", "file is empty"),
])
def test_broken_files_give_one_line_reasons(name: str, data: bytes, reason: str) -> None:
    err = _fails(name, data)
    assert err.reason.startswith(reason), err.reason
    assert err.hint


def test_zip_bomb_stops_at_the_unzipped_limit() -> None:
    bomb = _docx_with({"word/media/huge.bin": b"\0" * 30_000_000})
    assert len(bomb) < 200_000
    err = _fails("bomb.docx", bomb, ConvertLimits(max_unzipped_bytes=10_000_000))
    assert "unpacks to over 10,000,000 bytes" in err.reason and "ARCHIE_CONVERT_MAX_UNZIPPED_BYTES" in err.reason


def test_document_needing_more_memory_than_allowed_is_refused_quickly() -> None:
    big = _docx_with(body_paras=300_000)  # ~30 MB of document.xml, compressed to ~100 kB
    err = _fails("huge.docx", big, ConvertLimits(memory_mb=256))
    assert "more memory than allowed" in err.reason and "ARCHIE_CONVERT_MEMORY_MB" in (err.hint or "")


def test_conversion_past_its_time_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "STARTUP_ALLOWANCE_S", 0.0)
    err = _fails("slow.pdf", PDF, ConvertLimits(timeout_s=0.05))
    assert err.reason == "conversion took over 0.05 s"


def test_file_over_the_byte_limit_is_not_read() -> None:
    err = _fails("big.pdf", PDF, ConvertLimits(max_bytes=1000))
    assert "over the 1,000-byte limit" in err.reason


def test_limits_come_from_settings() -> None:
    limits = limits_from_settings(Settings(convert_timeout=5, convert_memory_mb=512, convert_max_pages=3))
    assert (limits.timeout_s, limits.memory_mb, limits.max_pages) == (5, 512, 3)
    assert Settings().convert_cache_dir == Settings().home / "cache" / "convert"


def test_pdf_over_the_page_limit() -> None:
    err = _fails("long.pdf", (REAL / "pdflatex-outline.pdf").read_bytes(), ConvertLimits(max_pages=2))
    assert err.reason == "PDF has 4 pages, over 2 (ARCHIE_CONVERT_MAX_PAGES)"


# --- cache -----------------------------------------------------------------------------------

def test_unchanged_file_is_not_converted_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = convert_file(Path("a.pdf"), PDF, tmp_path)
    entries = list(tmp_path.glob("*.json"))
    assert [p.name for p in entries] == [f"{__import__('hashlib').sha256(PDF).hexdigest()}-{converter_key()}.json"]

    def no_conversion(*args: object) -> None:
        raise AssertionError("converted again")

    monkeypatch.setattr(runner, "run_worker", no_conversion)
    again = convert_file(Path("renamed/b.pdf"), PDF, tmp_path)  # same bytes, another name: a hit
    assert again == first
    with pytest.raises(AssertionError, match="converted again"):
        convert_file(Path("a.pdf"), PDF + b"\n%changed", tmp_path)


def test_a_file_that_cannot_be_read_is_remembered_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = (REAL / "encrypted-file.pdf").read_bytes()
    first = _fails("locked.pdf", data, cache_dir=tmp_path)
    monkeypatch.setattr(runner, "run_worker", lambda *a: (_ for _ in ()).throw(AssertionError("converted again")))
    second = _fails("locked.pdf", data, cache_dir=tmp_path)
    assert (second.reason, second.hint) == (first.reason, first.hint)


def test_limit_failures_are_not_cached(tmp_path: Path) -> None:
    _fails("long.pdf", (REAL / "pdflatex-outline.pdf").read_bytes(), ConvertLimits(max_pages=2), tmp_path)
    assert list(tmp_path.glob("*.json")) == []


def test_unreadable_cache_entry_is_a_miss(tmp_path: Path) -> None:
    first = convert_file(Path("a.pdf"), PDF, tmp_path)
    entry = next(tmp_path.glob("*.json"))
    entry.write_text("{ torn")
    assert convert_file(Path("a.pdf"), PDF, tmp_path) == first
    assert entry.read_text().startswith('{"converted"')
