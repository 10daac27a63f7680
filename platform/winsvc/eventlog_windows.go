//go:build windows

package winsvc

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/sys/windows/svc/eventlog"
)

// eventID is the event id of every message: EventCreate.exe, the
// message file Install registers, takes ids 1 to 1000 and shows the
// message text as it is.
const eventID = 1

// level is an event's type in the event log.
type level int

// Event types.
const (
	levelInfo level = iota
	levelWarning
	levelError
)

// levelOf guesses a log line's level from slog's "level=ERROR" / "level=WARN" or hclog's "[ERROR]" / "[WARN]"
// markers (and the usual words in other loggers' output).
func levelOf(line string) level {
	head := line
	if len(head) > 64 {
		head = head[:64]
	}
	switch {
	case strings.Contains(head, "[ERROR]"), strings.Contains(head, "level=error"), strings.Contains(head, "level=ERROR"):
		return levelError
	case strings.Contains(head, "[WARN]"), strings.Contains(head, "level=warn"), strings.Contains(head, "level=WARN"):
		return levelWarning
	}
	return levelInfo
}

// EventLog is an io.WriteCloser that sends each line written to it to
// the Application event log as one event, its type guessed from hclog's
// level marker. Partial lines wait for their end (or Close).
type EventLog struct {
	mu     sync.Mutex
	buf    []byte
	report func(level, string) error
	close  func() error
}

// NewEventLog opens the Application event log as source name (Install
// registers it).
func NewEventLog(name string) (*EventLog, error) {
	l, err := eventlog.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open the event log as %q: %w", name, err)
	}
	return &EventLog{report: func(lv level, msg string) error {
		switch lv {
		case levelError:
			return l.Error(eventID, msg)
		case levelWarning:
			return l.Warning(eventID, msg)
		}
		return l.Info(eventID, msg)
	}, close: l.Close}, nil
}

// Write sends every complete line in p as an event. It reports the
// first error of the event log but always consumes all of p.
func (e *EventLog) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.buf = append(e.buf, p...)
	var first error
	for {
		i := bytes.IndexByte(e.buf, '\n')
		if i < 0 {
			break
		}
		if err := e.send(string(e.buf[:i])); err != nil && first == nil {
			first = err
		}
		e.buf = e.buf[i+1:]
	}
	return len(p), first
}

func (e *EventLog) send(line string) error {
	line = strings.TrimRight(line, "\r")
	if strings.TrimSpace(line) == "" {
		return nil
	}
	if err := e.report(levelOf(line), line); err != nil {
		return fmt.Errorf("event log: %w", err)
	}
	return nil
}

// Close sends what is left of a partial line and closes the log.
func (e *EventLog) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	err := e.send(string(e.buf))
	e.buf = nil
	if e.close != nil {
		if cerr := e.close(); err == nil {
			err = cerr
		}
	}
	return err
}
