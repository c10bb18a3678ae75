"""Sound: a session you can follow without looking (spoken guidance, hold tones, a guided set).

The loop, once per analysed frame, beside the overlay:

    guide = Guide("rotate")
    player = open_player(SoundRequest(SoundMode.VOICE, audio_log=path), clock, print, phrases("rotate"))
    ...
    player.submit(guide.update(analysis, set_complete=coach.set_complete(analysis)))

`guide.py` decides what to say and play from the analysis alone (pure, frame times only);
`schedule.py` keeps the voice from lagging behind; `player.py` plays (`output.py`: the mixer,
`voice.py`: the system's voice in its own process, `tones.py`: the tones) and writes the audio log
(`audio_log.py`). Nothing here measures anything: every number comes from the analysis.
"""

from coach.sound.events import Sound, SoundKind
from coach.sound.guide import Guide, phrases
from coach.sound.player import Player, SoundMode, SoundRequest, open_player

__all__ = ["Guide", "Player", "Sound", "SoundKind", "SoundMode", "SoundRequest", "open_player", "phrases"]
