"""Evidence for faults over one rep: a fault counts once it has been seen for long enough."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# A fault must be seen this long (on the frames' clock) before it is raised: one jittery frame is not
# a habit worth correcting, and a cue that flickers is worse than none.
FAULT_PERSIST_S = 0.4
SHORT_HOLD = "short_hold"


@dataclass
class FaultEvidence:
    """How long each fault has been seen during the current rep, and which have been raised."""

    persist_s: float = FAULT_PERSIST_S
    seen_s: dict[str, float] = field(default_factory=dict)
    raised: set[str] = field(default_factory=set)
    last_t_s: float | None = None

    def observe(self, faults: set[str], t_s: float) -> list[str]:
        """Add this frame's faults; returns those that just became established."""
        dt = 0.0 if self.last_t_s is None else max(0.0, t_s - self.last_t_s)
        self.last_t_s = t_s
        new = []
        for code in sorted(faults):
            self.seen_s[code] = self.seen_s.get(code, 0.0) + dt
            if code not in self.raised and self.seen_s[code] >= self.persist_s:
                self.raised.add(code)
                new.append(code)
        return new

    def pause(self) -> None:
        """The person is out of view: the time away is not evidence."""
        self.last_t_s = None

    def hold_cut_short(self) -> bool:
        """The hold ended before its target: True the first time in this rep (the moment to cue it)."""
        if SHORT_HOLD in self.raised:
            return False
        self.raised.add(SHORT_HOLD)
        return True

    def rep_faults(self, order: Iterable[str], hold_s: float, hold_target_s: float) -> tuple[str, ...]:
        """The finished rep's faults, in `order`: those raised, with `short_hold` judged on the rep's
        longest hold (a hold cut short and then held in full within the rep was long enough), with any
        time the person went unseen beside it (a hold nobody saw the whole of is not called short)."""
        faults = self.raised - {SHORT_HOLD}
        if hold_s < hold_target_s:
            faults = faults | {SHORT_HOLD}
        return tuple(code for code in order if code in faults)

    def raised_faults(self, order: Iterable[str]) -> tuple[str, ...]:
        """The faults raised so far, in `order`, without `short_hold`: for a rep the stream ended
        during, whose hold nobody cut short."""
        return tuple(code for code in order if code in self.raised - {SHORT_HOLD})
