"""Figure digitiser: a published Kaplan–Meier figure (image array) in, step curves out.

Pure functions (numpy, scipy, Pillow); no Dash or plotting library. See ``types`` for the pixel
conventions and the interface with the separate OCR module.
"""
