"""The pose model (the only code that imports MediaPipe), its bundled files, and who the person is."""
