"""Just enough of the MP4 box format to make files that lie: edit timing, rotation and layout in bytes.

Used by the stream and fuzz tests on files written by `cv2.VideoWriter` (mp4v). Boxes are parsed
into a tree, edited and written back with their sizes recomputed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"}
TRACK_TABLE = "moov/trak/mdia/minf/stbl"


@dataclass
class Box:
    type: bytes
    payload: bytes = b""
    children: list[Box] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        body = b"".join(child.to_bytes() for child in self.children) if self.is_container else self.payload
        return struct.pack(">I4s", 8 + len(body), self.type) + body

    @property
    def is_container(self) -> bool:
        return self.type in CONTAINERS


def parse(data: bytes) -> list[Box]:
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[offset + 8 : offset + 16])[0], 16
        elif size == 0:
            size = len(data) - offset
        body = data[offset + header : offset + size]
        box = Box(kind, body)
        if kind in CONTAINERS:
            box.children = parse(body)
        boxes.append(box)
        offset += size
    return boxes


def serialize(boxes: list[Box]) -> bytes:
    return b"".join(box.to_bytes() for box in boxes)


def find(boxes: list[Box], path: str) -> Box:
    kind, _, rest = path.partition("/")
    box = next(b for b in boxes if b.type == kind.encode())
    return find(box.children, rest) if rest else box


def frame_count(boxes: list[Box]) -> int:
    stsz = find(boxes, f"{TRACK_TABLE}/stsz").payload
    return int(struct.unpack(">I", stsz[8:12])[0])


def set_frame_durations(boxes: list[Box], durations: list[int]) -> None:
    """Each frame's duration in the track's timescale units (stts), and the durations that sum them."""
    stts = find(boxes, f"{TRACK_TABLE}/stts")
    stts.payload = struct.pack(">II", 0, len(durations)) + b"".join(
        struct.pack(">II", 1, d) for d in durations
    )
    set_track_duration(boxes, sum(durations))


def timescale(boxes: list[Box]) -> int:
    return int(struct.unpack(">I", find(boxes, "moov/trak/mdia/mdhd").payload[12:16])[0])


def set_timescale(boxes: list[Box], units_per_second: int) -> None:
    mdhd = find(boxes, "moov/trak/mdia/mdhd")
    mdhd.payload = mdhd.payload[:12] + struct.pack(">I", units_per_second) + mdhd.payload[16:]


def set_track_duration(boxes: list[Box], units: int) -> None:
    """The track's and the movie's duration fields (version 0 headers, as OpenCV writes them)."""
    mdhd = find(boxes, "moov/trak/mdia/mdhd")
    mdhd.payload = mdhd.payload[:16] + struct.pack(">I", units) + mdhd.payload[20:]
    mvhd = find(boxes, "moov/mvhd")
    movie_units = round(units * struct.unpack(">I", mvhd.payload[12:16])[0] / timescale(boxes))
    mvhd.payload = mvhd.payload[:16] + struct.pack(">I", movie_units) + mvhd.payload[20:]
    # The edit list would otherwise still end the presentation at the old duration.
    elst = find(boxes, "moov/trak/edts/elst")
    elst.payload = elst.payload[:8] + struct.pack(">I", movie_units) + elst.payload[12:]


def set_rotation(boxes: list[Box], degrees: int) -> None:
    """The track matrix that tells players to rotate the picture (how phones store portrait video)."""
    cos, sin = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}[degrees % 360]
    one = 1 << 16
    matrix = struct.pack(">9i", cos * one, sin * one, 0, -sin * one, cos * one, 0, 0, 0, 1 << 30)
    tkhd = find(boxes, "moov/trak/tkhd")
    start = 40 if tkhd.payload[0] == 0 else 52  # version 0 / 1 header before the matrix
    tkhd.payload = tkhd.payload[:start] + matrix + tkhd.payload[start + 36 :]


def moov_first(boxes: list[Box]) -> list[Box]:
    """'Fast start' layout: the index (moov) before the frames (mdat), chunk offsets moved to match.

    Cutting such a file short keeps a header that promises every frame while some cannot decode.
    """
    moov = next(b for b in boxes if b.type == b"moov")
    rest = [b for b in boxes if b.type != b"moov"]
    shift = len(moov.to_bytes())
    stco = find([moov], f"{TRACK_TABLE}/stco")
    count = struct.unpack(">I", stco.payload[4:8])[0]
    offsets = struct.unpack(f">{count}I", stco.payload[8 : 8 + 4 * count])
    stco.payload = stco.payload[:8] + struct.pack(f">{count}I", *(o + shift for o in offsets))
    mdat_index = next(i for i, b in enumerate(rest) if b.type == b"mdat")
    return [*rest[:mdat_index], moov, *rest[mdat_index:]]
