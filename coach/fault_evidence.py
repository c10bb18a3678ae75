"""Evidence for faults over one rep: a fault counts once it has been seen for long enough."""

from __future__ import annotations

from dataclasses import dataclass, field

# A fault must be seen this long (on the frames' clock) before it is raised: one jittery frame is not
# a habit worth correcting, and a cue that flickers is worse than none.
FAULT_PERSIST_S = 0.4


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
