"""Maillage: the shared tool of a local network of insertion structures."""
