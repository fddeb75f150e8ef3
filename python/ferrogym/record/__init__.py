"""Trajectory recording, replay and video export (``pip install 'ferrogym[record]'``).

>>> from ferrogym.record import Recorder, VectorRecorder, Recording, replay_episode, write_video
"""

from __future__ import annotations

from ferrogym.record.reader import Episode, Recording
from ferrogym.record.recorder import Recorder, VectorRecorder
from ferrogym.record.replay import Replay, replay_episode
from ferrogym.record.schema import RecordingMeta
from ferrogym.record.video import write_video
from ferrogym.record.writer import RecordingWriter

__all__ = [
    "Episode",
    "Recorder",
    "Recording",
    "RecordingMeta",
    "RecordingWriter",
    "Replay",
    "VectorRecorder",
    "replay_episode",
    "write_video",
]
