package cli

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// progress shows "converting: i of n files" on a terminal while a long run works.
// It writes nothing when stderr is not a terminal (pipes, files, CI logs,
// tests), so redirected output stays clean.
type progress struct {
	w     io.Writer
	total int
	done  atomic.Int64
	stop  chan struct{}
	ended chan struct{}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// startProgress returns nil (a no-op progress) off a terminal.
func startProgress(w io.Writer, total int) *progress {
	if total < 100 || !isTerminal(w) {
		return nil
	}
	p := &progress{w: w, total: total, stop: make(chan struct{}), ended: make(chan struct{})}
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer close(p.ended)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			fmt.Fprint(p.w, "\r\033[K")
			return
		case <-t.C:
			fmt.Fprintf(p.w, "\rconverting: %d of %d files", p.done.Load(), p.total)
		}
	}
}

func (p *progress) add() {
	if p != nil {
		p.done.Add(1)
	}
}

func (p *progress) end() {
	if p != nil {
		close(p.stop)
		<-p.ended
	}
}
