package workflows

import "time"

// Clock maps the workflow's real time to the business time deadlines are counted in. The
// zero Clock is real time. A test clock runs business time faster, so that a working day
// lasts a few seconds and the supervision ladder can be watched end to end.
type Clock struct {
	// Epoch is a real instant, and Base the business instant it stands for.
	Epoch time.Time `json:"epoch"`
	Base  time.Time `json:"base"`
	// Speed is how many business seconds pass in a real second; 0 means real time.
	Speed float64 `json:"speed"`
}

// Business is the business time at real time t.
func (c Clock) Business(t time.Time) time.Time {
	if c.Speed <= 0 {
		return t
	}
	return c.Base.Add(time.Duration(float64(t.Sub(c.Epoch)) * c.Speed))
}

// Real is the real time at which business time b comes.
func (c Clock) Real(b time.Time) time.Time {
	if c.Speed <= 0 {
		return b
	}
	return c.Epoch.Add(time.Duration(float64(b.Sub(c.Base)) / c.Speed))
}
