"""Upper-Back Coach: watches two seated upper-back stretches through a camera and coaches them.

The whole loop::

    with open_source(path_or_camera) as source, PoseEstimator(resolve_model()) as estimator:
        for frame in source:
            poses = estimator.estimate(frame)
            analysis = analyzer.update(select(poses), frame.t_s)
            sink.write(annotate(frame.image, pose, analysis))
"""

import os

# Quiet FFmpeg's and OpenCV's native logging before cv2 is first imported: a broken file must
# give the user one readable line from us, not a screen of decoder noise.
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

__version__ = "0.1.0"
