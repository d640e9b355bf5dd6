"""Guarded decoding of a figure image into an ``(H, W, 3)`` uint8 RGB array.

Figures come from users and from publishers' files, so decoding is defensive:

* only PNG and JPEG are accepted (Pillow is told which decoders it may try; nothing else runs);
* the file size and the pixel count are checked *before* the pixels are decoded, against
  ``MAX_FILE_BYTES`` and ``MAX_IMAGE_PIXELS`` (decompression bombs stop at the header);
* EXIF orientation and every other metadata chunk are ignored: the pixels are used as stored;
* transparency is composited over white (figures are printed on white paper), palettes and
  grey scales are expanded to RGB.

Decoding image data cannot execute code with Pillow's PNG and JPEG decoders; no other library is
involved.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

#: Largest accepted image file, in bytes (20 MB). Published figures are well under 5 MB.
MAX_FILE_BYTES = 20_000_000
#: Largest accepted image, in pixels (25 megapixels, e.g. 5000 x 5000). Checked from the header
#: before decoding, so a decompression bomb is refused without allocating its pixels.
MAX_IMAGE_PIXELS = 25_000_000
#: Smallest accepted side, in pixels: below this no axis or curve can be told apart.
MIN_IMAGE_SIDE = 64
#: Formats Pillow may decode (its format names).
ALLOWED_FORMATS = ("PNG", "JPEG")

UInt8Image = npt.NDArray[np.uint8]


class DigitiseError(ValueError):
    """A problem with the input figure or the request, stated in one line for the user."""


def decode_image(data: bytes, *, name: str = "image") -> UInt8Image:
    """Decode PNG/JPEG bytes into an RGB uint8 array of shape ``(H, W, 3)``.

    Raises ``DigitiseError`` (one line, naming ``name``) for empty, oversized, non-image or
    disallowed-format data.
    """
    if not data:
        raise DigitiseError(f"{name}: the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise DigitiseError(
            f"{name}: file is {len(data)} bytes; the limit is {MAX_FILE_BYTES} (MAX_FILE_BYTES)"
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns (and above 2x its own limit raises) on huge images; our own limit,
            # checked below from the header, is lower and gives the user a clear message.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS)) as im:
                width, height = im.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise DigitiseError(
                        f"{name}: image is {width}x{height} = {width * height} pixels; the limit "
                        f"is {MAX_IMAGE_PIXELS} (MAX_IMAGE_PIXELS)"
                    )
                if min(width, height) < MIN_IMAGE_SIDE:
                    raise DigitiseError(
                        f"{name}: image is {width}x{height} pixels; each side must be at least "
                        f"{MIN_IMAGE_SIDE} (MIN_IMAGE_SIDE)"
                    )
                im.load()
                rgb = _to_rgb(im)
    except DigitiseError:
        raise
    except Image.DecompressionBombError as exc:
        raise DigitiseError(f"{name}: image is too large to decode safely") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        # UnidentifiedImageError is an OSError; truncated or corrupt data raise OSError too.
        raise DigitiseError(
            f"{name}: not a readable PNG or JPEG image ({type(exc).__name__})"
        ) from exc
    return rgb


def _to_rgb(im: Image.Image) -> UInt8Image:
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, rgba)
    arr = np.asarray(im.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(arr)


def load_image(path: Path) -> UInt8Image:
    """Read and decode an image file with the checks of ``decode_image``."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DigitiseError(f"{path}: cannot read the file ({exc.strerror})") from exc
    if size > MAX_FILE_BYTES:
        raise DigitiseError(
            f"{path}: file is {size} bytes; the limit is {MAX_FILE_BYTES} (MAX_FILE_BYTES)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DigitiseError(f"{path}: cannot read the file ({exc.strerror})") from exc
    return decode_image(data, name=str(path))


def crop_image(image: UInt8Image, box: tuple[int, int, int, int]) -> UInt8Image:
    """Return ``image[y0:y1, x0:x1]`` for ``box = (x0, y0, x1, y1)`` after checking the box lies
    inside the image and is large enough to analyse."""
    x0, y0, x1, y1 = box
    height, width = image.shape[:2]
    if not (0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height):
        raise DigitiseError(
            f"crop {x0},{y0},{x1},{y1} is not inside the {width}x{height} image "
            "(need 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height)"
        )
    if min(x1 - x0, y1 - y0) < MIN_IMAGE_SIDE:
        raise DigitiseError(
            f"crop {x0},{y0},{x1},{y1} is smaller than {MIN_IMAGE_SIDE} pixels on a side"
        )
    return np.ascontiguousarray(image[y0:y1, x0:x1])
