"""The real pose model on real photos: landmarks where a body is, nothing where nobody is."""

from __future__ import annotations

import hashlib
import json
import zipfile

import cv2
import numpy as np
import pytest

from coach.errors import ModelNotAvailableError
from coach.pose.estimator import PoseEstimator
from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.model_files import MODELS_DIR, resolve_model
from coach.sources.frame import Frame
from tests.helpers import REALDATA


def estimate_photo(name: str, model: str = "full") -> tuple:
    image = cv2.imread(str(REALDATA / "images" / name))
    assert image is not None
    with PoseEstimator(resolve_model(model)) as estimator:
        return estimator.estimate(Frame(image=image, timestamp_ms=0, index=0))


@pytest.mark.parametrize("model", ["lite", "full"])
@pytest.mark.slow
def test_real_person_gives_33_plausible_landmarks(model: str) -> None:
    poses = estimate_photo("revai_seated_arms_raised.png", model)
    assert len(poses) == 1
    pose = poses[0]
    width, height = pose.image_size
    assert pose.xy.shape == (NUM_LANDMARKS, 2)
    upper = pose.xy[[L.NOSE, L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]]
    assert np.all((upper >= 0) & (upper <= [width, height]))
    # Head above shoulders above hips (image y grows downwards); the person's left is image right.
    assert pose.xy[L.NOSE, 1] < pose.xy[L.LEFT_SHOULDER, 1] < pose.xy[L.LEFT_HIP, 1]
    assert pose.xy[L.LEFT_SHOULDER, 0] > pose.xy[L.RIGHT_SHOULDER, 0]
    # World landmarks are metres: a seated adult's shoulders are 25-50 cm apart.
    shoulder_width = np.linalg.norm(pose.world[L.LEFT_SHOULDER] - pose.world[L.RIGHT_SHOULDER])
    assert 0.25 < shoulder_width < 0.5


@pytest.mark.slow
def test_nobody_gives_no_pose() -> None:
    assert estimate_photo("tfjs_hands_only_nobody.jpg") == ()


@pytest.mark.slow
def test_blank_frame_gives_no_pose() -> None:
    with PoseEstimator(resolve_model("full")) as estimator:
        blank = np.full((480, 640, 3), 128, np.uint8)
        assert estimator.estimate(Frame(image=blank, timestamp_ms=0, index=0)) == ()


@pytest.mark.slow
def test_several_people_are_all_returned_largest_first() -> None:
    poses = estimate_photo("tfjs_three_people_upperbody.jpg")
    assert len(poses) == 2  # max_people = 2: enough to know the person is not alone
    areas = [(p.bbox[2] - p.bbox[0]) * (p.bbox[3] - p.bbox[1]) for p in poses]
    assert areas == sorted(areas, reverse=True)


@pytest.mark.slow
def test_segmentation_mask_on_request() -> None:
    image = cv2.imread(str(REALDATA / "images" / "tfjs_yoga_warrior.jpg"))
    with PoseEstimator(resolve_model("full"), with_mask=True) as estimator:
        (pose,) = estimator.estimate(Frame(image=image, timestamp_ms=0, index=0))
    assert pose.mask is not None and pose.mask.shape == image.shape[:2]
    nose = np.round(pose.xy[L.LEFT_HIP]).astype(int)
    assert pose.mask[nose[1], nose[0]] > 0.5 > pose.mask[0, 0]


@pytest.mark.slow
def test_timestamps_that_go_backwards_do_not_break_the_estimator() -> None:
    image = cv2.imread(str(REALDATA / "images" / "tfjs_yoga_warrior.jpg"))
    with PoseEstimator(resolve_model("lite")) as estimator:
        for timestamp in (100, 100, 50):
            assert len(estimator.estimate(Frame(image=image, timestamp_ms=timestamp, index=0))) == 1


@pytest.mark.parametrize("variant", ["lite", "full"])
def test_bundles_are_stored_zips_matching_their_manifest(variant: str) -> None:
    manifest = json.loads((MODELS_DIR / "SOURCES.json").read_text())[variant]
    path = MODELS_DIR / manifest["bundle"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == manifest["bundle_sha256"]
    with zipfile.ZipFile(path) as bundle:
        infos = bundle.infolist()
    assert sorted(i.filename for i in infos) == ["pose_detector.tflite", "pose_landmarks_detector.tflite"]
    assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
    assert {s["license"] for s in manifest["sources"]} == {"Apache-2.0"}


@pytest.mark.slow
def test_unknown_or_missing_model_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelNotAvailableError, match="Unknown model"):
        resolve_model("medium")
    if not (MODELS_DIR / "pose_landmarker_heavy.task").exists():
        with pytest.raises(ModelNotAvailableError, match=r"build_pose_models\.py --variants heavy"):
            resolve_model("heavy")
    not_a_model = tmp_path / "x.task"
    not_a_model.write_bytes(b"not a model")
    with pytest.raises(ModelNotAvailableError, match="Could not load"):
        PoseEstimator(not_a_model)
