package mailintake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Limits of one message's MIME tree and of the time spent parsing it. The
// tree is walked with one reader per enclosing multipart, so each byte is
// read once per level: bounding the depth keeps the parser linear in the
// message size (unbounded, 8,000 levels in 565 KB took minutes). Real mail
// nests a few levels (a signed forward of a report: about six) and carries
// tens of parts, so the limits leave ample room.
const (
	// MaxMIMEDepth is how many multipart levels a message may nest, counted
	// from the top-level entity and through attached messages.
	MaxMIMEDepth = 20
	// MaxMIMEParts is how many entities (containers, leaves and attached
	// messages) one message may have.
	MaxMIMEParts = 500
	// ParseTimeout bounds the time spent parsing one message. Within the
	// limits above a 10 MB message parses in well under a second; the
	// deadline is the backstop for whatever costs more.
	ParseTimeout = 10 * time.Second
)

// Names of the limits, as LimitError.Limit and in the SMTP refusal.
const (
	LimitMIMEDepth = "mime_depth"
	LimitMIMEParts = "mime_parts"
	LimitParseTime = "parse_time"
)

// LimitError says that a message is over one of the parser's limits. The
// listener refuses such a message with 554 5.6.0 naming the limit: sending
// it again would not change the answer.
type LimitError struct {
	// Limit is LimitMIMEDepth, LimitMIMEParts or LimitParseTime.
	Limit string
	// Max is the limit's value (levels, parts, or seconds).
	Max int
}

func (e *LimitError) Error() string {
	switch e.Limit {
	case LimitMIMEDepth:
		return fmt.Sprintf("MIME structure nested deeper than %d levels (limit %s)", e.Max, e.Limit)
	case LimitMIMEParts:
		return fmt.Sprintf("MIME structure with more than %d parts (limit %s)", e.Max, e.Limit)
	default:
		return fmt.Sprintf("message took longer than %d seconds to read (limit %s)", e.Max, e.Limit)
	}
}

var errParseTime = &LimitError{Limit: LimitParseTime, Max: int(ParseTimeout / time.Second)}

// budget counts what one message has used of the limits while it is
// walked, across attached messages.
type budget struct {
	ctx   context.Context
	parts int
}

// enter counts one entity at depth (0 for the top-level entity) and fails
// when the message goes over a limit or its time is up.
func (b *budget) enter(depth int) error {
	if b.ctx.Err() != nil {
		return errParseTime
	}
	if depth > MaxMIMEDepth {
		return &LimitError{Limit: LimitMIMEDepth, Max: MaxMIMEDepth}
	}
	b.parts++
	if b.parts > MaxMIMEParts {
		return &LimitError{Limit: LimitMIMEParts, Max: MaxMIMEParts}
	}
	return nil
}

// limit turns an error met while reading into the LimitError behind it:
// go-message does not wrap its readers' errors, so a deadline that
// stopped a read is recognised by the context.
func (b *budget) limit(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return le
	}
	if b.ctx.Err() != nil {
		return errParseTime
	}
	return nil
}

// ctxReader fails its reads once the context is done, so that a read deep
// inside the parser stops at the deadline.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, errParseTime
	}
	return c.r.Read(p)
}
