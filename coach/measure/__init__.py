"""Pure numpy geometry on landmark arrays: the thoracic turn and arch, the camera's view, smoothing."""
