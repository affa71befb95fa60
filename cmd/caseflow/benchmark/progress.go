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
	fmt.Fprintf(p.w, "\r[%s%s] %3d%%  %-48.48s", strings.Repeat("#", filled), strings.Repeat("-", width-filled),
		100*p.done/max(p.total, 1), p.name)
}

func (p *progress) finish() {
	if p.w != nil {
		fmt.Fprintln(p.w)
	}
}
