"""The guided set: a stream of `FrameAnalysis` in, what to play and say out. Pure: no clock, no I/O.

`Guide.update(analysis, set_complete=...)` once per analysed frame returns the sounds that frame
calls for, stamped with the frame's time:

- calibration: "Sit tall, hands behind your head, and hold still"; a calibration problem, when it
  changes (at most every `PROBLEM_EVERY_S`);
- calibrated: the first prompt ("Turn to your left, as far as is comfortable, and hold");
- a tone when the hold starts, another when it reaches its target (counted from the first tone, while
  the person still holds), then "And back";
- a fault, in the words the screen shows, at most once per rep;
- back at neutral: the next prompt, following the person (the side with fewer reps next; a person
  who turned right first is asked for the left), with the rep count now and then;
- "Set complete: 3 good reps each side" at the end.

It only follows the person: a prompt is said once, after a rep is over, never repeated to hurry them,
and no sentence asks for more range than is comfortable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.facts import stretch
from coach.pipeline.core import CALIBRATE_CUE
from coach.reps.analysis import FrameAnalysis, Phase, Severity
from coach.sound.events import HOLD_DONE, HOLD_START, Priority, Sound, speech, tone

PROBLEM_EVERY_S = 8.0  # a calibration problem is said again (when it changed) no sooner than this
# How long each kind of sentence stays worth saying when the voice is busy.
PROMPT_STALE_S = 3.0
CUE_STALE_S = 3.0  # a fault may wait out a short prompt ("Now to the right") being said
BACK_STALE_S = 1.0
END_STALE_S = 10.0
COMFORTABLE = "as far as is comfortable, and hold"
AND_BACK = "And back"
OTHER_SIDE = {"left": "right", "right": "left"}


@dataclass
class _Rep:
    """What the guide has done in the rep under way."""

    hold_started_s: float | None = None  # when the first hold of the rep began (its start tone)
    hold_done: bool = False
    faults_said: set[str] = field(default_factory=set)


@dataclass
class Guide:
    """Leads a set of `exercise` ("rotate" or "arch") by voice and tones; see the module docstring."""

    exercise: str
    first_side: str = "left"
    _calibrating: bool = False
    _started: bool = False
    _problem: tuple[str | None, float] = (None, -PROBLEM_EVERY_S)
    _rep: _Rep = field(default_factory=_Rep)
    _last_cue: str | None = None
    _reps_done: int = 0
    _good: dict[str, int] = field(default_factory=dict)
    _complete_said: bool = False

    @property
    def by_side(self) -> bool:
        return stretch(self.exercise).by_side

    def update(self, analysis: FrameAnalysis, *, set_complete: bool = False) -> list[Sound]:
        t = analysis.t_s
        if analysis.phase == Phase.CALIBRATING:
            return self._calibration(analysis)
        sounds: list[Sound] = []
        if self._calibrating or not self._started:
            self._calibrating, self._started = False, True
            sounds.append(self._first_prompt(t))
        done = sum(analysis.reps_by_side.values())
        if done < self._reps_done:  # a new set (key r)
            self._new_set()
            sounds.append(self._first_prompt(t))
        self._reps_done = done
        sounds += self._hold(analysis)
        sounds += self._fault(analysis)
        rep = analysis.completed_rep
        if rep is not None:
            key = rep.side or "reps"
            self._good[key] = self._good.get(key, 0) + int(rep.good)
        if set_complete and not self._complete_said:
            self._complete_said = True
            sounds.append(speech(t, "set_complete", self._complete_text(analysis), Priority.END, END_STALE_S))
        elif rep is not None and not set_complete:
            sounds.append(self._next_prompt(analysis, rep.side))
        if analysis.phase == Phase.NEUTRAL:  # between reps: the next one starts afresh
            self._rep = _Rep()
        return sounds

    # -- the parts of a set -------------------------------------------------------------------

    def _calibration(self, analysis: FrameAnalysis) -> list[Sound]:
        t = analysis.t_s
        sounds = []
        if not self._calibrating:
            self._calibrating = True
            self._new_set()
            self._problem = (None, t)
            sounds.append(speech(t, "calibrate", CALIBRATE_CUE, Priority.PROMPT, PROMPT_STALE_S))
        cue = analysis.cue
        said, said_at = self._problem
        if (
            cue is not None
            and cue.severity == Severity.FAULT
            and cue.message != said
            and t - said_at >= PROBLEM_EVERY_S
        ):
            self._problem = (cue.message, t)
            sounds.append(speech(t, "calibration_problem", cue.message, Priority.CUE, CUE_STALE_S))
        return sounds

    def _hold(self, analysis: FrameAnalysis) -> list[Sound]:
        if analysis.phase != Phase.HOLD:
            return []
        t, sounds = analysis.t_s, []
        if self._rep.hold_started_s is None:
            self._rep.hold_started_s = t - analysis.hold_s
            sounds.append(tone(t, HOLD_START))
        # The target counts on the analyzer's hold timer, which starts where the movement arrived (not
        # at the start tone, which comes once the hold is seen) and goes on through a jolt of the
        # model's reading; a hold taken up again after the person moved counts anew.
        if not self._rep.hold_done and analysis.hold_s >= analysis.hold_target_s:
            self._rep.hold_done = True
            sounds.append(tone(t, HOLD_DONE))
            sounds.append(speech(t, "come_back", AND_BACK, Priority.PROMPT, BACK_STALE_S))
        return sounds

    def _fault(self, analysis: FrameAnalysis) -> list[Sound]:
        """A fault cue said when it is raised (not while the screen keeps it up), once per rep."""
        cue = analysis.cue
        code = cue.code if cue is not None else None
        raised = code is not None and code != self._last_cue
        self._last_cue = code
        if cue is None or not raised or cue.severity != Severity.FAULT or cue.code in self._rep.faults_said:
            return []
        self._rep.faults_said.add(cue.code)
        return [speech(analysis.t_s, "fault", cue.message, Priority.CUE, CUE_STALE_S)]

    def _first_prompt(self, t: float) -> Sound:
        if self.by_side:
            text = f"Turn to your {self.first_side}, {COMFORTABLE}"
        else:
            text = f"Arch back over the chair, {COMFORTABLE}"
        return speech(t, "prompt", text, Priority.PROMPT, PROMPT_STALE_S)

    def _next_prompt(self, analysis: FrameAnalysis, side: str | None) -> Sound:
        t, reps = analysis.t_s, analysis.reps_by_side
        if not self.by_side or side is None:
            text = f"That's {sum(reps.values())}. Again, when you're ready"
            return speech(t, "prompt", text, Priority.PROMPT, PROMPT_STALE_S)
        left, right = reps.get("left", 0), reps.get("right", 0)
        # The side with fewer reps next; level, the other side from the one just done.
        following = "left" if left < right else "right" if right < left else OTHER_SIDE[side]
        text = f"Now to the {following}"
        if left == right:
            text = f"{left} each side. {text}"
        return speech(t, "prompt", text, Priority.PROMPT, PROMPT_STALE_S)

    def _complete_text(self, analysis: FrameAnalysis) -> str:
        if not self.by_side:
            return f"Set complete: {reps(self._good.get('reps', 0))}"
        left, right = self._good.get("left", 0), self._good.get("right", 0)
        if left == right:
            return f"Set complete: {reps(left)} each side"
        return f"Set complete: {reps(left)} on the left, {right} on the right"

    def _new_set(self) -> None:
        self._rep = _Rep()
        self._reps_done = 0
        self._good = {}
        self._complete_said = False
        self._last_cue = None


def reps(good: int) -> str:
    return f"{good} good rep{'' if good == 1 else 's'}"


def phrases(exercise: str) -> list[str]:
    """The sentences a set of `exercise` will surely use, to be made before they are needed."""
    if not stretch(exercise).by_side:
        return [CALIBRATE_CUE, f"Arch back over the chair, {COMFORTABLE}", AND_BACK]
    sides = [f"Now to the {side}" for side in OTHER_SIDE]
    return [CALIBRATE_CUE, f"Turn to your left, {COMFORTABLE}", AND_BACK, *sides]
