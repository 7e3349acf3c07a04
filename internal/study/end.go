package study

import "time"

// End decides how a session stands at now (a pure rule; the workflow stores
// the result):
//   - stopped (c.StoppedAt() != nil): ended at the stop, reason stopped;
//   - prior == EndSuperseded: ended at c.LastEventAt(), reason superseded;
//   - otherwise, when now - lastHeard > 2*IdleThreshold (lastHeard is the
//     server receive time of the latest batch, or of the start request;
//     never an event's At): ended at c.LastEventAt() + IdleThreshold, but
//     never later than now nor earlier than c.LastEventAt(), reason idle;
//   - otherwise running (ended == false).
//
// prior is the stored reason. Only EndSuperseded is sticky: a session ended
// idle that has since heard from a client within the threshold is running
// again, which is how late events reopen it; a stored EndStopped without a
// stop in the checkpoint is not trusted either.
func End(c Checkpoint, r Rules, prior EndReason, lastHeard, now time.Time) (at time.Time, reason EndReason, ended bool) {
	if s := c.StoppedAt(); s != nil {
		return *s, EndStopped, true
	}
	last := c.LastEventAt()
	if prior == EndSuperseded {
		return last, EndSuperseded, true
	}
	r = r.norm()
	if now.Sub(lastHeard) > 2*r.IdleThreshold {
		at = last.Add(r.IdleThreshold)
		if now := normTime(now); at.After(now) {
			at = now
		}
		if at.Before(last) {
			at = last
		}
		return at, EndIdle, true
	}
	return time.Time{}, "", false
}
