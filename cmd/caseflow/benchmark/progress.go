package benchmark

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// progress draws one line: the stage and a bar of the steps done.
type progress struct {
	mu          sync.Mutex
	w           io.Writer
	total, done int
	name        string
	drawn       string // what the line shows now
}

func newProgress(w io.Writer, total int) *progress { return &progress{w: w, total: total} }

func (p *progress) stage(name string) {
	p.mu.Lock()
	p.name = name
	p.mu.Unlock()
	p.draw()
}

func (p *progress) step() {
	p.mu.Lock()
	p.done = min(p.done+1, p.total)
	p.mu.Unlock()
	p.draw()
}

func (p *progress) draw() {
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

func (p *progress) finish() {
	if p.w != nil {
		fmt.Fprintln(p.w)
	}
}
