"""The seated neutral: the calibrator, the profile it makes, and whether the camera still sees it so."""
