"""Hostile and broken uploads for the "Add a curve" tests (issue 16), each built here in memory.

Every entry is ``name -> (bytes, words the refusal must contain)``. Nothing is read from disk.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A *valid* 1-bit greyscale PNG of width x height (all black): 50 MB of pixel rows that
    compress to ~50 kB — a decompression bomb for anyone who decodes before checking."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    comp = zlib.compressobj(9)
    parts = [comp.compress(row) for _ in range(height)]
    parts.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


def small_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (200, 150), "white").save(buf, format="PNG")
    return buf.getvalue()


def small_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (200, 150), "white").save(buf, format="JPEG")
    return buf.getvalue()


def zip_bomb() -> bytes:
    """A ZIP holding 200 MB of zeros (~200 kB packed), to be uploaded under a .png name."""
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("figure.png", "w") as handle,
    ):
        block = b"\x00" * 1_000_000
        for _ in range(200):
            handle.write(block)
    return buf.getvalue()


def corrupt_png() -> bytes:
    """A PNG whose image data is garbage (structure intact, CRCs right)."""
    ihdr = struct.pack(">IIBBBBB", 200, 150, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", b"this is not deflate data" * 10)
        + _chunk(b"IEND", b"")
    )


SVG_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b"<script>alert(document.cookie)</script><rect width='100' height='100'/></svg>"
)


def hostile_uploads() -> dict[str, tuple[bytes, tuple[str, ...]]]:
    png = small_png()
    return {
        "empty": (b"", ("empty",)),
        "wrong type (text)": (b"hello, this is a letter\nnot a curve\n", ("not recognised",)),
        "wrong type (GIF)": (b"GIF89a" + b"\x00" * 100, ("PNG and JPEG",)),
        "PDF": (b"%PDF-1.7\n" + b"x" * 100, ("screenshot",)),
        "truncated PNG": (png[: len(png) // 2], ("truncated",)),
        "corrupt PNG": (corrupt_png(), ("corrupt",)),
        "truncated JPEG": (small_jpeg()[:300], ("JPEG",)),
        "20000x20000 PNG (decompression bomb)": (huge_png(), ("20000 × 20000", "megapixels")),
        "ZIP bomb renamed .png": (zip_bomb(), ("ZIP",)),
        "50 MB upload": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50_000_000, ("50.0 MB", "limit")),
        "polyglot PNG+ZIP": (png + zip_bomb()[:5000], ("after its end",)),
        "polyglot PNG+HTML": (png + b"<html><script>alert(1)</script></html>", ("after its end",)),
        "SVG with script": (SVG_SCRIPT, ("SVG",)),
        "CSV text in number column": (
            b"time,survival\n0,1\n1,0.98\n2,abc\n3,0.9\n",
            ("row 4", "survival", "'abc' is not a number"),
        ),
        "CSV non-monotone curve": (
            b"time,survival\n0,1\n2,0.9\n4,0.7\n6,0.85\n8,0.6\n",
            ("rises", "never rises"),
        ),
        "WebPlotDigitizer CSV with the wrong axis": (
            b"0.1,1\n0.2,3\n0.4,6\n0.6,9\n0.8,12\n0.9,15\n",
            ("swapped",),
        ),
        "WebPlotDigitizer CSV with an uncalibrated y axis": (
            b"0,250\n3,240\n6,200\n9,150\n",
            ("y axis", "250"),
        ),
        "patient CSV with extra columns": (
            b"patient_id,time,event\n1,3.2,1\n2,5.0,0\n",
            ("no identifiers",),
        ),
        "patient CSV with an identifier column": (
            b"time,event,name\n3.2,1,Smith\n5.0,0,Jones\n",
            ("nothing else",),
        ),
        "patient CSV with event 2": (
            b"time,event\n1,1\n2,0\n3,2\n4,1\n5,0\n6,1\n",
            ("must be 1 or 0",),
        ),
        "binary junk": (bytes(range(256)) * 10, ("neither an image nor a text",)),
    }
