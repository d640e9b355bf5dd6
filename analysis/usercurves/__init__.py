"""User-supplied Kaplan–Meier curves ("Add a curve", issue 16).

A reader uploads a figure image or a digitised/patient-level CSV; this package turns it into
pseudo individual patient data that the Survival view can draw beside the shipped arms, always
labelled "user-supplied" with the citation the reader typed.

* :mod:`.uploads` — what an upload is (sniffed from its bytes, never from its name) and the
  parsers: PNG/JPEG image (header checked before decoding), WebPlotDigitizer CSV, IPDfromKM's
  ``time,survival``, ``curve,time,survival`` and patient-level ``time,event[,arm]``. Every bad
  input raises :class:`.uploads.UploadError` with one line saying what to fix.
* :mod:`.draft` — an upload as editable draft curves (an image is digitised and its tick labels
  and numbers-at-risk table read by OCR when tesseract is installed).
* :mod:`.build` — a confirmed draft arm (curve, numbers at risk, events, endpoint, population,
  citation) reconstructed into a :class:`.model.UserCurve` with its checks.
* :mod:`.store` — the content-addressed store under the cache directory (quota and expiry).

Pure Python (numpy, Pillow through :mod:`analysis.digitise.image`); no Dash.
"""
