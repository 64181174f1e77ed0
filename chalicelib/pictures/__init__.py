"""The picture worker's own code: decoding, cleaning, hashing and reading pictures.

Runs only in the picture function (Pillow, pdqhash and Tesseract are its dependencies, not the
API's): nothing the API imports may import this package.
"""
