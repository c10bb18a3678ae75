"""Upper-Back Coach: watches two seated upper-back stretches through a camera and coaches them.

The whole loop, as every command runs it (``coach analyze`` adds the report; ``coach live`` runs the
same step on a camera's newest frame; ``coach calibrate`` stops once calibrated)::

    >>> from coach.pipeline import Pipeline, recording_rules
    >>> from coach.pose.estimator import PoseEstimator
    >>> from coach.pose.model_files import resolve_model
    >>> from coach.render.overlay import annotate
    >>> from coach.sources.video_file import VideoFileSource
    >>> pipeline = Pipeline("rotate", rules=recording_rules())  # no profile: it calibrates first
    >>> with (
    ...     VideoFileSource("sample_videos/dev_rotate_front_good.mp4") as source,
    ...     PoseEstimator(resolve_model()) as estimator,
    ... ):
    ...     for frame in source:
    ...         step = pipeline.step(estimator.estimate(frame), frame.t_s, frame.image)
    ...         shown = annotate(frame.image, step.pose, step.analysis)
    >>> [rep.side for rep in pipeline.reps]
    ['left', 'right', 'left', 'right', 'left', 'right']

The folders are that pipeline in order: sources (frames in), pose (the model, who the person is),
measure (geometry), calibration, reps, exercises, pipeline (the step above), coaching, storage,
render, app (the jobs) and cli. Imports point one way along it (tests/test_architecture.py).
"""

import os

# Quiet FFmpeg's and OpenCV's native logging before cv2 is first imported: a broken file must
# give the user one readable line from us, not a screen of decoder noise.
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

__version__ = "0.1.0"
