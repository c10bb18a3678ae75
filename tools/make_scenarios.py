#!/usr/bin/env python3
"""Write the scenario files of the rendered sample clips of issues 18 and 19 (natural, oblique, desk).

The renderer lives beside the repository (``../shared/tools/synth``), not in it; this script records
exactly how each clip in ``sample_videos/`` that it names was made, so it can be rendered again:

    python3 tools/make_scenarios.py OUT_DIR
    blender -b --factory-startup --python ../shared/tools/synth/render_scenario.py -- \
        --scenario OUT_DIR/NAME.json --out sample_videos
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SYNTH = Path(__file__).resolve().parents[2] / "shared" / "tools" / "synth"


def scenarios() -> list[dict]:
    sys.path.insert(0, str(SYNTH))
    import scenario as sc  # type: ignore[import-not-found]

    rotate, arch = sc.rotate, sc.arch
    # Bodies beyond the renderer's four.
    heavier = {"male": 0.3, "weight": 0.8, "muscle": 0.4, "skin": [0.55, 0.36, 0.25],
               "shirt": [0.35, 0.35, 0.37], "pants": [0.1, 0.1, 0.2], "hair": [0.1, 0.06, 0.03]}  # fmt: skip
    heavy = {"male": 1.0, "weight": 0.85, "muscle": 0.5, "skin": [0.66, 0.45, 0.33],
             "shirt": [0.1, 0.1, 0.1], "pants": [0.2, 0.2, 0.25], "hair": [0.02, 0.02, 0.02]}  # fmt: skip
    broad = {"male": 0.7, "weight": 0.7, "muscle": 0.3, "skin": [0.5, 0.33, 0.22], "shirt": [0.5, 0.45, 0.2],
             "pants": [0.1, 0.1, 0.1], "hair": [0.04, 0.03, 0.02]}  # fmt: skip
    slim = {"male": 0.0, "weight": 0.3, "muscle": 0.5, "skin": [0.42, 0.28, 0.2],
            "shirt": [0.6, 0.15, 0.15], "pants": [0.1, 0.1, 0.12], "hair": [0.05, 0.03, 0.02]}  # fmt: skip
    stocky = {"male": 0.4, "weight": 0.7, "muscle": 0.4, "skin": [0.58, 0.38, 0.26],
              "shirt": [0.55, 0.5, 0.45], "pants": [0.1, 0.1, 0.15], "hair": [0.25, 0.15, 0.08]}  # fmt: skip
    slim_man = {"male": 0.8, "weight": 0.35, "muscle": 0.6, "skin": [0.7, 0.52, 0.4],
                "shirt": [0.2, 0.35, 0.55], "pants": [0.15, 0.12, 0.1], "hair": [0.3, 0.2, 0.1]}  # fmt: skip
    petite = {"male": 0.1, "weight": 0.4, "muscle": 0.45, "skin": [0.85, 0.66, 0.55],
              "shirt": [0.7, 0.55, 0.2], "pants": [0.1, 0.1, 0.15], "hair": [0.45, 0.25, 0.1]}  # fmt: skip
    return [
        sc.build(
            "nat_rotate_front",
            "Sit and Rotate from the front, breathing and a slow sway throughout, holds easing deeper; "
            "L, R, L good",
            sc.BODIES["f1"],
            sc.camera("front"),
            [
                rotate("left", 32, 5, 2.3, creep=2),
                rotate("right", 30, 5, 2.2, creep=1.5),
                rotate("left", 30, 5, 2.4, creep=2),
            ],
            motion=sc.natural(seed=1, lean=1.5, turn=1.5),
        ),
        sc.build(
            "nat_arch_side",
            "Sit and Arch from the left side, breathing and a slow sway throughout, holds easing deeper; "
            "good, good, low back",
            sc.BODIES["m2"],
            sc.camera("side"),
            [arch(20, 4, 1.9, creep=1.5), arch(22, 4, 1.8, creep=2), arch(5, 20, 1.8, "low_back")],
            motion=sc.natural(seed=2, breath=1.0, lean=1.5),
        ),
        sc.build(
            "oblique_arch",
            "Sit and Arch with the camera 45 deg off the person's left side (front-left); good, low back, "
            "head back, good",
            sc.BODIES["f2"],
            sc.camera("front", azimuth_deg=45.0),
            [
                arch(20, 4, 1.8),
                arch(5, 20, 1.8, "low_back"),
                arch(8, 3, 1.6, "head_back", neck=25),
                arch(18, 4, 1.9),
            ],
        ),
        sc.build(
            "oblique_rotate_30fps",
            "Sit and Rotate at 30 fps with the camera 40 deg off the front on the person's right; "
            "L, R, L with the pelvis turning",
            sc.BODIES["m1"],
            sc.camera("front", azimuth_deg=-40.0, fps=30),
            [
                rotate("left", 30, 5, 2.2),
                rotate("right", 32, 5, 2.1),
                rotate("left", 28, 5, 2.2, "pelvis", pelvis=15),
            ],
        ),
        sc.build(
            "desk_rotate",
            "Sit and Rotate at a desk: laptop webcam 0.85 m in front at shoulder height (head, shoulders and "
            "elbows in view, no hips); L, R, L with a side lean, R",
            sc.BODIES["f1"],
            sc.camera("desk"),
            [
                rotate("left", 30, 5, 2.2),
                rotate("right", 31, 5, 2.0),
                rotate("left", 28, 5, 2.1, "side_lean", lean=9),
                rotate("right", 30, 5, 2.4),
            ],
        ),
        sc.build(
            "desk_lean_far",
            "Sit and Rotate at a desk, laptop webcam 1.0 m away; L good, R leaning to the left 7 deg "
            "(against the turn), L leaning to the left 7 deg, R good",
            sc.BODIES["f2"],
            sc.camera("desk", distance_m=1.0),
            [
                rotate("left", 33, 5, 2.2),
                rotate("right", 30, 5, 2.1, "side_lean", lean=7),
                rotate("left", 30, 5, 2.3, "side_lean", lean=7),
                rotate("right", 32, 5, 2.2),
            ],
        ),
        sc.build(
            "desk_lean_near",
            "Sit and Rotate at a desk, laptop webcam 0.6 m away, a wider lens; R leaning to the right 8 deg, "
            "L good, R good, L leaning to the right 8 deg (against the turn)",
            sc.BODIES["m2"],
            sc.camera("desk", distance_m=0.6, lens_mm=20, look_at=[0.0, -0.1, 0.76]),
            [
                rotate("right", 30, 5, 2.2, "side_lean", lean=-8),
                rotate("left", 32, 5, 2.1),
                rotate("right", 31, 5, 2.3),
                rotate("left", 29, 5, 2.2, "side_lean", lean=-8),
            ],
        ),
        sc.build(
            "desk_rotate_near",
            "Sit and Rotate at a desk, laptop webcam 0.6 m in front, breathing and sway, holds easing "
            "deeper; R, L, R good",
            sc.BODIES["m2"],
            sc.camera("desk", distance_m=0.6, lens_mm=24),
            [
                rotate("right", 28, 5, 2.3, creep=1.5),
                rotate("left", 30, 5, 2.2, creep=2),
                rotate("right", 32, 4, 2.1),
            ],
            motion=sc.natural(seed=3, breath=0.7, lean=1.0, turn=1.0),
        ),
        sc.build(
            "desk_arch",
            "Sit and Arch at a desk: laptop webcam 0.7 m in front at shoulder height; good, head back, good",
            sc.BODIES["m1"],
            sc.camera("desk", distance_m=0.7),
            [arch(20, 4, 1.8), arch(8, 3, 1.7, "head_back", neck=25), arch(18, 4, 1.9)],
        ),
        sc.build(
            "desk_rotate_sway",
            "desk 0.65 m, 24 mm lens, heavy body, sway; L good creep, R good, L lean 8 with the turn, "
            "R short hold",
            heavy,
            sc.camera("desk", distance_m=0.65, lens_mm=24),
            [
                rotate("left", 30, 5, 2.2, creep=2),
                rotate("right", 32, 5, 2.1),
                rotate("left", 28, 5, 2.2, "side_lean", lean=8),
                rotate("right", 30, 5, 1.0, "short_hold"),
            ],
            motion=sc.natural(seed=7, breath=0.8, lean=1.0, turn=1.0),
        ),
        sc.build(
            "desk_arch_sway",
            "desk arch 0.8 m, 26 mm lens, body B1, natural movement; good creep, head back, good, short hold",
            heavier,
            sc.camera("desk", distance_m=0.8, lens_mm=26),
            [
                arch(20, 4, 1.8, creep=1.5),
                arch(7, 3, 1.7, "head_back", neck=24),
                arch(22, 4, 1.9),
                arch(18, 4, 0.6, "short_hold"),
            ],
            motion=sc.natural(seed=8, breath=0.8, lean=1.0, turn=0.8),
        ),
        sc.build(
            "nat_arch_side_head_first",
            "Sit and Arch 80 degrees off the front on the person's right, 2.8 m, a slim woman; breathing "
            "and sway throughout; head thrown back first, good (easing deeper), low back, good",
            slim,
            sc.camera("side", azimuth_deg=-80.0, distance_m=2.8),
            [
                arch(8, 3, 1.8, "head_back", neck=25),
                arch(20, 4, 1.8, creep=1.5),
                arch(5, 20, 1.8, "low_back"),
                arch(18, 4, 1.7),
            ],
            motion=sc.natural(seed=9, breath=0.8, lean=1.2),
            calib=2.5,
        ),
        sc.build(
            "desk_arch_stiff_head",
            "Sit and Arch at a desk: laptop webcam 0.75 m in front, 28 mm lens, a broad man ("
            "male 0.7, weight 0.7), breathing and sway; good, head thrown back, good (easing deeper), good",
            broad,
            sc.camera("desk", distance_m=0.75, lens_mm=28),
            [
                arch(19, 4, 1.8),
                arch(7, 3, 1.8, "head_back", neck=24),
                arch(21, 4, 1.9, creep=1.5),
                arch(17, 4, 1.7),
            ],
            motion=sc.natural(seed=11, breath=0.8, lean=1.0, turn=0.8),
            calib=2.5,
        ),
        sc.build(
            "nat_rotate_oblique_30fps",
            "Sit and Rotate, camera 35 degrees off the front on the person's right, 2.1 m, 30 fps; breathing "
            "and sway; R good easing deeper, L side lean, R good, L short hold.",
            sc.BODIES["f2"],
            sc.camera("oblique", azimuth_deg=-35.0, distance_m=2.1, fps=30),
            [
                rotate("right", 33, 5, 2.0, creep=1.5),
                rotate("left", 30, 5, 2.0, "side_lean", lean=8.0),
                rotate("right", 32, 5, 2.1, creep=1.0),
                rotate("left", 31, 5, 0.9, "short_hold"),
            ],
            motion=sc.natural(seed=5),
            calib=2.2,
            rests=(0.8, 0.7),
        ),
        sc.build(
            "nat_arch_oblique",
            "Sit and Arch, camera 38 degrees off the person's left side towards the front, 2.3 m; breathing "
            "and sway; good easing deeper, low-back arch, head thrown back, good held 0.9 s.",
            sc.BODIES["m1"],
            sc.camera("oblique", azimuth_deg=52.0, distance_m=2.3),
            [
                arch(20, 4, 2.0, creep=1.5),
                arch(6, 16, 1.8, "low_back"),
                arch(10, 3, 1.9, "head_back", neck=22),
                arch(19, 4, 0.9, "short_hold"),
            ],
            motion=sc.natural(seed=6),
            calib=2.4,
            rests=(0.8, 0.7),
        ),
        sc.build(
            "desk_rotate_off_axis",
            "Sit and Rotate at a desk, laptop 0.95 m away and 17 cm to the person's left, 30 mm lens; "
            "breathing and sway; R easing deeper, L with a side lean, R, L.",
            stocky,
            sc.camera("desk", distance_m=0.95, look_at=[0.17, -0.1, 0.67], lens_mm=30, height_offset_m=-0.12),
            [
                rotate("right", 33, 5, 2.1, creep=1.5),
                rotate("left", 30, 5, 2.2, "side_lean", lean=10),
                rotate("right", 31, 5, 2.0),
                rotate("left", 32, 5, 2.1, creep=1.0),
            ],
            motion=sc.natural(seed=5),
            calib=2.0,
        ),
        sc.build(
            "desk_arch_near",
            "Sit and Arch at a desk, nearer and wider: webcam 0.55 m in front, 74 degrees wide, 640x360; "
            "breathing and sway; good (easing deeper), head back (short: every frame is rendered)",
            sc.BODIES["f2"],
            sc.camera("desk", distance_m=0.55, resolution=[640, 360], lens_mm=24),
            [arch(22, 5, 1.6, creep=2), arch(6, 2, 1.5, "head_back", neck=22)],
            ramps_in=(1.1, 1.2),
            ramps_out=(1.1, 1.0),
            rests=(0.6,),
            motion=sc.natural(seed=3),
        ),
        sc.build(
            "desk_rotate_far",
            "Sit and Rotate at a desk, laptop 1.0 m away and a little above the shoulders, 24 mm lens; "
            "breathing and sway; L easing deeper, R short hold, L, R with a side lean",
            slim_man,
            sc.camera("desk", distance_m=1.0, lens_mm=24, height_offset_m=0.06),
            [
                rotate("left", 31, 5, 2.2, creep=1.5),
                rotate("right", 30, 5, 1.0, "short_hold"),
                rotate("left", 34, 5, 2.1),
                rotate("right", 29, 5, 2.2, "side_lean", lean=-10),
            ],
            motion=sc.natural(seed=11),
            calib=2.2,
        ),
        sc.build(
            "desk_arch_close",
            "Sit and Arch at a desk, laptop 0.55 m away, 24 mm lens, a little below the shoulders; "
            "breathing and sway; good easing deeper, head back, good, good",
            petite,
            sc.camera("desk", distance_m=0.55, lens_mm=24),
            [
                arch(18, 4, 1.9, creep=1.5),
                arch(8, 3, 1.6, "head_back", neck=25),
                arch(20, 4, 2.0),
                arch(17, 4, 1.8),
            ],
            motion=sc.natural(seed=9, breath=1.0, lean=1.2),
            calib=2.5,
        ),
    ]


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "scenarios")
    out.mkdir(parents=True, exist_ok=True)
    for s in scenarios():
        (out / f"{s['name']}.json").write_text(json.dumps(s, indent=1))
        print(out / f"{s['name']}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
