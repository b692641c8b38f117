package main

import (
	"fmt"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows an import's progress on a terminal; in scripts (stdout not a
// terminal) and with --quiet it shows nothing.
type progress struct {
	name  string
	phase string
	bar   *progressbar.ProgressBar
}

func newProgress(quiet bool, name string) *progress {
	if quiet || !term.IsTerminal(int(os.Stdout.Fd())) {
		return nil
	}
	return &progress{name: name}
}

// update is the ingest.Request.Progress callback: rows done of total (0: unknown).
func (p *progress) update(phase string, done, total int64) {
	if p == nil {
		return
	}
	if phase != p.phase {
		p.finish()
		p.phase = phase
		desc := fmt.Sprintf("%s: %s", p.name, map[string]string{"validate": "kiểm tra / validating", "load": "ghi / loading"}[phase])
		if total <= 0 {
			total = -1
		}
		p.bar = progressbar.NewOptions64(total, progressbar.OptionSetDescription(desc), progressbar.OptionSetWriter(os.Stdout),
			progressbar.OptionShowCount(), progressbar.OptionSetItsString("rows"), progressbar.OptionShowIts(),
			progressbar.OptionThrottle(200e6), progressbar.OptionClearOnFinish())
	}
	p.bar.Set64(done)
}

func (p *progress) finish() {
	if p != nil && p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}
