// Package progress draws a one-line progress bar for the CLI (caseflow bench, caseflow report backfill).
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// Bar draws one line: the stage and a bar of the steps done.
type Bar struct {
	mu          sync.Mutex
	w           io.Writer
	total, done int
	name        string
	drawn       string // what the line shows now
}

// New is a bar of total steps drawn on w (nil: nothing is drawn).
func New(w io.Writer, total int) *Bar { return &Bar{w: w, total: total} }

// Stage names what is being done.
func (p *Bar) Stage(name string) {
	p.mu.Lock()
	p.name = name
	p.mu.Unlock()
	p.draw()
}

// Step marks one step done.
func (p *Bar) Step() {
	p.mu.Lock()
	p.done = min(p.done+1, p.total)
	p.mu.Unlock()
	p.draw()
}

func (p *Bar) draw() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	const width = 30
	filled := width * p.done / max(p.total, 1)
	line := fmt.Sprintf("[%s%s] %3d%%  %s", strings.Repeat("#", filled), strings.Repeat("-", width-filled),
		100*p.done/max(p.total, 1), p.name)
	if line == p.drawn {
		return
	}
	pad := max(0, len([]rune(p.drawn))-len([]rune(line)))
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
	p.drawn = line
}

// Finish ends the line.
func (p *Bar) Finish() {
	if p.w != nil {
		fmt.Fprintln(p.w)
	}
}
