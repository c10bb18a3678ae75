"""Frames in: video files and cameras, each frame with its time on the stream's clock."""
