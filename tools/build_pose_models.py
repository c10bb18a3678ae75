#!/usr/bin/env python3
"""Rebuild the MediaPipe pose-landmarker `.task` bundles shipped in `coach/pose/models/`.

mediapipe 1.x ships no pose model and the official `.task` bundles are a download from a model
hub. This script builds equivalent bundles from Apache-2.0 files served by the package registries:

- npm `@mediapipe/pose@0.5.1675469404`: pose_landmark_{lite,full,heavy}.tflite
- PyPI `mediapipe==0.10.21` (wheel): mediapipe/modules/pose_detection/pose_detection.tflite

A bundle is a zip stored uncompressed with `pose_detector.tflite` and
`pose_landmarks_detector.tflite` at its root. The landmark model gets NormalizationOptions
metadata (mean 0, std 255, RGB) written with mediapipe's own metadata writer.

usage: python tools/build_pose_models.py [--variants lite full] [--out coach/pose/models]
       python tools/build_pose_models.py --variants heavy      # the 31 MB model, on demand
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
import types
import zipfile
from pathlib import Path

NPM_PACKAGE = "@mediapipe/pose@0.5.1675469404"
PYPI_WHEEL = "mediapipe==0.10.21"
DETECTOR_IN_WHEEL = "mediapipe/modules/pose_detection/pose_detection.tflite"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "coach" / "pose" / "models"
LANDMARK_OUTPUTS = 5  # landmarks, pose flag, segmentation, heatmap, world landmarks


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_npm_models(workdir: Path) -> Path:
    subprocess.run(
        ["npm", "pack", NPM_PACKAGE, "--silent"], cwd=workdir, check=True, stdout=subprocess.DEVNULL
    )
    tgz = next(workdir.glob("mediapipe-pose-*.tgz"))
    with tarfile.open(tgz) as archive:
        archive.extractall(workdir, filter="data")
    return workdir / "package"


def fetch_detector(workdir: Path) -> bytes:
    wheel_dir = workdir / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--python-version",
            "3.11",
            "--only-binary=:all:",
            "-d",
            str(wheel_dir),
            PYPI_WHEEL,
        ],
        check=True,
    )
    wheel = next(wheel_dir.glob("mediapipe-0.10.21-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(DETECTOR_IN_WHEEL)


def stub_missing_metadata_module() -> None:
    """mediapipe 1.x lacks the compiled `_pywrap_metadata_version`; the writer only asks it
    for the minimum parser version, which for NormalizationOptions metadata is 1.0.0."""
    name = "mediapipe.tasks.cc.metadata.python._pywrap_metadata_version"
    stub = types.ModuleType(name)
    stub.GetMinimumMetadataParserVersion = lambda _buf: "1.0.0"  # type: ignore[attr-defined]
    for parent in ("mediapipe.tasks.cc", "mediapipe.tasks.cc.metadata", "mediapipe.tasks.cc.metadata.python"):
        sys.modules.setdefault(parent, types.ModuleType(parent))
    sys.modules[name] = stub
    sys.modules["mediapipe.tasks.cc.metadata.python"]._pywrap_metadata_version = stub  # type: ignore[attr-defined]


def with_normalization_metadata(model: bytes) -> bytes:
    stub_missing_metadata_module()
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info("pose_landmarks_detector", "MediaPipe BlazePose GHUM 3D landmarks")
    writer.add_image_input(norm_mean=[0.0], norm_std=[255.0])
    for index in range(LANDMARK_OUTPUTS):
        writer.add_feature_output(name=f"output_{index}")
    content, _ = writer.populate()
    return bytes(content)


def write_bundle(path: Path, detector: bytes, landmarks: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as bundle:
        bundle.writestr("pose_detector.tflite", detector)
        bundle.writestr("pose_landmarks_detector.tflite", landmarks)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", nargs="+", default=["lite", "full"], choices=["lite", "full", "heavy"])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest_path = args.out / "SOURCES.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        npm_dir = fetch_npm_models(workdir)
        detector = fetch_detector(workdir)
        for variant in args.variants:
            raw = (npm_dir / f"pose_landmark_{variant}.tflite").read_bytes()
            bundle_path = args.out / f"pose_landmarker_{variant}.task"
            write_bundle(bundle_path, detector, with_normalization_metadata(raw))
            manifest[variant] = {
                "bundle": bundle_path.name,
                "bundle_sha256": sha256(bundle_path.read_bytes()),
                "sources": [
                    {
                        "package": f"npm {NPM_PACKAGE}",
                        "file": f"pose_landmark_{variant}.tflite",
                        "sha256": sha256(raw),
                        "license": "Apache-2.0",
                    },
                    {
                        "package": f"PyPI {PYPI_WHEEL}",
                        "file": DETECTOR_IN_WHEEL,
                        "sha256": sha256(detector),
                        "license": "Apache-2.0",
                    },
                ],
            }
            print(f"built {bundle_path} ({bundle_path.stat().st_size / 1e6:.1f} MB)")
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
